/**
 * `normalise(obj)`: any watched CI object → `NormalisedRun`.
 *
 * Input comes from a queue, so it is untrusted: the only errors thrown are
 * `UnsupportedKindError` (an object we do not handle) and `InvalidObjectError`
 * (one of ours that cannot identify a run). A malformed `spec` or `status`
 * is not an error: it reads as "nothing known yet".
 */
import { SlimLimit, truncate } from "../../envelope/slim-fields";
import type { NormalisedRun } from "../types";
import { identify, kindOf } from "./kinds";
import { record, records, stringMap } from "./read";

export { stageOfTaskRun, tektonPhase } from "./tekton";
export { standingOf, type RunStanding } from "./kinds";

/** Whether objects of this apiVersion and kind can be normalised. */
export function isPipelineKind(apiVersion: string, kind: string): boolean {
  return kindOf(apiVersion, kind) !== undefined;
}

export function normalise(obj: unknown): NormalisedRun {
  const { apiVersion, kind, name, namespace, uid, metadata, reader } = identify(obj);
  const { spec, status } = obj as { spec?: unknown; status?: unknown };
  return boundMessages(
    reader.normalise({
      apiVersion,
      kind,
      metadata: {
        name,
        namespace,
        uid,
        ...(typeof metadata.generateName === "string" && metadata.generateName ? { generateName: metadata.generateName } : {}),
        labels: stringMap(metadata.labels),
        annotations: stringMap(metadata.annotations),
        ownerReferences: records(metadata.ownerReferences),
      },
      spec: record(spec),
      status: record(status),
    }),
  );
}

/**
 * Messages cut as slimming cuts them (shared/envelope/slim-fields.ts), so a
 * run reads the same from the object and from its slimmed envelope however
 * long a controller's message was.
 */
const boundMessages = (run: NormalisedRun): NormalisedRun => {
  const cut = (message: string | undefined) => (message === undefined ? undefined : truncate(message, SlimLimit.messageChars));
  const stages = run.stages.map((stage) => (stage.message === undefined ? stage : { ...stage, message: cut(stage.message)! }));
  return { ...run, ...(run.message === undefined ? {} : { message: cut(run.message)! }), stages };
};
