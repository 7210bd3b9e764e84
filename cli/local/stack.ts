import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createHandler } from "../../functions/process/handler";
import type { FeedbackConfig } from "../../shared/config";
import { logger, type Log } from "../../shared/log";
import type { ProcessHandlerOptions } from "../../shared/process/batch";
import type { ReceiverStartFailure } from "../../shared/receivers";
import { Relay } from "../../relay/relay";
import { SqsSink } from "../../relay/sink";
import { SqsOperationSource } from "../../shared/operations";
import { startEmulators, type EmulatorOptions, type Emulators } from "./emulators";
import { reopenOrphanedClaims } from "./orphaned-claims";
import { LocalPoller } from "./poller";
import { StateSweeper, type SweeperOptions } from "./sweeper";

export interface LocalStackOptions extends EmulatorOptions {
  config: FeedbackConfig;
  /** Passed to the process handler factory (tests inject receivers here). */
  process?: Omit<ProcessHandlerOptions, "config">;
  log?: Log;
  /** How often expired state is swept from the emulated table (dynalite has no TTL expiry). */
  sweeper?: Pick<SweeperOptions, "intervalMs" | "maxDeletesPerSweep">;
}

export interface LocalStack {
  emulators: Emulators;
  poller: LocalPoller;
  relay: Relay;
  sink: SqsSink;
  sweeper: StateSweeper;
  /** Starts every receiver now, as a cold start would; resolves to those that could not start. */
  startReceivers(): Promise<readonly ReceiverStartFailure[]>;
  stop(): Promise<void>;
}

/**
 * The whole path on one machine: emulators, the real process handler behind
 * a Lambda-like poller, a relay whose sink is the emulated FIFO queue, and a
 * sweeper that expires state the way DynamoDB's TTL would.
 */
export const startLocalStack = async (options: LocalStackOptions): Promise<LocalStack> => {
  const log = options.log ?? logger;
  const emulators = await startEmulators(options);
  // The process function reads these settings exactly as it does on Lambda.
  process.env.QUEUE_URL = emulators.queueUrl;
  process.env.DLQ_URL = emulators.dlqUrl;
  process.env.TABLE_NAME = emulators.tableName;
  // Read, like the others, only when the config's cluster is reached through its relay.
  process.env.OPERATIONS_QUEUE_URL = emulators.operationsQueueUrl;
  process.env.OPERATIONS_DLQ_URL = emulators.operationsDlqUrl;

  const dynamo = new DynamoDBClient({ endpoint: emulators.dynamoEndpoint });
  const sweeper = new StateSweeper({
    ...options.sweeper,
    tableName: emulators.tableName,
    client: dynamo,
    onError: (error) => log.warn("sweeping expired state failed", { error: (error as Error).message }),
  });
  if (emulators.stateDir) {
    // A persisted table: what expired while nothing ran goes now, and the
    // calls a killed process left claimed are reopened before any event is read.
    try {
      await sweeper.sweep();
      const reopened = await reopenOrphanedClaims({ tableName: emulators.tableName, client: dynamo });
      if (reopened > 0) log.info("reopened callbacks left in flight by the previous run", { reopened, stateDir: emulators.stateDir });
    } catch (error) {
      dynamo.destroy();
      await emulators.stop();
      throw error;
    }
  }
  sweeper.start();

  const handler = createHandler({ ...options.process, config: options.config });
  const poller = new LocalPoller({ queueUrl: emulators.queueUrl, queueArn: emulators.queueArn, handler }, (error) =>
    log.error("process invocation failed", { error: (error as Error).message }),
  );
  poller.start();
  const sink = new SqsSink({ queueUrl: emulators.queueUrl });
  // kubernetes.via: relay: the relay applies what the process side queues for its cluster, as in the cluster.
  // Polled every second, as the poller polls the events: a stop then waits at most that long for a receive in flight.
  const writeBack =
    options.config.kubernetes.via === "relay" ? { source: new SqsOperationSource({ queueUrl: emulators.operationsQueueUrl }), waitSeconds: 1 } : undefined;
  const relay = new Relay({ cluster: options.config.cluster, watch: options.config.watch, sink, log, ...(writeBack ? { writeBack } : {}) });
  return {
    emulators,
    poller,
    relay,
    sink,
    sweeper,
    startReceivers: async () => (await handler.warm()).receiverFailures ?? [],
    stop: async () => {
      await relay.stop();
      // Within the second its operations are polled: the queue must still be there to take them back.
      await relay.writeBack?.released;
      await poller.stop();
      await sweeper.stop();
      dynamo.destroy();
      await emulators.stop();
    },
  };
};
