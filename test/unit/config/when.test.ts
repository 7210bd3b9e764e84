import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCheck } from "../../../cli/check";
import { loadConfig, parseConfigYaml } from "../../../shared/config";
import { createReceivers } from "../../../shared/receivers";
import { BASE_YAML, rejectionOf } from "./rejection";

/** A config whose second receiver has `when: <expression>` (single-quoted YAML, so the expression's double quotes stay). */
const withWhen = (expression: string): string =>
  `${BASE_YAML}receivers:\n  - { name: all, type: console }\n  - name: failures\n    type: console\n    when: '${expression.replaceAll("'", "''")}'\n`;

describe("Key: receivers[].when", () => {
  describe("Function: createReceivers", () => {
    it("builds the receivers when the expressions compile", () => {
      // Prepare
      const config = parseConfigYaml(withWhen(`event == "finished" && pipeline.phase == "succeeded" && has(previous.phase) && previous.phase == "failed"`));

      // Act
      const receivers = createReceivers(config);

      // Assess
      expect(receivers.map((r) => [r.receiver.name, r.entry.when])).toEqual([
        ["all", undefined],
        ["failures", `event == "finished" && pipeline.phase == "succeeded" && has(previous.phase) && previous.phase == "failed"`],
      ]);
    });

    it("builds the receivers of the shipped example config, whose when compiles", () => {
      // Prepare
      const config = loadConfig(new URL("../../../feedback.example.yaml", import.meta.url).pathname);

      // Act
      const receivers = createReceivers(config);

      // Assess
      expect(receivers.some((r) => r.entry.when?.includes("previous.phase"))).toBe(true);
    });

    it.each([
      ["a syntax error", `event == "finished" &&`, "<input>:1:21: found & but expecting end of input"],
      ["an unknown variable", `status == "failed"`, "<input>:1:1: undeclared reference to 'status' (declared: event, pipeline, previous)"],
      ["an unknown field of pipeline", `pipeline.nmae == "build"`, "<input>:1:9: undefined field 'nmae' (pipeline has id, uid,"],
      ["a comparison that can never hold", `event == 1`, "<input>:1:6: found no matching overload for '_==_' applied to '(string, int)'"],
      ["a misspelt event", `event == "finshed"`, "'finshed' is never event, which is one of created, started, progress, finished"],
      ["a misspelt phase in a list", `pipeline.phase in ["failed", "timedout"]`, "'timedout' is never pipeline.phase"],
      ["a call with the wrong argument type", `pipeline.name.startsWith(1)`, "found no matching overload for 'startsWith' applied to 'string.(int)'"],
      ["a result that is not a bool", `pipeline.name`, "expected type 'bool' but found 'string'"],
      ["a result that is not always a bool", `pipeline.phase == "failed" ? true : 1`, "gives int, not a bool"],
      ["previous read without has() on a first run", `previous.phase == "failed"`, "field not found: phase, on a run with event \"created\", pipeline.phase \"pending\", no previous run"],
      ["a label read without a guard", `pipeline.labels["team"] == "web"`, "field not found: team"],
      ["a stage's optional field read without has()", `pipeline.stages.exists(s, s.message.contains("OOM"))`, "field not found: message, on a run with"],
    ])("throws a ConfigError naming receivers[1].when with CEL's message for %s", (_case, expression, message) => {
      // Prepare
      const config = parseConfigYaml(withWhen(expression));

      // Act
      const error = rejectionOf(() => createReceivers(config));

      // Assess
      expect(error.path).toBe("receivers[1].when");
      expect(error.reason).toContain(message);
      expect(error.message).toContain(`receivers[1].when: ${error.reason}`);
    });

    it("reports the line and column of a problem on the second line of a block scalar", () => {
      // Prepare
      const yaml = `${BASE_YAML}receivers:\n  - name: failures\n    type: console\n    when: |-\n      event == "finished" &&\n      pipeline.nmae == "build"\n`;

      // Act
      const error = rejectionOf(() => createReceivers(parseConfigYaml(yaml)));

      // Assess
      expect(error.reason).toMatch(/^<input>:2:9: undefined field 'nmae'/);
    });
  });

  describe("Function: parseConfigYaml", () => {
    it("throws a ConfigError naming the key for an empty expression", () => {
      // Act
      const error = rejectionOf(() => parseConfigYaml(`${BASE_YAML}receivers:\n  - { name: a, type: console, when: "  " }\n`));

      // Assess
      expect(error.path).toBe("receivers[0].when");
      expect(error.reason).toContain("is empty");
    });
  });

  describe("Function: runCheck", () => {
    it("exits 2 and prints the key and CEL's message for an expression that does not type-check", async () => {
      // Prepare
      const file = join(mkdtempSync(join(tmpdir(), "kf-when-")), "feedback.yaml");
      writeFileSync(file, withWhen(`event == "finished" && pipeline.nmae == "build"`));
      let printed = "";

      // Act
      const code = await runCheck({ file, out: (line) => void (printed += line) });

      // Assess
      expect(code).toBe(2);
      expect(printed).toContain(`✗ ${file}: invalid config: receivers[1].when: <input>:1:32: undefined field 'nmae'`);
    });
  });
});
