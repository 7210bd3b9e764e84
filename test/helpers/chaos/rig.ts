/**
 * The running parts of a chaos run and what the driver asks of them: the
 * fake API server and GitHub, the local stack, the relay (replaced on a
 * restart) and its sink, plus the queue depth and a progress line.
 */
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { LocalStack } from "../../../cli/local/stack";
import type { FeedbackConfig } from "../../../shared/config";
import type { KubeObject } from "../../../shared/envelope";
import type { Log } from "../../../shared/log";
import { Relay } from "../../../relay/relay";
import { SqsOperationSource } from "../../../shared/operations";
import type { FakeKubeApiServer } from "../fake-kube";
import type { FakeGitHubServer } from "../fake-scm";
import { heldMessages } from "../fauxqs-inspect";
import type { ChaosSink } from "./sink";

export const SILENT: Log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

export class ChaosRig {
  relay: Relay;
  readonly #sqs = new SQSClient({ useQueueUrlAsEndpoint: false });

  constructor(
    readonly kube: FakeKubeApiServer,
    readonly github: FakeGitHubServer,
    readonly stack: LocalStack,
    readonly sink: ChaosSink,
    readonly config: FeedbackConfig,
  ) {
    this.relay = this.#newRelay();
  }

  /** A fresh relay on the same sink: what a restarted pod (or a new leader) runs. */
  async restartRelay(): Promise<void> {
    this.relay = this.#newRelay();
    await this.relay.start(this.kube.kubeConfig());
  }

  /** Writes one object version as its controller would: a CommitStatus keeps the status the sync wrote back. */
  write(object: KubeObject): void {
    if (object.kind !== "CommitStatus") {
      this.kube.apply(object);
      return;
    }
    const current = this.kube.get({ apiVersion: object.apiVersion, kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name });
    this.kube.apply({ ...object, ...(current?.status === undefined ? {} : { status: current.status }) });
  }

  /**
   * Puts a message on the queue that no retry can fix: an envelope without
   * its event type, naming a Job `name`. The process function must send it
   * to the DLQ as an invalid envelope, and hold up nothing else.
   */
  async sendPoison(name: string): Promise<void> {
    const body = { v: 1, cluster: this.config.cluster, apiVersion: "batch/v1", kind: "Job", object: { apiVersion: "batch/v1", kind: "Job", metadata: { name, uid: name } } };
    await this.#sqs.send(
      new SendMessageCommand({
        QueueUrl: this.stack.emulators.queueUrl,
        MessageBody: JSON.stringify(body),
        MessageGroupId: `${this.config.cluster}/${name}`,
        MessageDeduplicationId: name,
      }),
    );
  }

  /**
   * Messages waiting, in flight or delayed, as the queue counts them. What
   * the sink sent is no measure: FIFO deduplication drops a re-list's repeats.
   */
  async queueDepth(): Promise<number> {
    const { Attributes = {} } = await this.#sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.stack.emulators.queueUrl,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"],
      }),
    );
    return Object.values(Attributes).reduce((sum, value) => sum + Number(value ?? 0), 0);
  }

  /** Operations waiting for the relay (`via: relay`): ready, delayed or in flight. Zero otherwise. */
  async operationsPending(): Promise<number> {
    if (this.config.kubernetes.via !== "relay") return 0;
    return (await heldMessages(this.stack.emulators.sqsEndpoint, this.stack.emulators.operationsQueueUrl)).length;
  }

  async progress(): Promise<string> {
    const { sink, stack, relay, kube } = this;
    const held = await heldMessages(stack.emulators.sqsEndpoint, stack.emulators.queueUrl).catch(() => undefined);
    const cursors = relay.watchers.map((w) => w.resourceVersion ?? "-").join("/");
    return (
      `${sink.stats.messages} messages sent, ${held ? held.length : "?"} on the queue, ` +
      `${stack.poller.stats.records} received in ${stack.poller.stats.invocations} invocations, relay buffer ${relay.bufferDepth}, ` +
      `${kube.openWatches} watches open, revision ${kube.resourceVersion} (relay at ${cursors})`
    );
  }

  async stop(): Promise<void> {
    await this.relay.stop({ timeoutMs: 1_000 });
    // Before the emulators go: what its last receive brings goes back to the queue.
    await this.relay.writeBack?.released;
    this.#sqs.destroy();
  }

  #newRelay(): Relay {
    const { cluster, watch } = this.config;
    // via: relay: each relay (a restarted one too) applies the operations queued for the cluster.
    const writeBack =
      this.config.kubernetes.via === "relay" ? { writeBack: { source: new SqsOperationSource({ queueUrl: this.stack.emulators.operationsQueueUrl }), waitSeconds: 1 } } : {};
    return new Relay({ cluster, watch, sink: this.sink, log: SILENT, watcher: { baseDelayMs: 50, maxDelayMs: 500, relistJitterMs: 50 }, ...writeBack });
  }
}
