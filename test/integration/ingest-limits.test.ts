import { describe, expect, it } from "vitest";
import {
  admissionEvent,
  CLOUDEVENTS_TOKEN,
  envelopeOf,
  fixture,
  httpEvent,
  job,
  signedHeaders,
  useIngest,
  type Json,
} from "../helpers/ingest-harness";

const LEVELS = 10_000;
const DEEP_REASON = "nested deeper than 64 levels";

/**
 * `value` as JSON with the string "DEEP" replaced by `{ a: { a: … } }`
 * nested 10,000 levels: written as text, since JSON.stringify of such an
 * object overflows the stack (which is what the server must not do).
 */
const withDeep = (value: unknown): string =>
  JSON.stringify(value).replace('"DEEP"', `${'{"a":'.repeat(LEVELS - 1)}{}${"}".repeat(LEVELS - 1)}`);

/** 10,000 nested arrays: the cheapest hostile body of all. */
const ARRAYS = `${"[".repeat(LEVELS)}${"]".repeat(LEVELS)}`;

const structured = fixture("taskrun-started.structured.json") as Json & { data: { taskRun: Json & { metadata: Json } } };
const binary = fixture("pipelinerun-successful.binary.json") as { headers: Record<string, string>; body: { pipelineRun: Json } };

const events = (body: string) => httpEvent({ routeKey: "/events", path: "/events", body, headers: signedHeaders(body) });

const cloudevents = (body: string, headers: Record<string, string> = { "content-type": "application/cloudevents+json" }) =>
  httpEvent({ routeKey: "/cloudevents", path: "/cloudevents", body, headers: { ...headers, authorization: `Bearer ${CLOUDEVENTS_TOKEN}` } });

const review = (object: unknown): Json => ({
  apiVersion: "admission.k8s.io/v1",
  kind: "AdmissionReview",
  request: { uid: "review-deep", kind: { group: "batch", version: "v1", kind: "Job" }, operation: "UPDATE", namespace: "ci", name: "nightly", object },
});

const taskRun = (patch: (run: Json & { metadata: Json }) => void, id: string): Json => {
  const event = structuredClone(structured);
  patch(event.data.taskRun);
  return { ...event, id };
};

