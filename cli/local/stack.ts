import { createHandler } from "../../functions/process/handler";
import type { FeedbackConfig } from "../../shared/config";
import { logger, type Log } from "../../shared/log";
import type { ProcessHandlerOptions } from "../../shared/process/handler";
import { Relay } from "../../relay/relay";
import { SqsSink } from "../../relay/sink";
import { startEmulators, type EmulatorOptions, type Emulators } from "./emulators";
import { LocalPoller } from "./poller";

export interface LocalStackOptions extends EmulatorOptions {
  config: FeedbackConfig;
  /** Passed to the process handler factory (tests inject receivers here). */
  process?: Omit<ProcessHandlerOptions, "config">;
  log?: Log;
}

export interface LocalStack {
  emulators: Emulators;
  poller: LocalPoller;
  relay: Relay;
  sink: SqsSink;
  stop(): Promise<void>;
}

/**
 * The whole path on one machine: emulators, the real process handler behind
 * a Lambda-like poller, and a relay whose sink is the emulated FIFO queue.
 */
export const startLocalStack = async (options: LocalStackOptions): Promise<LocalStack> => {
  const log = options.log ?? logger;
  const emulators = await startEmulators(options);
  // The process function reads these settings exactly as it does on Lambda.
  process.env.QUEUE_URL = emulators.queueUrl;
  process.env.DLQ_URL = emulators.dlqUrl;
  process.env.TABLE_NAME = emulators.tableName;

  const handler = createHandler({ ...options.process, config: options.config });
  const poller = new LocalPoller({ queueUrl: emulators.queueUrl, queueArn: emulators.queueArn, handler }, (error) =>
    log.error("process invocation failed", { error: (error as Error).message }),
  );
  poller.start();
  const sink = new SqsSink({ queueUrl: emulators.queueUrl });
  const relay = new Relay({ cluster: options.config.cluster, watch: options.config.watch, sink, log });
  return {
    emulators,
    poller,
    relay,
    sink,
    stop: async () => {
      await relay.stop();
      await poller.stop();
      await emulators.stop();
    },
  };
};
