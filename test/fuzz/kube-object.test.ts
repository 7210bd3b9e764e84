import { KubeConfig } from "@kubernetes/client-node";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../shared/config";
import { kubeObjectSchema, makeEnvelope, slimObject, type EnvelopeType, type KubeObject } from "../../shared/envelope";
import type { Log } from "../../shared/log";
import { InvalidObjectError, UnsupportedKindError } from "../../shared/pipeline/errors";
import { normalise } from "../../shared/pipeline/normalise";
import { PipelinePhase } from "../../shared/pipeline/types";
import { processRecord } from "../../shared/process/dispatch";
import { createDispatchDeps } from "../../shared/process/batch";
import { MemoryStateStore } from "../helpers/memory-state-store";
import { RecordingQueueOps } from "../helpers/recording-queue-ops";
import { RecordingReceiver } from "../helpers/recording-receiver";
import { sqsRecord } from "../helpers/sqs-records";
import { expectNamedRejection, FUZZ, json, text } from "./arbitraries";

const KINDS = [
  ["batch/v1", "Job"],
  ["tekton.dev/v1", "PipelineRun"],
  ["tekton.dev/v1beta1", "PipelineRun"],
  ["tekton.dev/v1", "TaskRun"],
  ["argoproj.io/v1alpha1", "Workflow"],
  ["commit-status.argoproj.io/v1alpha1", "CommitStatus"],
  ["v1", "Pod"],
] as const;
const PHASES = new Set<string>(Object.values(PipelinePhase));

const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof(arbitrary, json);
const time = fc.oneof(fc.constant("2026-11-20T10:00:00Z"), text);
const condition = fc.record(
  {
    type: fc.oneof(fc.constantFrom("Succeeded", "Complete", "SuccessCriteriaMet", "Failed", "FailureTarget", "Suspended", "Synced"), text),
    status: fc.oneof(fc.constantFrom("True", "False", "Unknown"), text),
    reason: fc.oneof(fc.constantFrom("Running", "Succeeded", "Failed", "Cancelled", "PipelineRunTimeout", "CouldntGetPipeline", "DeadlineExceeded", "PipelineRunPending"), text),
    message: text,
    lastTransitionTime: time,
  },
  { requiredKeys: [] },
);
/** Status fields every supported kind reads, each of them possibly of the wrong type. */
const status = fc.record(
  {
    conditions: maybe(fc.array(maybe(condition), { maxLength: 4 })),
    startTime: maybe(time),
    completionTime: maybe(time),
    active: maybe(fc.integer()),
    failed: maybe(fc.integer()),
    phase: maybe(fc.constantFrom("Pending", "Running", "Succeeded", "Failed", "Error")),
    childReferences: maybe(fc.array(maybe(fc.record({ name: text, pipelineTaskName: text }, { requiredKeys: [] })), { maxLength: 3 })),
    steps: maybe(fc.array(maybe(fc.record({ name: text, running: maybe(fc.record({ startedAt: time })), terminated: maybe(fc.record({ exitCode: maybe(fc.integer()), reason: text })) }, { requiredKeys: [] })), { maxLength: 3 })),
    nodes: maybe(fc.dictionary(text, maybe(fc.record({ displayName: text, type: text, phase: text, startedAt: time }, { requiredKeys: [] })), { maxKeys: 3 })),
    taskRuns: maybe(fc.dictionary(text, json, { maxKeys: 2 })),
  },
  { requiredKeys: [] },
);
const strings = fc.dictionary(fc.oneof(text, fc.constantFrom("commit-status.argoproj.io/sha", "commit-status.argoproj.io/repo-url", "tekton.dev/pipelineRun", "tekton.dev/pipelineTask", "pipelinesascode.tekton.dev/sha")), text, { maxKeys: 4 });
const owner = fc.record({ apiVersion: text, kind: fc.oneof(fc.constant("PipelineRun"), text), name: text, uid: text, controller: fc.boolean() }, { requiredKeys: [] });

/** Objects as a queue may hand them over: supported kinds or not, and any field missing or of the wrong type. */
const looseObject = fc
  .record({
    kind: fc.constantFrom(...KINDS),
    metadata: maybe(fc.record({ name: maybe(text), namespace: maybe(text), uid: maybe(text), labels: maybe(strings), annotations: maybe(strings), ownerReferences: maybe(fc.array(maybe(owner), { maxLength: 2 })) }, { requiredKeys: [] })),
    spec: maybe(fc.record({ status: maybe(text), suspend: maybe(fc.boolean()), shutdown: maybe(text) }, { requiredKeys: [] })),
    status: maybe(status),
  })
  .map(({ kind, ...rest }) => ({ apiVersion: kind[0], kind: kind[1], ...rest }));