describe("Function: ingest limits", () => {
  const rig = useIngest();

  describe("Method: every route, 10,000 levels of nesting", () => {
    it.each([
      ["POST /events, one envelope", () => events(withDeep({ ...envelopeOf(job("deep", "uid-deep-1", "1")), object: { ...job("deep", "uid-deep-1", "1"), spec: "DEEP" } })), "object.spec.a.a.a.a.a.a…"],
      ["POST /events, a batch", () => events(withDeep([envelopeOf(job("ok", "uid-ok", "1")), { ...envelopeOf(job("deep", "uid-deep-2", "1")), object: { ...job("deep", "uid-deep-2", "1"), status: "DEEP" } }])), "[1].object.status.a.a.a.a.a…"],
      ["POST /events, nested arrays", () => events(ARRAYS), "[0][0][0][0][0][0][0][0]…"],
      ["POST /cloudevents, structured", () => cloudevents(withDeep(taskRun((run) => void (run.spec = "DEEP"), "deep-structured"))), "data.taskRun.spec.a.a.a.a.a…"],
      ["POST /cloudevents, batched", () => cloudevents(withDeep([taskRun((run) => void (run.status = "DEEP"), "deep-batched")]), { "content-type": "application/cloudevents-batch+json" }), "[0].data.taskRun.status.a.a.a.a…"],
      ["POST /cloudevents, binary", () => cloudevents(withDeep({ pipelineRun: { ...binary.body.pipelineRun, spec: "DEEP" } }), { ...binary.headers, "ce-id": "deep-binary" }), "data.pipelineRun.spec.a.a.a.a.a…"],
      ["POST /cloudevents, a type that is ignored", () => cloudevents(withDeep({ customRun: "DEEP" }), { ...binary.headers, "ce-type": "dev.tekton.event.customrun.started.v1" }), "data.customRun.a.a.a.a.a.a…"],
      ["POST /cloudevents, nested arrays", () => cloudevents(ARRAYS), "[0][0][0][0][0][0][0][0]…"],
      ["POST /admission/{token}", () => admissionEvent(withDeep(review({ ...job("nightly", "uid-deep-adm", "5"), spec: "DEEP" }))), "request.object.spec.a.a.a.a.a…"],
      ["POST /admission/{token}, nested arrays", () => admissionEvent(ARRAYS), "[0][0][0][0][0][0][0][0]…"],
    ])("returns 400 naming the path and enqueues nothing for %s", async (_route, request, path) => {
      // Act
      const response = await rig.invoke(request());

      // Assess
      expect(response.statusCode).toBe(400);
      expect(response.body).toEqual({ error: "InvalidRequestError", message: `${path}: ${DEEP_REASON}` });
      expect(await rig.drain()).toHaveLength(0);
      expect(rig.log.lines.filter((l) => l.message.includes("unexpectedly"))).toEqual([]);
    });

    it("returns 400 naming data_base64 when a structured event's base64 data is nested too deep", async () => {
      // Prepare
      const data = Buffer.from(withDeep({ taskRun: { ...structured.data.taskRun, spec: "DEEP" } })).toString("base64");
      const { data: _data, ...attributes } = structured;

      // Act
      const response = await rig.invoke(cloudevents(JSON.stringify({ ...attributes, id: "deep-base64", data_base64: data })));

      // Assess
      expect(response.statusCode).toBe(400);
      expect(response.body.message).toBe(`structured CloudEvent: data_base64.taskRun.spec.a.a.a.a.a…: ${DEEP_REASON}`);
    });

    it("logs the refused admission as a lost event with the object's kind, namespace, name and uid", async () => {
      // Act
      await rig.invoke(admissionEvent(withDeep(review({ ...job("nightly", "uid-deep-logged", "5"), spec: "DEEP" }))));

      // Assess
      const errors = rig.log.lines.filter((l) => l.level === "error");
      expect(errors).toEqual([
        {
          level: "error",
          message: "admission event lost: the object was refused; the API server lets it through and resync will catch up",
          fields: {
            kind: "Job",
            namespace: "ci",
            name: "nightly",
            uid: "uid-deep-logged",
            reviewUid: "review-deep",
            status: 400,
            reason: `request.object.spec.a.a.a.a.a…: ${DEEP_REASON}`,
          },
        },
      ]);
    });
  });

  describe("Method: every route, FIFO ids SQS would refuse", () => {
    const longUid = "u".repeat(130);

    it("returns 400 naming the uid on POST /events", async () => {
      // Act
      const response = await rig.invoke(events(JSON.stringify([envelopeOf(job("long", longUid, "1"))])));

      // Assess
      expect(response.statusCode).toBe(400);
      expect(response.body.invalid).toEqual([
        { index: 0, path: "object.metadata.uid", reason: "is part of the SQS MessageGroupId (cluster/uid), which is 138 characters, more than the 128 SQS allows" },
      ]);
    });

    it("returns 400 naming the run's uid on POST /cloudevents", async () => {
      // Act
      const response = await rig.invoke(cloudevents(JSON.stringify(taskRun((run) => void (run.metadata.uid = "uid with spaces"), "bad-uid"))));

      // Assess
      expect(response.statusCode).toBe(400);
      expect(response.body.message).toMatch(/^CloudEvent bad-uid: data\.taskRun\.metadata\.uid: is part of the SQS MessageGroupId .* ASCII punctuation/);
      expect(await rig.drain()).toHaveLength(0);
    });

    it("returns 400 naming the cluster extension when a signed event names a cluster SQS would refuse", async () => {
      // Prepare
      const body = JSON.stringify({ ...structured, id: "bad-cluster", cluster: "prod eu" });

      // Act
      const response = await rig.invoke(
        httpEvent({ routeKey: "/cloudevents", path: "/cloudevents", body, headers: signedHeaders(body, { "content-type": "application/cloudevents+json" }) }),
      );

      // Assess
      expect(response.statusCode).toBe(400);
      expect(response.body.message).toMatch(/^CloudEvent bad-cluster: cluster \(extension attribute\): may hold only letters, digits and ASCII punctuation/);
    });

    it("returns 400 naming request.object.metadata.uid on POST /admission/{token} and logs the lost event", async () => {
      // Act
      const response = await rig.invoke(admissionEvent(JSON.stringify(review(job("nightly", longUid, "5")))));

      // Assess
      expect(response.statusCode).toBe(400);
      expect(response.body.message).toMatch(/^malformed AdmissionReview: request\.object\.metadata\.uid: is part of the SQS MessageGroupId/);
      expect(rig.log.lines.filter((l) => l.level === "error").map((l) => (l.fields as Json).uid)).toEqual([longUid]);
    });
  });

  describe("Method: POST /cloudevents, size after slimming", () => {
    it("returns 400 naming the run when it is over the SQS limit even cut down", async () => {
      // Prepare
      const labels = Object.fromEntries(Array.from({ length: 4000 }, (_, i) => [`label-${i}`, "v".repeat(60)]));
      const event = taskRun((run) => void (run.metadata.labels = labels), "too-big");

      // Act
      const response = await rig.invoke(cloudevents(JSON.stringify(event)));

      // Assess
      expect(response.statusCode).toBe(400);
      expect(response.body.message).toMatch(/^CloudEvent too-big: data\.taskRun: envelope for TaskRun ci-shop\/\S+ is \d+ bytes even when cut down, more than the 262144 bytes/);
      expect(await rig.drain()).toHaveLength(0);
    });
  });
});
