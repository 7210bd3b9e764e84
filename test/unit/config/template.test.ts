import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCheck } from "../../../cli/check";
import { parseConfigYaml } from "../../../shared/config";
import { createReceivers } from "../../../shared/receivers";
import { BASE_YAML, rejectionOf } from "./rejection";

/** Single-quoted YAML, so a template's double quotes stay. */
const quoted = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/** A config whose first receiver is a webhook with `template: <template>`. */
const withWebhookTemplate = (template: string): string =>
  `${BASE_YAML}receivers:\n  - name: hook\n    type: webhook\n    options:\n      url: https://hooks.example.com/ci\n      template: ${quoted(template)}\n`;

describe("Key: receivers[].options.template", () => {
  describe("Function: createReceivers", () => {
    it("builds receivers whose templates read declared variables", () => {
      // Prepare
      const config = parseConfigYaml(withWebhookTemplate(`{"text": {{ pipeline.name | json }}, "phase": "{{ pipeline.phase }}", "event": "{{ event }}"}`));

      // Act
      const receivers = createReceivers(config);

      // Assess
      expect(receivers.map((r) => r.receiver.name)).toEqual(["hook"]);
    });

    it.each([
      ["an unknown variable", "{{ pipeline.nmae }}", "unknown variable 'pipeline.nmae' at line 1, column 4 (pipeline has"],
      ["an unknown top-level name", "{{ run.name }}", "unknown variable 'run' at line 1, column 4 (known: event, pipeline)"],
      ["an unknown filter", "{{ pipeline.name | shout }}", "undefined filter: shout"],
      ["a syntax error", "{% for s in pipeline.stages %}{{ s.name }}", "tag {% for s in pipeline.stages %} not closed"],
      ["a prototype read", "{{ pipeline.constructor }}", "unknown variable 'pipeline.constructor'"],
    ])("throws a ConfigError naming receivers[0].options.template for %s", (_case, template, reason) => {
      // Prepare
      const config = parseConfigYaml(withWebhookTemplate(template));

      // Act
      const error = rejectionOf(() => createReceivers(config));

      // Assess
      expect(error.path).toBe("receivers[0].options.template");
      expect(error.reason).toContain(reason);
      expect(error.message).toContain(`receivers[0].options.template: ${error.reason}`);
    });

    it.each([
      ["scm", "description", "provider: gitlab\n      token: env:KF_TOKEN\n      template:\n        description: '{{ pipeline.nmae }}'\n"],
      ["scm", "comment", "provider: github\n      token: env:KF_TOKEN\n      comment: { enabled: true }\n      template:\n        comment: '{{ pipline.name }}'\n"],
      ["email", "subject", "from: ci@example.com\n      to: [team@example.com]\n      template:\n        subject: '{{ pipeline.nmae }}'\n"],
    ])("names the field of a receiver with several templates (%s template.%s)", (type, field, options) => {
      // Prepare
      const yaml = `${BASE_YAML}receivers:\n  - name: r\n    type: ${type}\n    options:\n      ${options}`;

      // Act
      const error = rejectionOf(() => createReceivers(parseConfigYaml(yaml)));

      // Assess
      expect(error.path).toBe(`receivers[0].options.template.${field}`);
      expect(error.reason).toContain("unknown variable");
    });

    it("names a misspelt template field as the unknown key it is", () => {
      // Prepare
      const yaml = `${BASE_YAML}receivers:\n  - name: r\n    type: email\n    options:\n      from: ci@example.com\n      to: [team@example.com]\n      template: { subjet: x }\n`;

      // Act
      const error = rejectionOf(() => createReceivers(parseConfigYaml(yaml)));

      // Assess
      expect(error.path).toBe("receivers[0].options.template.subjet");
      expect(error.reason).toBe("unknown key");
    });
  });

  describe("Function: runCheck", () => {
    it("exits 2 and prints the key and the variable for an unknown variable", async () => {
      // Prepare
      const file = join(mkdtempSync(join(tmpdir(), "kf-template-")), "feedback.yaml");
      writeFileSync(file, withWebhookTemplate(`{"run": "{{ pipeline.nmae }}"}`));
      let printed = "";

      // Act
      const code = await runCheck({ file, out: (line) => void (printed += line) });

      // Assess
      expect(code).toBe(2);
      expect(printed).toContain(`✗ ${file}: invalid config: receivers[0].options.template: unknown variable 'pipeline.nmae' at line 1, column 13`);
    });
  });
});
