import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, describe, expect, it } from "vitest";
import { StoreKey } from "../../shared/store";
import { CLOUDEVENTS_TOKEN, CLUSTER, fixture, httpEvent, NOW, NOW_SECONDS, useIngest, type Json } from "../helpers/ingest-harness";

// Token A by reference (what a deployment does), token B as a literal (a local run).
const TOKEN_A = "token-of-cluster-a-0123456789abcdef";
const TOKEN_B = "token-of-cluster-b-0123456789abcdef";
const TOKEN_A_VARIABLE = "KF_INGEST_TOKENS_TEST_A";
process.env[TOKEN_A_VARIABLE] = TOKEN_A;

const structured = fixture("taskrun-started.structured.json") as Json & { data: { taskRun: { metadata: Json } } };
const binary = fixture("pipelinerun-successful.binary.json") as { headers: Record<string, string>; body: Json };

/** A Tekton TaskRun started event of run `uid` (uids keep FIFO deduplication from hiding messages between tests). */
const taskRunEvent = (id: string, uid: string, extra: Json = {}): Json => {
  const event = structuredClone(structured);
  event.data.taskRun.metadata.uid = uid;
  return { ...event, id, ...extra };
};

const post = (token: string, body: unknown) =>
  httpEvent({
    routeKey: "/cloudevents",
    path: "/cloudevents",
    headers: { "content-type": Array.isArray(body) ? "application/cloudevents-batch+json" : "application/cloudevents+json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });

describe("Function: ingest with cluster-bound CloudEvents tokens", () => {
  const rig = useIngest({ INGEST_TOKENS: JSON.stringify({ [`env:${TOKEN_A_VARIABLE}`]: "cluster-a", [TOKEN_B]: "cluster-b" }) });

  afterAll(() => {
    delete process.env[TOKEN_A_VARIABLE];
  });

  describe("Method: POST /cloudevents, binding", () => {
    it("returns 202 and enqueues under each token's own cluster when the events name none", async () => {
      // Act
      const a = await rig.invoke(post(TOKEN_A, taskRunEvent("bind-1", "uid-bind-a")));
      const b = await rig.invoke(post(TOKEN_B, taskRunEvent("bind-2", "uid-bind-b")));
      const own = await rig.invoke(post(CLOUDEVENTS_TOKEN, taskRunEvent("bind-3", "uid-bind-own")));
      const received = await rig.drain();

      // Assess
      expect([a.statusCode, b.statusCode, own.statusCode]).toEqual([202, 202, 202]);
      expect(received.map((r) => r.groupId).sort()).toEqual(["cluster-a/uid-bind-a", "cluster-b/uid-bind-b", `${CLUSTER}/uid-bind-own`]);
      expect(received.map((r) => r.envelope.cluster).sort()).toEqual(["cluster-a", "cluster-b", CLUSTER]);
    });

    it("returns 202 when an event names its token's own cluster", async () => {
      // Act
      const response = await rig.invoke(post(TOKEN_A, taskRunEvent("bind-4", "uid-bind-same", { cluster: "cluster-a" })));
      const received = await rig.drain();

      // Assess
      expect(response.statusCode).toBe(202);
      expect(received.map((r) => r.groupId)).toEqual(["cluster-a/uid-bind-same"]);
    });

    it("returns 403 naming both clusters and enqueues nothing when token A's event names cluster B", async () => {
      // Act
      const response = await rig.invoke(post(TOKEN_A, taskRunEvent("forged-1", "uid-forged", { cluster: "cluster-b" })));

      // Assess
      expect(response.statusCode).toBe(403);
      expect(response.body).toEqual({
        error: "ForbiddenError",
        message:
          'CloudEvent forged-1: cluster (extension attribute): "cluster-b" is not the cluster this token is bound to ("cluster-a"); ' +
          "a token posts only its own cluster's events",
      });
      expect(await rig.drain()).toHaveLength(0);
    });

    it("returns 403 when the config's own token posts a binary-mode event with ce-cluster of another cluster", async () => {
      // Prepare
      const event = httpEvent({
        routeKey: "/cloudevents",
        path: "/cloudevents",
        query: { token: CLOUDEVENTS_TOKEN },
        headers: { ...binary.headers, "ce-cluster": "cluster-a", "ce-id": "forged-binary" },
        body: JSON.stringify(binary.body),
      });

      // Act
      const response = await rig.invoke(event);

      // Assess
      expect(response.statusCode).toBe(403);
      expect(String(response.body.message)).toContain('"cluster-a" is not the cluster this token is bound to ("prod-eu")');
      expect(await rig.drain()).toHaveLength(0);
    });

    it("returns 403 and enqueues none of a batch when one of its events names another cluster", async () => {
      // Prepare
      const batch = [taskRunEvent("batch-ok", "uid-batch-ok"), taskRunEvent("batch-forged", "uid-batch-forged", { cluster: CLUSTER })];

      // Act
      const response = await rig.invoke(post(TOKEN_B, batch));

      // Assess
      expect(response.statusCode).toBe(403);
      expect(String(response.body.message)).toMatch(/^CloudEvent \[1\] batch-forged: /);
      expect(await rig.drain()).toHaveLength(0);
    });

    it("returns 401 for a token that is in no setting", async () => {
      // Act
      const response = await rig.invoke(post("token-of-nobody-0123456789abcdef", taskRunEvent("nobody", "uid-nobody")));

      // Assess
      expect(response).toMatchObject({ statusCode: 401, body: { reason: "wrong-token" } });
    });
  });

  describe("Method: POST /cloudevents, replays", () => {
    it("returns 409 naming source and id and enqueues once when the same event is posted twice", async () => {
      // Prepare
      const event = taskRunEvent("replay-1", "uid-replay-1");
      const key = StoreKey.cloudEvent("cluster-a", String(event.source), "replay-1");

      // Act
      const first = await rig.invoke(post(TOKEN_A, event));
      const again = await rig.invoke(post(TOKEN_A, event));
      const item = await rig.doc.send(new GetCommand({ TableName: rig.emulators.tableName, Key: { pk: key } }));

      // Assess
      expect(first.statusCode).toBe(202);
      expect(again.statusCode).toBe(409);
      expect(again.body).toEqual({
        error: "ReplayedRequestError",
        message: `replayed CloudEvent: source "${String(event.source)}" id "replay-1" was already accepted in the last 300 s; a new event needs a new id`,
      });
      expect(await rig.drain()).toHaveLength(1);
      expect(item.Item).toMatchObject({ data: { state: "claimed" }, ttl: NOW_SECONDS + 300 });
    });

    it("returns 409 for a repeat even when its run was changed, since source and id identify the event", async () => {
      // Act
      const first = await rig.invoke(post(TOKEN_B, taskRunEvent("replay-2", "uid-replay-2")));
      const altered = await rig.invoke(post(TOKEN_B, taskRunEvent("replay-2", "uid-replay-2-altered")));

      // Assess
      expect([first.statusCode, altered.statusCode]).toEqual([202, 409]);
      expect(await rig.drain()).toHaveLength(1);
    });

    it("returns 202 for the same source and id from another cluster's token", async () => {
      // Act
      const a = await rig.invoke(post(TOKEN_A, taskRunEvent("shared-id", "uid-shared-a")));
      const b = await rig.invoke(post(TOKEN_B, taskRunEvent("shared-id", "uid-shared-b")));

      // Assess
      expect([a.statusCode, b.statusCode]).toEqual([202, 202]);
      expect(await rig.drain()).toHaveLength(2);
    });

    it("returns 202 again once the window has passed", async () => {
      // Prepare
      const later = rig.handlerWith({}, { now: () => new Date(NOW.getTime() + 301_000) });

      // Act
      const first = await rig.invoke(post(TOKEN_A, taskRunEvent("replay-3", "uid-replay-3")));
      const inWindow = await rig.handlerWith({}, { now: () => new Date(NOW.getTime() + 299_000) })(post(TOKEN_A, taskRunEvent("replay-3", "uid-replay-3")));
      const afterWindow = await later(post(TOKEN_A, taskRunEvent("replay-3", "uid-replay-3")));

      // Assess
      expect([first.statusCode, inWindow.statusCode, afterWindow.statusCode]).toEqual([202, 409, 202]);
    });

    it("returns 409 for a batch holding a replayed event and releases the claims of its other events", async () => {
      // Prepare
      await rig.invoke(post(TOKEN_A, taskRunEvent("replay-4", "uid-replay-4")));
      await rig.drain();
      const fresh = taskRunEvent("fresh-1", "uid-fresh-1");

      // Act
      const batch = await rig.invoke(post(TOKEN_A, [fresh, taskRunEvent("replay-4", "uid-replay-4")]));
      const alone = await rig.invoke(post(TOKEN_A, fresh));

      // Assess
      expect(batch.statusCode).toBe(409);
      expect(alone.statusCode).toBe(202);
      expect((await rig.drain()).map((r) => r.groupId)).toEqual(["cluster-a/uid-fresh-1"]);
    });

    it("returns 503 and releases the claim when SQS refuses, so the same event can be sent again", async () => {
      // Prepare
      const broken = rig.handlerWith({ queueUrl: rig.emulators.queueUrl.replace(/events\.fifo$/, "missing.fifo") });
      const event = taskRunEvent("replay-5", "uid-replay-5");

      // Act
      const failed = await broken(post(TOKEN_B, event));
      const resent = await rig.invoke(post(TOKEN_B, event));

      // Assess
      expect(failed.statusCode).toBe(503);
      expect(resent.statusCode).toBe(202);
      expect(await rig.drain()).toHaveLength(1);
    });
  });
});
