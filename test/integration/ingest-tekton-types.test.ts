import { describe, expect, it } from "vitest";
import { makeEnvelope, messageDeduplicationId, type KubeObject } from "../../shared/envelope";
import { TEKTON_EVENT_TYPES, tektonEntry } from "../../shared/ingest";
import { CLOUDEVENTS_TOKEN, CLUSTER, fixture, httpEvent, NOW, RecordingLog, useIngest, type Json } from "../helpers/ingest-harness";

const binary = fixture("pipelinerun-successful.binary.json") as { headers: Record<string, string>; body: Json & { pipelineRun: KubeObject } };

/** The upstream event, structured mode, with another type (and its own id: ids are remembered). */
const eventOf = (type: string, index: number): Json => ({
  specversion: "1.0",
  id: `types-${index}`,
  source: binary.headers["ce-source"],
  type,
  time: binary.headers["ce-time"],
  datacontenttype: "application/json",
  data: type.includes(".taskrun.")
    ? { taskRun: { ...binary.body.pipelineRun, metadata: { ...binary.body.pipelineRun.metadata, uid: `tr-${index}` } } }
    : { ...binary.body, pipelineRun: { ...binary.body.pipelineRun, metadata: { ...binary.body.pipelineRun.metadata, uid: `pr-${index}` } } },
});

describe("Function: ingest, Tekton CloudEvent types", () => {
  const rig = useIngest();

  it("accepts every type Tekton emits, and enqueues those of TaskRuns and PipelineRuns", async () => {
    // Act
    const responses = await Promise.all(
      TEKTON_EVENT_TYPES.map((type, i) =>
        rig.invoke(
          httpEvent({
            routeKey: "/cloudevents",
            path: "/cloudevents",
            headers: { "content-type": "application/cloudevents+json", authorization: `Bearer ${CLOUDEVENTS_TOKEN}` },
            body: JSON.stringify(eventOf(type, i)),
          }),
        ),
      ),
    );
    const received = await rig.drain();

    // Assess
    expect(TEKTON_EVENT_TYPES).toHaveLength(24);
    expect(responses.map((r) => r.statusCode)).toEqual(TEKTON_EVENT_TYPES.map(() => 202));
    const runs = TEKTON_EVENT_TYPES.filter((t) => /\.(taskrun|pipelinerun)\./.test(t));
    expect(received).toHaveLength(runs.length);
    expect(responses.filter((r) => r.body.ignored === 1)).toHaveLength(TEKTON_EVENT_TYPES.length - runs.length);
  });

  it("gives a successful event the deduplication id of the watch event of the same state", () => {
    // Prepare: the relay's MODIFIED of the same object at the same resourceVersion.
    const event = { id: "dedupe-1", source: "/apis", specversion: "1.0", type: "dev.tekton.event.pipelinerun.successful.v1", data: binary.body } as never;
    const watched = makeEnvelope(CLUSTER, "MODIFIED", { ...binary.body.pipelineRun, apiVersion: "tekton.dev/v1beta1", kind: "PipelineRun" }, NOW);

    // Act
    const entry = tektonEntry(event, CLUSTER, NOW, "CloudEvent dedupe-1", new RecordingLog())!;

    // Assess: SQS FIFO stores one of the two.
    expect(messageDeduplicationId(entry.envelope)).toBe(messageDeduplicationId(watched));
  });
});