/** Objects as the API server serves them: identity and string maps well-formed, spec and status anything. */
const servedObject = fc
  .record({
    kind: fc.constantFrom(...KINDS),
    name: fc.string({ minLength: 1 }),
    namespace: fc.string({ minLength: 1 }),
    uid: fc.uuid(),
    labels: strings,
    annotations: strings,
    ownerReferences: fc.array(owner, { maxLength: 2 }),
    managedFields: fc.array(json, { maxLength: 2 }),
    spec: maybe(fc.record({ status: text, timeouts: json, template: json }, { requiredKeys: [] })),
    status: maybe(status),
  })
  .map(({ kind, name, namespace, uid, labels, annotations, ownerReferences, managedFields, spec, status: s }): KubeObject => ({
    apiVersion: kind[0],
    kind: kind[1],
    metadata: { name, namespace, uid, resourceVersion: "7", labels, annotations, ownerReferences, managedFields } as KubeObject["metadata"],
    spec,
    status: s,
  }));

describe("Function: normalise", () => {
  it("returns a run, or says the kind is not ours, or names the field when the object is any value", () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), looseObject), (object) => {
        try {
          const run = normalise(object);
          expect(PHASES.has(run.phase), run.phase).toBe(true);
          for (const stage of run.stages) expect(PHASES.has(stage.phase), stage.phase).toBe(true);
        } catch (error) {
          if (error instanceof UnsupportedKindError) {
            expect(error.message).toContain(error.kind);
            return;
          }
          const { path } = expectNamedRejection(error, InvalidObjectError);
          expect(path).toMatch(/^(\(root\)|apiVersion|kind|metadata(\.(name|namespace|uid))?)$/);
        }
      }),
      FUZZ,
    );
  });
});

describe("Function: slimObject", () => {
  it("keeps the identity, stays a valid object and leaves its input alone when the object is anything the API server serves", () => {
    fc.assert(
      fc.property(servedObject, (object) => {
        // Prepare
        const before = structuredClone(object);

        // Act
        const slim = JSON.parse(JSON.stringify(slimObject(object))) as KubeObject;

        // Assess
        expect(object).toEqual(before);
        expect(kubeObjectSchema().safeParse(slim).success).toBe(true);
        expect(slim).toMatchObject({ apiVersion: object.apiVersion, kind: object.kind, metadata: { name: object.metadata.name, uid: object.metadata.uid } });
        expect(slim.metadata).not.toHaveProperty("managedFields");
      }),
      FUZZ,
    );
  });
});

describe("Function: processRecord", () => {
  const SILENT: Log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const config = parseConfig({ cluster: "fuzz", watch: [{ group: "batch", version: "v1", resource: "jobs" }], receivers: [{ name: "recorder", type: "console" }] });

  /** The process function's real routes (pipeline and CommitStatus) over in-memory state, queue and Kubernetes API. */
  const setup = async () => {
    const queue = new RecordingQueueOps();
    const receiver = new RecordingReceiver("recorder");
    const deps = await createDispatchDeps({
      config,
      store: new MemoryStateStore(),
      queue,
      receivers: [{ receiver, entry: config.receivers[0]! }],
      kube: async () => new KubeConfig(),
      commitStatusApi: { getGitRepo: async () => ({ spec: { github: { owner: "acme", name: "shop" }, credentialsRef: { ssmParameter: "/x" } } }), patchStatus: async () => undefined, listCommitStatuses: async () => ({ items: [] }) },
      credentials: async () => {
        throw new Error("no secrets in fuzz tests");
      },
    });
    return { queue, receiver, deps: { ...deps, childLog: () => SILENT } };
  };

  it("settles every message without a retry, and dead-letters only with a reason naming the field, when each event of a run carries any object", async () => {
    const type = fc.constantFrom<EnvelopeType>("ADDED", "MODIFIED", "DELETED", "RESYNC");
    const run = fc.record({ uid: fc.uuid(), versions: fc.array(fc.record({ type, object: looseObject }), { minLength: 1, maxLength: 4 }) });
    const seen = { callbacks: 0, deadLetters: 0 };
    await fc.assert(
      fc.asyncProperty(run, async ({ uid, versions }) => {
        // Prepare
        const { queue, receiver, deps } = await setup();

        // Act
        for (const { type: eventType, object } of versions) {
          const metadata = typeof object.metadata === "object" && object.metadata !== null && !Array.isArray(object.metadata) ? { ...object.metadata, uid } : object.metadata;
          const body = JSON.stringify(makeEnvelope("fuzz", eventType, { ...object, metadata } as KubeObject));
          // The relay groups by the object's uid; a body without one still travels in some group.
          const record = sqsRecord("fuzz", eventType, { apiVersion: "v1", kind: "Pod", metadata: { name: "group", uid } }, 1, body);
          await processRecord(record, deps);
        }

        // Assess
        seen.callbacks += receiver.calls.length;
        seen.deadLetters += queue.deadLetters.length;
        expect(queue.delays).toEqual([]);
        for (const letter of queue.deadLetters) {
          expect(letter.reason.length).toBeGreaterThan(0);
          expect(letter.error ?? "", letter.reason).toMatch(/^(invalid envelope: )?\S.*: \S/s);
        }
      }),
      { ...FUZZ, numRuns: 150 },
    );
    // The generator reaches both ends of the path: runs that call receivers and messages that are dead-lettered.
    expect(seen.callbacks).toBeGreaterThan(0);
    expect(seen.deadLetters).toBeGreaterThan(0);
  });
});
