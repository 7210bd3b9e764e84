/**
 * The local stack as the benchmarks use it: the same parts as
 * `startLocalStack` (fauxqs and dynalite in-process, the real process
 * handler behind the Lambda-like poller, the real relay), plus a clock
 * around each invocation — the billed duration the cost estimate needs,
 * which the CLI's stack has no reason to expose — and a sink of choice.
 */
import type { Context, SQSEvent } from "aws-lambda";
import { startEmulators, type Emulators } from "../cli/local/emulators";
import { LocalPoller } from "../cli/local/poller";
import { createHandler } from "../functions/process/handler";
import type { FeedbackConfig } from "../shared/config";
import { EnvelopeType, type KubeObject } from "../shared/envelope";
import type { Log } from "../shared/log";
import type { PipelineInfo } from "../shared/pipeline/types";
import type { ProcessHandlerOptions } from "../shared/process/batch";
import { LifecycleEvent, type Receiver, type ReceiverContext } from "../shared/receivers";
import { EventStatus, newEventProcessStatus, type Handler, type StatusChannel } from "../shared/status";
import { Relay } from "../relay/relay";
import { SqsSink, type Sink } from "../relay/sinks";

export const SILENT: Log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

export interface BenchStack {
  emulators: Emulators;
  poller: LocalPoller;
  relay: Relay;
  /** Messages the sink put on the queue so far. */
  sent(): number;
  /** Invocations of the process handler and the time spent in them. */
  clock: { invocations: number; records: number; handlerMs: number };
  stop(): Promise<void>;
}

export interface BenchStackOptions {
  config: FeedbackConfig;
  /** Called once the emulators run, so a store can be built on a client that reaches them. */
  process?: (emulators: Emulators) => Omit<ProcessHandlerOptions, "config">;
  /** Defaults to the relay's SQS sink. */
  sink?: (queueUrl: string) => Sink;
}

export const startBenchStack = async (options: BenchStackOptions): Promise<BenchStack> => {
  const emulators = await startEmulators();
  process.env.QUEUE_URL = emulators.queueUrl;
  process.env.DLQ_URL = emulators.dlqUrl;
  process.env.TABLE_NAME = emulators.tableName;
  const handler = createHandler({ ...options.process?.(emulators), config: options.config });
  const clock = { invocations: 0, records: 0, handlerMs: 0 };
  const timed = async (event: SQSEvent, context: Context) => {
    const started = performance.now();
    try {
      return await handler(event, context);
    } finally {
      clock.handlerMs += performance.now() - started;
      clock.invocations++;
      clock.records += event.Records.length;
    }
  };
  const poller = new LocalPoller({ queueUrl: emulators.queueUrl, queueArn: emulators.queueArn, handler: timed });
  poller.start();
  const sink = options.sink?.(emulators.queueUrl) ?? new SqsSink({ queueUrl: emulators.queueUrl });
  const relay = new Relay({ cluster: options.config.cluster, watch: options.config.watch, sink, log: SILENT });
  const stats = (sink as { stats?: { messages?: number } }).stats;
  return {
    emulators,
    poller,
    relay,
    sent: () => stats?.messages ?? relay.sent,
    clock,
    stop: async () => {
      await relay.stop();
      await poller.stop();
      await emulators.stop();
    },
  };
};

/** Counts callbacks and does nothing else: the receiver whose own cost is nil. */
export class CountingReceiver implements Receiver {
  readonly name: string;
  calls = 0;
  lifecycleCalls = 0;
  readonly #progress: boolean;

  /**
   * `progress: false`: it takes created, started and finished only. Then it
   * adds no call of its own: its marks ride on the writes of the receiver
   * under measure, whose lifecycle calls come due on the same events.
   */
  constructor(name: string, options: { progress?: boolean } = {}) {
    this.name = name;
    this.#progress = options.progress ?? true;
  }

  handles(event: LifecycleEvent): boolean {
    return this.#progress || event !== LifecycleEvent.Progress;
  }

  async whenCreated(_ctx: ReceiverContext, _info: PipelineInfo): Promise<void> {
    this.calls++;
    this.lifecycleCalls++;
  }
  async whenStarted(_ctx: ReceiverContext, _info: PipelineInfo): Promise<void> {
    this.calls++;
    this.lifecycleCalls++;
  }
  async updateProgress(_ctx: ReceiverContext, _info: PipelineInfo): Promise<void> {
    this.calls++;
  }
  async whenFinished(_ctx: ReceiverContext, _info: PipelineInfo): Promise<void> {
    this.calls++;
    this.lifecycleCalls++;
  }
}

const close = (ch: StatusChannel) => newEventProcessStatus().withStatus(EventStatus.Completed).sendClose(ch);

/** A handler that closes its channel at once: what the path costs without any work. */
export const noopHandler: Handler = {
  name: "noop",
  added: (_ctx, _obj, ch) => close(ch),
  updated: (_ctx, _obj, _old, ch) => close(ch),
  deleted: (_ctx, _obj, ch) => close(ch),
  onStatus: async () => undefined,
};

/** Ships object versions through the relay as watch events (ADDED first, then MODIFIED) and waits until they are sent. */
export const ship = async (relay: Relay, objects: readonly KubeObject[]): Promise<void> => {
  const seen = new Set<string>();
  let revision = 1000;
  for (const object of objects) {
    const uid = object.metadata.uid;
    const type = seen.has(uid) ? EnvelopeType.Modified : EnvelopeType.Added;
    seen.add(uid);
    await relay.ship(type, { ...object, metadata: { ...object.metadata, resourceVersion: String(++revision) } });
  }
  await relay.flush();
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once invocations have handled as many records as the sink sent (a clean run has no retries), or rejects after `timeoutMs`. */
export const processed = async (stack: BenchStack, timeoutMs = 120_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (stack.clock.records - stack.poller.stats.failures < stack.sent()) {
    if (Date.now() > deadline) throw new Error(`benchmark: ${stack.clock.records} of ${stack.sent()} messages handled in ${timeoutMs} ms`);
    await sleep(2);
  }
};
