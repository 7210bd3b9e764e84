import { describe, expect, it } from "vitest";
import { messageDeduplicationId, type KubeObject } from "../../shared/envelope";
import { admissionEvent, CLUSTER, job, useIngest, type Json } from "../helpers/ingest-harness";

describe("Function: ingest", () => {
  const rig = useIngest();

  describe("Method: POST /admission/{token}", () => {
    const review = (request: Json): string =>
      JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request });

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
});
