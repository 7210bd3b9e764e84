import { randomUUID } from "node:crypto";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { makeEnvelope, messageGroupId, type EnvelopeType, type KubeObject } from "../../shared/envelope";

/** An SQS record exactly as Lambda's event source delivers it, carrying one envelope. */
export const sqsRecord = (
  cluster: string,
  type: EnvelopeType,
  object: KubeObject,
  receiveCount = 1,
  body?: string,
): SQSRecord => {
  const envelope = makeEnvelope(cluster, type, object);
  return {
    messageId: randomUUID(),
    receiptHandle: randomUUID(),
    body: body ?? JSON.stringify(envelope),
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: String(Date.now()),
      SenderId: "test",
      ApproximateFirstReceiveTimestamp: String(Date.now()),
      MessageGroupId: messageGroupId(envelope),
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:kube-feedback-events.fifo",
    awsRegion: "us-east-1",
  };
};

export const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

/** A record of `object` in cluster "unit" with a readable message id (and receipt handle). */
export const namedRecord = (
  object: KubeObject,
  options: { messageId: string; receiveCount?: number; body?: string; type?: EnvelopeType },
): SQSRecord => ({
  ...sqsRecord("unit", options.type ?? "ADDED", object, options.receiveCount ?? 1, options.body),
  messageId: options.messageId,
  receiptHandle: `receipt-${options.messageId}`,
});

/** The message ids a partial batch response reports failed, in order. */
export const failedIds = (response: { batchItemFailures: Array<{ itemIdentifier: string }> }): string[] =>
  response.batchItemFailures.map((f) => f.itemIdentifier);
