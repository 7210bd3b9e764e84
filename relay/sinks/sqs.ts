import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { chunkBySize, envelopeBody, messageDeduplicationId, messageGroupId, SQS_LIMITS, type Envelope } from "../../shared/envelope";
import { mergeReports, type SendReport, type Sink } from "./types";

export interface SqsSinkOptions {
  queueUrl: string;
  /** Defaults to a client from the environment (IRSA in the cluster, AWS_ENDPOINT_URL_SQS locally). */
  client?: SQSClient;
  /** Sum of message bodies per SendMessageBatch request. */
  maxBatchBytes?: number;
  /** SendMessageBatch requests in flight at once, each message group in order (buffer.ts); 4 by default. */
  concurrency?: number;
}

/**
 * One request at a time spends most of its time waiting for SQS's answer; a
 * few at once keep a busy cluster's events moving, far below the 300
 * SendMessageBatch requests (3,000 messages) per second a FIFO queue takes
 * without high throughput mode
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/troubleshooting-fifo-throttling-issues.html).
 */
const DEFAULT_CONCURRENCY = 4;

interface Entry {
  id: string;
  envelope: Envelope;
  body: string;
  bytes: number;
}

/**
 * Sends envelopes to the FIFO queue with SendMessageBatch, split so no
 * request exceeds ten entries or the batch byte limit. One attempt per
 * call: the buffer owns retries, so a throttled or failed entry comes back
 * as `retry`. Entries SQS refuses as the sender's fault (`SenderFault`,
 * e.g. a body over the queue's MaximumMessageSize) would be refused forever
 * and block their message group, so they are reported as rejected.
 * FIFO deduplication makes a resend of an entry that did arrive harmless.
 */
export class SqsSink implements Sink {
  readonly name = "sqs";
  readonly concurrency: number;
  readonly #sqs: SQSClient;
  readonly #queueUrl: string;
  readonly #maxBatchBytes: number;
  /** Requests and messages sent, for the summary and benchmarks. */
  readonly stats = { requests: 0, messages: 0 };

  constructor(options: SqsSinkOptions) {
    if (!options.queueUrl) throw new Error("sqs sink: queueUrl cannot be empty");
    // fauxqs and LocalStack hand out queue URLs whose host does not resolve; the endpoint comes from the SDK's settings.
    this.#sqs = options.client ?? new SQSClient({ useQueueUrlAsEndpoint: false });
    this.#queueUrl = options.queueUrl;
    this.#maxBatchBytes = options.maxBatchBytes ?? SQS_LIMITS.batchBytes;
    this.concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  }

  async send(envelopes: readonly Envelope[]): Promise<SendReport> {
    // The JSON the relay measured when it fitted the envelope (envelopeBody), not a second stringify.
    const entries = envelopes.map((envelope, index): Entry => ({ id: String(index), envelope, ...envelopeBody(envelope) }));
    const reports: SendReport[] = [];
    for (const chunk of chunkBySize(entries, SQS_LIMITS.batchEntries, this.#maxBatchBytes)) reports.push(await this.#sendChunk(chunk));
    return mergeReports(reports);
  }

  async #sendChunk(chunk: readonly Entry[]): Promise<SendReport> {
    this.stats.requests++;
    try {
      const out = await this.#sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.#queueUrl,
          Entries: chunk.map(({ id, envelope, body }) => ({
            Id: id,
            MessageBody: body,
            MessageGroupId: messageGroupId(envelope),
            MessageDeduplicationId: messageDeduplicationId(envelope),
          })),
        }),
      );
      const failed = new Map((out.Failed ?? []).map((f) => [f.Id, f]));
      const report: SendReport = { sent: 0, retry: [], rejected: [] };
      for (const entry of chunk) {
        const failure = failed.get(entry.id);
        if (!failure) report.sent++;
        else if (failure.SenderFault) report.rejected.push({ envelope: entry.envelope, reason: `${failure.Code}: ${failure.Message}` });
        else report.retry.push(entry.envelope);
      }
      if (report.retry.length > 0) {
        report.detail = [...failed.values()].filter((f) => !f.SenderFault).map((f) => `${f.Code}: ${f.Message}`).join("; ");
      }
      this.stats.messages += report.sent;
      return report;
    } catch (error) {
      return { sent: 0, retry: chunk.map((e) => e.envelope), rejected: [], detail: (error as Error).message || String(error) };
    }
  }
}
