import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { messageDeduplicationId, messageGroupId, signBody } from "../../shared/envelope";
import { IngestSettingError, resolveIngestSettings } from "../../shared/ingest";
import { StoreKey } from "../../shared/store";
import {
  ADMISSION_TOKEN,
  CLOUDEVENTS_TOKEN,
  CLUSTER,
  envelopeOf,
  httpEvent,
  job,
  NOW_SECONDS,
  SECRET,
  useIngest,
  type Json,
} from "../helpers/ingest-harness";

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
