import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { messageDeduplicationId, messageGroupId, signBody, type KubeObject } from "../../shared/envelope";
import { IngestSettingError, resolveIngestSettings } from "../../shared/ingest";
import { StoreKey } from "../../shared/store";
import {
  ADMISSION_TOKEN,
  CLOUDEVENTS_TOKEN,
  CLUSTER,
  envelopeOf,
  fixture,
  httpEvent,
  job,
  NOW_SECONDS,
  SECRET,
  useIngest,
  type Json,
} from "./ingest-harness";

const signedEvents = (body: string, options: { secret?: string; timestamp?: number; base64?: boolean } = {}) => {
  const timestamp = options.timestamp ?? NOW_SECONDS;
  return httpEvent({
    routeKey: "/events",
    path: "/events",
    body,
    base64: options.base64 ?? false,
    headers: {
      "X-Feedback-Timestamp": String(timestamp),
      "X-Feedback-Signature-256": signBody(options.secret ?? SECRET, timestamp, body),
    },
  });
};

describe("Function: ingest", () => {
  const rig = useIngest();

  describe("Method: POST /events", () => {
    it("returns 202 and enqueues every envelope with the relay's group and deduplication ids when the batch is valid", async () => {
      // Prepare
      const envelopes = [
        envelopeOf(job("build-1", "uid-valid-1", "100"), "ADDED"),
        envelopeOf(job("build-1", "uid-valid-1", "101")),
        envelopeOf(job("build-2", "uid-valid-2", "102"), "ADDED"),
      ];

      // Act
      const response = await rig.invoke(signedEvents(JSON.stringify(envelopes)));
      const received = await rig.drain();

      // Assess
      expect(response).toEqual({ statusCode: 202, body: { enqueued: 3 } });
      expect(received).toHaveLength(3);
      const byDedup = new Map(received.map((r) => [r.deduplicationId, r]));
      for (const envelope of envelopes) {
        const message = byDedup.get(messageDeduplicationId(envelope));
        expect(message?.groupId).toBe(messageGroupId(envelope));
        expect(message?.envelope).toEqual(envelope);
      }
    });

    it("returns 202 when the body is one envelope rather than an array, and when HTTP API base64-encoded it", async () => {
      // Prepare
      const single = JSON.stringify(envelopeOf(job("build-3", "uid-single", "200")));
      const encoded = JSON.stringify([envelopeOf(job("build-4", "uid-base64", "201"))]);

      // Act
      const first = await rig.invoke(signedEvents(single));
      const second = await rig.invoke(signedEvents(encoded, { base64: true }));
      const received = await rig.drain();

      // Assess
      expect([first.statusCode, second.statusCode]).toEqual([202, 202]);
      expect(received.map((r) => r.groupId).sort()).toEqual([`${CLUSTER}/uid-base64`, `${CLUSTER}/uid-single`]);
    });

    it("returns 401 bad-signature and enqueues nothing when the body was tampered with after signing", async () => {
      // Prepare
      const body = JSON.stringify([envelopeOf(job("build-5", "uid-tampered", "300"))]);
      const event = signedEvents(body);
      event.body = body.replace('"build-5"', '"build-6"');

      // Act
      const response = await rig.invoke(event);

      // Assess
      expect(response.statusCode).toBe(401);
      expect(response.body).toMatchObject({ error: "UnauthorizedError", reason: "bad-signature" });
      expect(await rig.drain()).toHaveLength(0);
    });

    it("returns 401 bad-signature when the request is signed with another key", async () => {
      // Prepare
      const body = JSON.stringify([envelopeOf(job("build-7", "uid-wrong-key", "310"))]);

      // Act
      const response = await rig.invoke(signedEvents(body, { secret: "some-other-key-0123456789abcdef" }));

      // Assess
      expect(response.statusCode).toBe(401);
      expect(response.body).toMatchObject({ reason: "bad-signature", message: "signature does not match the body" });
      expect(await rig.drain()).toHaveLength(0);
    });

    it("returns 401 stale-timestamp when the signed timestamp is more than five minutes old", async () => {
      // Prepare
      const body = JSON.stringify([envelopeOf(job("build-8", "uid-stale", "320"))]);

      // Act
      const stale = await rig.invoke(signedEvents(body, { timestamp: NOW_SECONDS - 301 }));
      const edge = await rig.invoke(signedEvents(body, { timestamp: NOW_SECONDS - 300 }));

      // Assess
      expect(stale.statusCode).toBe(401);
      expect(stale.body).toMatchObject({ reason: "stale-timestamp" });
      expect(edge.statusCode).toBe(202);
      expect(await rig.drain()).toHaveLength(1);
    });

    it("returns 401 missing-signature when the headers are absent", async () => {
      // Prepare
      const event = httpEvent({ routeKey: "/events", path: "/events", body: "[]" });

      // Act
      const response = await rig.invoke(event);

      // Assess
      expect(response.statusCode).toBe(401);
      expect(response.body).toMatchObject({ reason: "missing-signature" });
    });

    it("returns 409 and enqueues once when the same signed request is replayed within the window", async () => {
      // Prepare
      const body = JSON.stringify([envelopeOf(job("build-9", "uid-replayed", "400"))]);
      const event = signedEvents(body);
      const signature = event.headers["x-feedback-signature-256"]!.slice("sha256=".length);

      // Act
      const first = await rig.invoke(event);
      const replay = await rig.invoke(signedEvents(body));
      const claim = await rig.doc.send(new GetCommand({ TableName: rig.emulators.tableName, Key: { pk: StoreKey.signature(signature) } }));

      // Assess
      expect(first.statusCode).toBe(202);
      expect(replay.statusCode).toBe(409);
      expect(replay.body).toMatchObject({ error: "ReplayedRequestError" });
      expect(await rig.drain()).toHaveLength(1);
      expect(claim.Item).toMatchObject({ data: { state: "claimed" }, ttl: NOW_SECONDS + 300 + 60 });
    });

    it("returns 413 and enqueues nothing when the body is over 1 MiB", async () => {
      // Prepare
      const big = job("build-10", "uid-oversized", "500");
      big.metadata.annotations = { padding: "x".repeat(1024 * 1024) };
      const body = JSON.stringify([envelopeOf(big)]);

      // Act
      const response = await rig.invoke(signedEvents(body));

      // Assess
      expect(response.statusCode).toBe(413);
      expect(response.body).toMatchObject({ error: "PayloadTooLargeError" });
      expect(await rig.drain()).toHaveLength(0);
    });

    it("returns 400 listing every invalid item by index and field, and enqueues nothing, when a batch is half valid", async () => {
      // Prepare
      const valid = envelopeOf(job("build-11", "uid-half-1", "600"));
      const noUid = envelopeOf(job("build-12", "uid-half-2", "601")) as unknown as { object: { metadata: Json } };
      delete noUid.object.metadata.uid;
      const unknownField = { ...envelopeOf(job("build-13", "uid-half-3", "602")), extra: true };
      const valid2 = envelopeOf(job("build-14", "uid-half-4", "603"));

      // Act
      const response = await rig.invoke(signedEvents(JSON.stringify([valid, noUid, unknownField, valid2])));
      const afterReject = await rig.drain();
      const resent = await rig.invoke(signedEvents(JSON.stringify([valid, valid2])));
      const afterResend = await rig.drain();

      // Assess
      expect(response.statusCode).toBe(400);
      expect(response.body).toMatchObject({
        error: "InvalidRequestError",
        enqueued: 0,
        invalid: [
          { index: 1, path: "object.metadata.uid", reason: expect.any(String) },
          { index: 2, path: "extra", reason: "unknown field" },
        ],
      });
      expect(String(response.body.message)).toContain("[1] object.metadata.uid");
      expect(afterReject).toHaveLength(0);
      expect(resent).toEqual({ statusCode: 202, body: { enqueued: 2 } });
      expect(afterResend).toHaveLength(2);
    });

    it("returns 400 naming the problem when the body is not JSON", async () => {
      // Act
      const response = await rig.invoke(signedEvents("{not json"));

      // Assess
      expect(response.statusCode).toBe(400);
      expect(String(response.body.message)).toMatch(/^body is not JSON/);
    });

    it("returns 503 and releases the replay claim when SQS refuses, so the same request can be resent", async () => {
      // Prepare
      const body = JSON.stringify([envelopeOf(job("build-15", "uid-sqs-down", "700"))]);
      const broken = rig.handlerWith({ queueUrl: `${rig.emulators.queueUrl.replace(/events\.fifo$/, "missing.fifo")}` });

      // Act
      const failed = await broken(signedEvents(body));
      const resent = await rig.invoke(signedEvents(body));

      // Assess
      expect(failed.statusCode).toBe(503);
      expect(failed.body).toMatchObject({ error: "EnqueueError", failed: [0] });
      expect(resent.statusCode).toBe(202);
      expect(await rig.drain()).toHaveLength(1);
      expect(rig.log.count("error")).toBe(1);
    });
  });

  describe("Method: POST /admission/{token}", () => {
    const review = (request: Json): string =>
      JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request });

    const admissionEvent = (body: string, token = ADMISSION_TOKEN) =>
      httpEvent({
        routeKey: "/admission/{token}",
        path: `/admission/${token}`,
        pathParameters: { token },
        body,
        headers: { "user-agent": "kube-apiserver-admission" },
      });

    const pipelineRun: KubeObject = {
      apiVersion: "tekton.dev/v1",
      kind: "PipelineRun",
      metadata: {
        name: "shop-api-on-push-7xk2p",
        namespace: "ci-shop",
        uid: "9b1d0f3e-52a4-4c6e-a0f5-2c8f7e1d4b61",
        resourceVersion: "48211800",
        generation: 1,
        managedFields: [{ manager: "controller", operation: "Update", subresource: "status" }],
      } as KubeObject["metadata"],
      spec: { pipelineRef: { name: "build" }, timeouts: { pipeline: "1h0m0s" } },
      status: {
        conditions: [{ type: "Succeeded", status: "Unknown", reason: "Running" }],
        startTime: "2025-03-12T09:14:02Z",
        pipelineSpec: { tasks: [{ name: "build" }] },
      },
    };

    it("returns allowed with the uid echoed and enqueues MODIFIED when a PipelineRun's status is updated", async () => {
      // Prepare
      const body = review({
        uid: "705ab4f5-6393-11e8-b7cc-42010a800002",
        kind: { group: "tekton.dev", version: "v1", kind: "PipelineRun" },
        resource: { group: "tekton.dev", version: "v1", resource: "pipelineruns" },
        subResource: "status",
        requestKind: { group: "tekton.dev", version: "v1", kind: "PipelineRun" },
        requestResource: { group: "tekton.dev", version: "v1", resource: "pipelineruns" },
        requestSubResource: "status",
        name: "shop-api-on-push-7xk2p",
        namespace: "ci-shop",
        operation: "UPDATE",
        userInfo: { username: "system:serviceaccount:tekton-pipelines:tekton-pipelines-controller" },
        object: pipelineRun,
        oldObject: { ...pipelineRun, status: { conditions: [] } },
        dryRun: false,
        options: { apiVersion: "meta.k8s.io/v1", kind: "UpdateOptions" },
      });

      // Act
      const response = await rig.invoke(admissionEvent(body));
      const received = await rig.drain();

      // Assess
      expect(response).toEqual({
        statusCode: 200,
        body: {
          apiVersion: "admission.k8s.io/v1",
          kind: "AdmissionReview",
          response: { uid: "705ab4f5-6393-11e8-b7cc-42010a800002", allowed: true },
        },
      });
      expect(received).toHaveLength(1);
      const [message] = received;
      expect(message!.groupId).toBe(`${CLUSTER}/9b1d0f3e-52a4-4c6e-a0f5-2c8f7e1d4b61`);
      expect(message!.deduplicationId).toBe(messageDeduplicationId(message!.envelope));
      expect(message!.envelope).toMatchObject({ v: 1, cluster: CLUSTER, type: "MODIFIED", kind: "PipelineRun" });
      // Slimmed: managedFields are dropped, and of the embedded pipeline spec only the task names (the stages) are kept.
      expect(message!.envelope.object.metadata).not.toHaveProperty("managedFields");
      expect(message!.envelope.object.status).toEqual({
        conditions: [{ type: "Succeeded", status: "Unknown", reason: "Running" }],
        startTime: "2025-03-12T09:14:02Z",
        pipelineSpec: { tasks: [{ name: "build" }] },
      });
    });

    it("returns allowed and enqueues ADDED when a Job is created", async () => {
      // Prepare
      const created = { ...job("nightly-28934", "3c1d2e4f-uid-job", ""), status: {} };
      delete (created.metadata as Json).resourceVersion;
      const body = review({
        uid: "b0c6f1de-0b8e-4f0e-9f39-7ad1c1d2e3f4",
        kind: { group: "batch", version: "v1", kind: "Job" },
        resource: { group: "batch", version: "v1", resource: "jobs" },
        operation: "CREATE",
        namespace: "ci",
        object: created,
        oldObject: null,
      });

      // Act
      const response = await rig.invoke(admissionEvent(body));
      const received = await rig.drain();

      // Assess
      expect(response.body).toMatchObject({ response: { uid: "b0c6f1de-0b8e-4f0e-9f39-7ad1c1d2e3f4", allowed: true } });
      expect(received).toHaveLength(1);
      expect(received[0]!.envelope).toMatchObject({ type: "ADDED", apiVersion: "batch/v1", kind: "Job" });
      expect(received[0]!.envelope.object.metadata.uid).toBe("3c1d2e4f-uid-job");
    });

    it("returns allowed and enqueues DELETED of oldObject when a CommitStatus is deleted", async () => {
      // Prepare
      const commitStatus = {
        apiVersion: "commit-status.argoproj.io/v1alpha1",
        kind: "CommitStatus",
        metadata: { name: "shop-api-build", namespace: "ci-shop", uid: "cs-uid-1", resourceVersion: "9001" },
        spec: { sha: "3f786850e387550fdab836ed7e6dc881de23001b", name: "ci/build", phase: "success" },
        status: { observedGeneration: 1 },
      };
      const body = review({
        uid: "d1e2f3a4-delete",
        kind: { group: "commit-status.argoproj.io", version: "v1alpha1", kind: "CommitStatus" },
        resource: { group: "commit-status.argoproj.io", version: "v1alpha1", resource: "commitstatuses" },
        operation: "DELETE",
        namespace: "ci-shop",
        name: "shop-api-build",
        object: null,
        oldObject: commitStatus,
      });

      // Act
      const response = await rig.invoke(admissionEvent(body));
      const received = await rig.drain();

      // Assess
      expect(response.body).toMatchObject({ response: { uid: "d1e2f3a4-delete", allowed: true } });
      expect(received).toHaveLength(1);
      expect(received[0]!.envelope).toMatchObject({ type: "DELETED", kind: "CommitStatus", object: { spec: commitStatus.spec } });
    });

    it("returns 401 and enqueues nothing when the token is wrong", async () => {
      // Prepare
      const body = review({
        uid: "wrong-token",
        kind: { group: "batch", version: "v1", kind: "Job" },
        operation: "CREATE",
        object: job("x", "uid-wrong-token", "1"),
      });

      // Act
      const response = await rig.invoke(admissionEvent(body, "not-the-admission-token-at-all"));

      // Assess
      expect(response.statusCode).toBe(401);
      expect(response.body).toMatchObject({ reason: "wrong-token" });
      expect(await rig.drain()).toHaveLength(0);
    });

    it("returns 400 naming the field and enqueues nothing when the review is malformed", async () => {
      // Prepare
      const noUid = review({ kind: { group: "batch", version: "v1", kind: "Job" }, operation: "CREATE", object: job("x", "u", "1") });
      const noObject = review({ uid: "no-object", kind: { group: "batch", version: "v1", kind: "Job" }, operation: "UPDATE" });

      // Act
      const first = await rig.invoke(admissionEvent(noUid));
      const second = await rig.invoke(admissionEvent(noObject));

      // Assess
      expect(first.statusCode).toBe(400);
      expect(String(first.body.message)).toContain("request.uid");
      expect(second.statusCode).toBe(400);
      expect(String(second.body.message)).toContain("request.object is missing for UPDATE");
      expect(await rig.drain()).toHaveLength(0);
    });

    it("returns allowed and enqueues nothing for a dry run", async () => {
      // Prepare
      const body = review({
        uid: "dry-run",
        kind: { group: "batch", version: "v1", kind: "Job" },
        operation: "CREATE",
        object: job("x", "uid-dry", "1"),
        dryRun: true,
      });

      // Act
      const response = await rig.invoke(admissionEvent(body));

      // Assess
      expect(response.body).toMatchObject({ response: { uid: "dry-run", allowed: true } });
      expect(await rig.drain()).toHaveLength(0);
    });

    it("returns allowed and logs one error when the envelope cannot be enqueued", async () => {
      // Prepare
      const broken = rig.handlerWith({ queueUrl: rig.emulators.queueUrl.replace(/events\.fifo$/, "missing.fifo") });
      const body = review({
        uid: "sqs-down",
        kind: { group: "batch", version: "v1", kind: "Job" },
        operation: "UPDATE",
        object: job("x", "uid-admission-lost", "77"),
      });

      // Act
      const response = await broken(admissionEvent(body));

      // Assess
      expect(response).toMatchObject({ statusCode: 200, body: { response: { uid: "sqs-down", allowed: true } } });
      expect(rig.log.count("error")).toBe(1);
      expect(rig.log.lines.find((l) => l.level === "error")?.message).toContain("resync");
    });

    it("returns 400 naming request.object and logs the event as lost with the object's identity when it is too big for SQS even cut down", async () => {
      // Prepare
      const huge = job("x", "uid-admission-huge", "78");
      huge.metadata.labels = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`label-${i}`, "v".repeat(60)]));
      const body = review({ uid: "too-big", kind: { group: "batch", version: "v1", kind: "Job" }, operation: "UPDATE", object: huge });

      // Act
      const response = await rig.invoke(admissionEvent(body));

      // Assess
      expect(response.statusCode).toBe(400);
      expect(String(response.body.message)).toMatch(/^request\.object: envelope for Job ci\/x is \d+ bytes even when cut down/);
      expect(rig.log.lines.filter((l) => l.level === "error")).toEqual([
        {
          level: "error",
          message: expect.stringContaining("admission event lost"),
          fields: expect.objectContaining({ kind: "Job", namespace: "ci", name: "x", uid: "uid-admission-huge", reviewUid: "too-big", status: 400 }),
        },
      ]);
      expect(await rig.drain()).toHaveLength(0);
    });

    it("keeps successive updates apart when the client sent no resourceVersion", async () => {
      // Prepare
      const object = job("x", "uid-no-rv", "");
      delete (object.metadata as Json).resourceVersion;
      const update = (uid: string) =>
        review({ uid, kind: { group: "batch", version: "v1", kind: "Job" }, operation: "UPDATE", object });

      // Act
      await rig.invoke(admissionEvent(update("review-1")));
      await rig.invoke(admissionEvent(update("review-2")));
      const received = await rig.drain();

      // Assess
      expect(received).toHaveLength(2);
      expect(new Set(received.map((r) => r.deduplicationId)).size).toBe(2);
    });
  });

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

  describe("Method: routing", () => {
    it("returns 404 for a path the function does not serve", async () => {
      // Act
      const response = await rig.invoke(httpEvent({ routeKey: "/nothing", path: "/nothing", body: "{}" }));

      // Assess
      expect(response.statusCode).toBe(404);
    });
  });

  describe("Function: resolveIngestSettings", () => {
    it("returns the secrets from references and literals when every setting is present", async () => {
      // Prepare
      const env = {
        INGEST_SECRET: "env:KF_TEST_HMAC",
        KF_TEST_HMAC: SECRET,
        ADMISSION_TOKEN,
        CLOUDEVENTS_TOKEN,
        QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/123456789012/q.fifo",
        TABLE_NAME: "t",
      };
      process.env.KF_TEST_HMAC = SECRET;

      // Act
      const resolved = await resolveIngestSettings({ env, cluster: CLUSTER });

      // Assess
      expect(resolved).toMatchObject({ hmacSecret: SECRET, admissionToken: ADMISSION_TOKEN, windowSeconds: 300, maxBodyBytes: 1048576 });
      delete process.env.KF_TEST_HMAC;
    });

    it("throws naming the setting when one is missing or too short", async () => {
      // Prepare
      const base = { ADMISSION_TOKEN, CLOUDEVENTS_TOKEN, QUEUE_URL: "q", TABLE_NAME: "t" };

      // Act
      const missing = resolveIngestSettings({ env: base, cluster: CLUSTER });
      const short = resolveIngestSettings({ env: { ...base, INGEST_SECRET: "short" }, cluster: CLUSTER });

      // Assess
      await expect(missing).rejects.toThrow(IngestSettingError);
      await expect(missing).rejects.toThrow("ingest setting INGEST_SECRET: is not set");
      await expect(short).rejects.toThrow("INGEST_SECRET: must be at least 16 characters");
    });
  });
});
