import { describe, expect, it } from "vitest";
import { LifecycleEvent } from "../../../shared/receivers";
import { runEvent } from "../../../shared/receivers/run-event";
import { pipelineInfo } from "../../helpers/fake-chat";

const stages = (count: number, messageLength: number) =>
  Array.from({ length: count }, (_, i) => ({ name: `step-${i}`, phase: "failed" as const, message: "x".repeat(messageLength) }));

const bytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), "utf8");

describe("Function: runEvent", () => {
  it("keeps every stage and message, without a truncated field, when the run fits", () => {
    // Act
    const document = runEvent(LifecycleEvent.Finished, pipelineInfo({ stages: stages(3, 50) }));

    // Assess
    expect(document.stages).toHaveLength(3);
    expect(document.stages[0]!.message).toBe("x".repeat(50));
    expect(document).not.toHaveProperty("truncated");
    expect(document).not.toHaveProperty("annotations");
  });

  it("copies the documented git fields by name, the fork's repository included, and nothing else", () => {
    // Prepare
    const info = pipelineInfo();
    const git = { ...info.git!, sourceRepoUrl: "https://github.com/someone/shop-api", token: "not for consumers" };

    // Act
    const document = runEvent(LifecycleEvent.Finished, { ...info, git });

    // Assess
    expect(document.git).toEqual({ ...info.git, sourceRepoUrl: "https://github.com/someone/shop-api" });
  });

  it("cuts run and stage messages to 1000 characters", () => {
    // Act
    const document = runEvent(LifecycleEvent.Finished, pipelineInfo({ message: "m".repeat(5000), stages: stages(1, 5000) }));

    // Assess
    expect(document.message).toHaveLength(1000);
    expect(document.stages[0]!.message).toHaveLength(1000);
  });

  it("drops stage messages first when the run is over the limit", () => {
    // Prepare
    const info = pipelineInfo({ stages: stages(40, 1000) });

    // Act
    const document = runEvent(LifecycleEvent.Finished, info, 20_000);

    // Assess
    expect(bytes(document)).toBeLessThanOrEqual(20_000);
    expect(document.stages).toHaveLength(40);
    expect(document.stages.some((s) => "message" in s)).toBe(false);
    expect(document.truncated).toEqual({ stageMessages: true, stagesOmitted: 0 });
  });

  it("then keeps as many leading stages as fit and counts the rest", () => {
    // Prepare
    const info = pipelineInfo({ stages: stages(3000, 10) });

    // Act
    const document = runEvent(LifecycleEvent.Finished, info, 20_000);

    // Assess
    expect(bytes(document)).toBeLessThanOrEqual(20_000);
    const kept = document.stages.length;
    expect(kept).toBeGreaterThan(0);
    expect(document.stages.map((s) => s.name)).toEqual(info.stages.slice(0, kept).map((s) => s.name));
    expect(document.truncated).toEqual({ stageMessages: true, stagesOmitted: 3000 - kept });
    // As many as fit: one stage more would not.
    const oneMore = { ...document, stages: info.stages.slice(0, kept + 1).map(({ message: _m, ...s }) => s), truncated: { stageMessages: true, stagesOmitted: 3000 - kept - 1 } };
    expect(bytes(oneMore)).toBeGreaterThan(20_000);
  });
});
