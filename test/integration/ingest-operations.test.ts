import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulators, type Emulators } from "../../cli/local/emulators";
import { createHandler } from "../../functions/ingest/handler";
import { IngestOperationSource } from "../../relay/writeback";
import { resolveIngestSettings } from "../../shared/ingest";
import { makeOperation, parseOperation, SqsOperationSender } from "../../shared/operations";
import { heldMessages } from "../helpers/fauxqs-inspect";
import { startIngestFront, type IngestFront } from "../helpers/ingest-front";
import { RecordingLog } from "../helpers/ingest-harness";

const SECRET = "hmac-key-0123456789abcdef0123456789";
const CLUSTER = "private";

describe("Routes: POST /operations/receive and /operations/ack (relays on the webhook sink)", () => {
  let emulators: Emulators;
  let front: IngestFront;
  const log = new RecordingLog();

  beforeAll(async () => {
    emulators = await startEmulators();
    const settings = await resolveIngestSettings({
      cluster: CLUSTER,
      env: {
        INGEST_SECRET: SECRET,
        ADMISSION_TOKEN: "admission-token-0123456789abcdef",
        CLOUDEVENTS_TOKEN: "cloudevents-token-0123456789abcdef",
        QUEUE_URL: emulators.queueUrl,
        TABLE_NAME: emulators.tableName,
        OPERATIONS_QUEUE_URL: emulators.operationsQueueUrl,
      },
    });
    front = await startIngestFront(createHandler({ settings, log }));
  });

  afterAll(async () => {
    await front?.stop();
    await emulators?.stop();
  });

  it("hands a relay its cluster's operations with receipt handles, deletes what it applied and puts back what must wait", async () => {
    // Prepare
    const sender = new SqsOperationSender({ queueUrl: emulators.operationsQueueUrl });
    const first = makeOperation(CLUSTER, { op: "patchStatus", namespace: "apps", name: "a", uid: "uid-a", status: { isSynced: true } });
    const second = makeOperation(CLUSTER, { op: "patchStatus", namespace: "apps", name: "b", uid: "uid-b", status: { isSynced: true } });
    await sender.send(first);
    await sender.send(second);
    const source = new IngestOperationSource({ eventsUrl: front.eventsUrl, secret: SECRET, cluster: CLUSTER });

    // Act
    const received = await source.receive(1, AbortSignal.timeout(10_000));
    const [a, b] = received;
    await source.settle({ done: [a!.handle], retry: [{ handle: b!.handle, delaySeconds: 0 }] });
    const left = await heldMessages(emulators.sqsEndpoint, emulators.operationsQueueUrl);

    // Assess
    expect(received.map((m) => parseOperation(m.body))).toEqual([first, second]);
    expect(received.every((m) => m.receiveCount === 1 && m.handle !== "")).toBe(true);
    expect(left.map((m) => parseOperation(m.body))).toEqual([second]);
  });

  it("answers 404 to a relay of a cluster with no operations queue here", async () => {
    // Prepare
    const source = new IngestOperationSource({ eventsUrl: front.eventsUrl, secret: SECRET, cluster: "elsewhere" });

    // Act & Assess
    await expect(source.receive(0, AbortSignal.timeout(10_000))).rejects.toThrow(/ingest answered 404: no operations queue for cluster "elsewhere"/);
  });

  it("answers 401 to a request signed with another key, and hands out nothing", async () => {
    // Prepare
    const sender = new SqsOperationSender({ queueUrl: emulators.operationsQueueUrl });
    await sender.send(makeOperation(CLUSTER, { op: "relist" }));
    const source = new IngestOperationSource({ eventsUrl: front.eventsUrl, secret: "another-key-0123456789abcdef", cluster: CLUSTER });

    // Act & Assess
    await expect(source.receive(0, AbortSignal.timeout(10_000))).rejects.toThrow(/ingest answered 401/);
    const held = await heldMessages(emulators.sqsEndpoint, emulators.operationsQueueUrl);
    expect(held.filter((m) => parseOperation(m.body).op === "relist").map((m) => m.approximateReceiveCount)).toEqual([0]);
  });
});
