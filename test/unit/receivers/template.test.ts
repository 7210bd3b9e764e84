import { describe, expect, it } from "vitest";
import { LifecycleEvent } from "../../../shared/pipeline/receiver";
import { compileTemplate, TEMPLATE_OUTPUT_MAX, TemplateError } from "../../../shared/receivers/template";
import { pipelineInfo } from "../../helpers/fake-chat";

/** The TemplateError `source` is refused with at start. */
const refusal = (source: string): string => {
  try {
    compileTemplate(source);
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateError);
    return (error as Error).message;
  }
  return expect.unreachable(`expected ${source} to be refused`) as never;
};

describe("Function: compileTemplate", () => {
  it("renders event, pipeline fields, stages in a loop and filters", () => {
    // Prepare
    const template = compileTemplate(
      "{{ event }}: {{ pipeline.name }} {{ pipeline.phase | upcase }} on {{ pipeline.git.sha | slice: 0, 7 }}{% for s in pipeline.stages %} [{{ s.name }}={{ s.phase }}]{% endfor %}",
    );

    // Act
    const text = template.render(LifecycleEvent.Finished, pipelineInfo());

    // Assess
    expect(text).toBe("finished: build-7k2x9 SUCCEEDED on 3f78685 [fetch=succeeded] [test=succeeded]");
  });

  it("renders a field the run lacks as nothing, false in an if", () => {
    // Prepare
    const template = compileTemplate("[{{ pipeline.message }}][{{ pipeline.git.pr }}]{% if pipeline.dashboardUrl %}link{% else %}none{% endif %}");

    // Act
    const text = template.render(LifecycleEvent.Started, pipelineInfo({ dashboardUrl: undefined, git: undefined }));

    // Assess
    expect(text).toBe("[][]none");
  });

  it("reads a label a run may lack behind a default", () => {
    // Prepare
    const template = compileTemplate(`{{ pipeline.labels["tekton.dev/pipeline"] | default: "-" }}/{{ pipeline.labels.team | default: "-" }}`);

    // Act
    const text = template.render(LifecycleEvent.Finished, pipelineInfo());

    // Assess
    expect(text).toBe("build/-");
  });

  it("parses a source once: the same text gives the same template", () => {
    // Act
    const first = compileTemplate("{{ pipeline.namespace }}/{{ pipeline.name }}");
    const second = compileTemplate("{{ pipeline.namespace }}/{{ pipeline.name }}");

    // Assess
    expect(second).toBe(first);
  });

  it.each([
    ["an unknown variable", "{{ status }}", "unknown variable 'status' at line 1, column 4 (known: event, pipeline)"],
    ["previous, which is for conditions", "{{ previous.phase }}", "unknown variable 'previous'"],
    ["an unknown field of pipeline", "{{ pipeline.nmae }}", "unknown variable 'pipeline.nmae' at line 1, column 4 (pipeline has id, uid,"],
    ["an unknown field in a branch no sample takes", `{% if pipeline.labels.team == "web" %}{{ pipeline.git.shaa }}{% endif %}`, "unknown variable 'pipeline.git.shaa' at line 1, column 42 (pipeline.git has repoUrl,"],
    ["a field of a string", "{{ event.name }}", "unknown variable 'event.name' at line 1, column 4: event is a string"],
    ["a field of a list", "{{ pipeline.stages.name }}", "unknown variable 'pipeline.stages.name' at line 1, column 4: pipeline.stages is a list"],
    ["an unknown field of a loop variable", "{% for s in pipeline.stages %}{{ s.nmae }}{% endfor %}", "undefined variable: s.nmae at line 1, column 34, on a run with"],
    ["a label read without a guard", "{{ pipeline.labels.team }}", 'undefined variable: pipeline.labels.team at line 1, column 4, on a run with event "created"'],
    ["an unknown filter", "{{ pipeline.name | shout }}", "undefined filter: shout at line 1, column 1"],
    ["a tag left open", "{% if pipeline.message %}failed", "tag {% if pipeline.message %} not closed at line 1, column 1"],
    ["an empty expression", "{% if %}x{% endif %}", 'invalid value expression: "" at line 1, column 6'],
    ["an include, which would read a file", `{% include "header" %}`, 'tag "include" is not available: a template cannot read other files'],
    ["a render, which would read a file", `{% render "header" %}`, 'tag "render" is not available'],
    ["a loop past the memory limit", "{% for i in (1..5000000) %}x{% endfor %}", "memory alloc limit exceeded"],
  ])("refuses %s with the reason and the place", (_case, source, reason) => {
    // Act
    const message = refusal(source);

    // Assess
    expect(message).toContain(reason);
  });

  it.each([
    ["{{ pipeline.constructor }}", "unknown variable 'pipeline.constructor'"],
    ["{{ constructor }}", "unknown variable 'constructor'"],
    ["{{ pipeline.name.constructor }}", "unknown variable 'pipeline.name.constructor'"],
    ["{{ pipeline.stages.constructor }}", "unknown variable 'pipeline.stages.constructor'"],
    [`{{ pipeline["__proto__"] }}`, "unknown variable 'pipeline.__proto__'"],
    [`{{ "x" | append: pipeline.toString }}`, "unknown variable 'pipeline.toString'"],
    ["{% assign f = pipeline.name %}{{ f.constructor }}", "undefined variable: f.constructor"],
  ])("reads no prototype: %s is refused at start", (source, reason) => {
    // Act
    const message = refusal(source);

    // Assess
    expect(message).toContain(reason);
  });

  it.each([`{{ pipeline.stages | map: "constructor" | compact | size }}`, `{{ pipeline.stages | map: "__proto__" | compact | size }}`, `{{ pipeline | map: "constructor" | compact | size }}`])(
    "finds no value in %s: a filter reads own properties only",
    (source) => {
      // Prepare
      const template = compileTemplate(source);

      // Act
      const text = template.render(LifecycleEvent.Finished, pipelineInfo());

      // Assess
      expect(text).toBe("0");
    },
  );

  it("keeps no more than the output limit", () => {
    // Prepare: 10 × 2^15 characters, cheap to build
    const template = compileTemplate(`{% assign s = "0123456789" %}{% for i in (1..15) %}{% assign s = s | append: s %}{% endfor %}{{ s }}`);

    // Act
    const text = template.render(LifecycleEvent.Finished, pipelineInfo());

    // Assess
    expect(text).toHaveLength(TEMPLATE_OUTPUT_MAX);
  });
});
