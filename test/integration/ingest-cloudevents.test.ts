import { describe, expect, it } from "vitest";
import { signBody } from "../../shared/envelope";
import { CLOUDEVENTS_TOKEN, CLUSTER, fixture, httpEvent, NOW_SECONDS, SECRET, useIngest, type Json } from "../helpers/ingest-harness";

describe("Function: ingest", () => {
  const rig = useIngest();

  describe("Method: POST /cloudevents", () => {
    const binarySample = fixture("pipelinerun-successful.binary.json") as { headers: Record<string, string>; body: Json };
    const structuredSample = fixture("taskrun-started.structured.json");

    it("returns 202 and enqueues MODIFIED of the embedded PipelineRun for a binary-mode Tekton event with ?token=", async () => {
      // Prepare
      const event = httpEvent({
        routeKey: "/cloudevents",
        path: "/cloudevents",
        query: { token: CLOUDEVENTS_TOKEN },
        headers: binarySample.headers,
        body: JSON.stringify(binarySample.body),
      });

      // Act
      const response = await rig.invoke(event);
      const received = await rig.drain();

      // Assess
      expect(response).toEqual({ statusCode: 202, body: { enqueued: 1, ignored: 0 } });
      expect(received).toHaveLength(1);
      const { envelope, groupId } = received[0]!;
      expect(groupId).toBe(`${CLUSTER}/9b1d0f3e-52a4-4c6e-a0f5-2c8f7e1d4b61`);
      expect(envelope).toMatchObject({
        v: 1,
        cluster: CLUSTER,
        type: "MODIFIED",
        apiVersion: "tekton.dev/v1beta1",
        kind: "PipelineRun",
        observedAt: "2025-03-12T09:19:40.512Z",
      });
      expect(envelope.object.metadata).not.toHaveProperty("managedFields");
      expect((envelope.object.status as Json).pipelineSpec).toEqual({ tasks: [{ name: "fetch-repository" }, { name: "unit-tests" }] });
      expect((envelope.object.status as Json).conditions).toEqual([expect.objectContaining({ reason: "Succeeded", status: "True" })]);
    });

    it("returns 202 and enqueues ADDED of the embedded TaskRun for a structured-mode started event with a Bearer token", async () => {
      // Prepare
      const event = httpEvent({
        routeKey: "/cloudevents",
        path: "/cloudevents",
        headers: { "content-type": "application/cloudevents+json; charset=utf-8", authorization: `Bearer ${CLOUDEVENTS_TOKEN}` },
        body: JSON.stringify(structuredSample),
      });

      // Act
      const response = await rig.invoke(event);
      const received = await rig.drain();

      // Assess
      expect(response.statusCode).toBe(202);
      expect(received).toHaveLength(1);
      expect(received[0]!.envelope).toMatchObject({
        type: "ADDED",
        kind: "TaskRun",
        apiVersion: "tekton.dev/v1beta1",
        object: { metadata: { name: "buildah-manual-x7p2q", uid: "8f9a0b1c-2d3e-4f5a-b6c7-d8e9f0a1b2c3" } },
      });
    });

    it("uses the cluster extension attribute when the event carries one, and accepts the relay's HMAC instead of a token", async () => {
      // Prepare
      const body = JSON.stringify({ ...structuredSample, id: "with-cluster", cluster: "staging-us" });
      const event = httpEvent({
        routeKey: "/cloudevents",
        path: "/cloudevents",
        headers: {
          "content-type": "application/cloudevents+json",
          "X-Feedback-Timestamp": String(NOW_SECONDS),
          "X-Feedback-Signature-256": signBody(SECRET, NOW_SECONDS, body),
        },
        body,
      });

      // Act
      const response = await rig.invoke(event);
      const received = await rig.drain();

      // Assess
      expect(response.statusCode).toBe(202);
      expect(received.map((r) => r.groupId)).toEqual(["staging-us/8f9a0b1c-2d3e-4f5a-b6c7-d8e9f0a1b2c3"]);
    });

    it("cuts a run whose slimmed form is still over the SQS limit down to its conditions, with a warning", async () => {
      // Prepare
      const run = structuredClone(binarySample.body.pipelineRun) as { metadata: Json; status: Json };
      // Another resourceVersion: the sample's own was enqueued above, and FIFO deduplication would drop a repeat.
      run.metadata.resourceVersion = "48211990";
      run.status.childReferences = Array.from({ length: 3000 }, (_, i) => ({
        apiVersion: "tekton.dev/v1",
        kind: "TaskRun",
        name: `shop-api-on-push-7xk2p-matrix-shard-${i}`,
        pipelineTaskName: `matrix-shard-${i}`,
      }));
      const event = httpEvent({
        routeKey: "/cloudevents",
        path: "/cloudevents",
        query: { token: CLOUDEVENTS_TOKEN },
        // Another event id too: the sample's own was accepted above, and a repeat is a replay (409).
        headers: { ...binarySample.headers, "ce-id": "matrix-run-with-3000-children" },
        body: JSON.stringify({ pipelineRun: run }),
      });

      // Act
      const response = await rig.invoke(event);
      const received = await rig.drain();

      // Assess
      expect(response.statusCode).toBe(202);
      expect(received).toHaveLength(1);
      expect(Object.keys(received[0]!.envelope.object.status as Json)).toEqual(["conditions"]);
      expect(rig.log.count("warn")).toBe(1);
    });

    it("returns 401 and enqueues nothing when the token is wrong", async () => {
      // Prepare
      const event = httpEvent({
        routeKey: "/cloudevents",
        path: "/cloudevents",
        query: { token: "guessed-token-0123456789" },
        headers: binarySample.headers,
        body: JSON.stringify(binarySample.body),
      });

      // Act
      const response = await rig.invoke(event);

      // Assess
      expect(response.statusCode).toBe(401);
      expect(await rig.drain()).toHaveLength(0);
    });

    it("returns 400 naming the type when the event is not a Tekton run event, and 202 ignoring a CustomRun event", async () => {
      // Prepare
      const headers = { ...binarySample.headers, authorization: `Bearer ${CLOUDEVENTS_TOKEN}` };
      const foreign = httpEvent({
        routeKey: "/cloudevents",
        path: "/cloudevents",
        headers: { ...headers, "ce-type": "com.example.deploy.finished.v1" },
        body: JSON.stringify(binarySample.body),
      });
      const customRun = httpEvent({
        routeKey: "/cloudevents",
        path: "/cloudevents",
        headers: { ...headers, "ce-type": "dev.tekton.event.customrun.started.v1" },
        body: JSON.stringify({ customRun: { metadata: { name: "approval", uid: "cr-1" } } }),
      });

      // Act
      const rejected = await rig.invoke(foreign);
      const ignored = await rig.invoke(customRun);

      // Assess
      expect(rejected.statusCode).toBe(400);
      expect(String(rejected.body.message)).toContain('type "com.example.deploy.finished.v1"');
      expect(ignored).toEqual({ statusCode: 202, body: { enqueued: 0, ignored: 1 } });
      expect(await rig.drain()).toHaveLength(0);
    });

    it("returns 400 naming the data field when the run is missing", async () => {
      // Prepare
      const event = httpEvent({
        routeKey: "/cloudevents",
        path: "/cloudevents",
        headers: { ...binarySample.headers, authorization: `Bearer ${CLOUDEVENTS_TOKEN}` },
        body: JSON.stringify({ taskRun: {} }),
      });

      // Act
      const response = await rig.invoke(event);

      // Assess
      expect(response.statusCode).toBe(400);
      expect(String(response.body.message)).toContain("data.pipelineRun: missing");
    });
  });
});
