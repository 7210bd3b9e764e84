import type { AddressInfo } from "node:net";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { buildApp } from "fauxqs";
import { ensureStateTable } from "../../shared/store";
import { closeDynaliteIterators } from "./dynalite-iterators";
import { openStateDir, type StateDir } from "./state-dir";

export interface Emulators {
  sqsEndpoint: string;
  dynamoEndpoint: string;
  queueUrl: string;
  queueArn: string;
  dlqUrl: string;
  /** The operations queue of the config's own cluster (`kubernetes.via: relay`), as serverless.yml declares it. */
  operationsQueueUrl: string;
  /** Where SQS moves an operation after its `maxReceiveCount` receives (`kube-feedback dlq list --operations`). */
  operationsDlqUrl: string;
  tableName: string;
  /** The directory the DynamoDB emulator persists to, held by this process; undefined: in memory. */
  stateDir?: string;
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  /** Receives after which SQS itself moves a message to the DLQ (the app's own limit comes first). */
  maxReceiveCount?: number;
  visibilityTimeoutSeconds?: number;
  /**
   * Keeps the DynamoDB emulator's data in this directory (LevelDB on disk,
   * dynalite's `path` option) so that a restart remembers what it told whom.
   * Undefined: in memory, gone with the process.
   */
  stateDir?: string;
}

/** The only interface the emulators listen on: they take unsigned requests from anyone who reaches them. */
export const LOOPBACK = "127.0.0.1";

/**
 * fauxqs' own `startFauxqs` listens on 0.0.0.0 whatever `host` says (fauxqs
 * 1.9.2, dist/app.js: `app.listen({ port, host: "0.0.0.0" })`; its `host`
 * only names the host in queue URLs), so anyone on the network could send
 * forged events. Its exported Fastify app is bound here instead, on loopback
 * only. Queue URLs keep the `sqs.<region>.127.0.0.1:PORT` form they had;
 * clients reach them with `useQueueUrlAsEndpoint: false`.
 */
const startSqs = async (): Promise<{ port: number; stop(): Promise<void> }> => {
  const app = buildApp({ logger: false, host: LOOPBACK });
  await app.listen({ port: 0, host: LOOPBACK });
  return {
    port: (app.server.address() as AddressInfo).port,
    stop: async () => {
      await app.close();
    },
  };
};

/**
 * Starts the SQS (fauxqs) and DynamoDB (dynalite) emulators in this process
 * on free loopback ports and points the AWS SDK at them through its own
 * endpoint variables, then creates the queues and the table the way
 * serverless.yml declares them, over the real wire protocol.
 */

const FIFO = { FifoQueue: "true", ContentBasedDeduplication: "false" };
const arnOf = async (sqs: SQSClient, queueUrl: string | undefined): Promise<string> =>
  (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }))).Attributes?.QueueArn ?? "";

/** A FIFO queue and the dead-letter queue it redrives to, named as serverless.yml names them. */
const fifoWithDeadLetters = async (
  sqs: SQSClient,
  names: { queue: string; dlq: string },
  settings: { visibilityTimeoutSeconds: number; maxReceiveCount: number },
): Promise<{ queueUrl: string; queueArn: string; dlqUrl: string }> => {
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: names.dlq, Attributes: FIFO }));
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: names.queue,
      Attributes: {
        ...FIFO,
        VisibilityTimeout: String(settings.visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await arnOf(sqs, dlq.QueueUrl), maxReceiveCount: settings.maxReceiveCount }),
      },
    }),
  );
  return { queueUrl: queue.QueueUrl!, queueArn: await arnOf(sqs, queue.QueueUrl), dlqUrl: dlq.QueueUrl! };
};

export const startEmulators = async (options: EmulatorOptions = {}): Promise<Emulators> => {
  // First: a directory that cannot be used stops the start before anything listens.
  const state: StateDir | undefined = options.stateDir === undefined ? undefined : await openStateDir(options.stateDir);
  const sqsServer = await startSqs();
  // Without it every Scan pins the table in memory and the state sweeper could free nothing.
  closeDynaliteIterators();
  const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(state ? { path: state.dynamoPath } : {}) });
  await new Promise<void>((resolve) => dynamo.listen(0, LOOPBACK, resolve));

  const sqsEndpoint = `http://${LOOPBACK}:${sqsServer.port}`;
  const dynamoEndpoint = `http://${LOOPBACK}:${(dynamo.address() as AddressInfo).port}`;
  process.env.AWS_ENDPOINT_URL_SQS = sqsEndpoint;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamoEndpoint;
  process.env.AWS_REGION ??= "us-east-1";
  process.env.AWS_ACCESS_KEY_ID ??= "local";
  process.env.AWS_SECRET_ACCESS_KEY ??= "local";

  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  const events = await fifoWithDeadLetters(sqs, { queue: "kube-feedback-events.fifo", dlq: "kube-feedback-dlq.fifo" }, {
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 30,
    maxReceiveCount: options.maxReceiveCount ?? 10,
  });
  const operations = await fifoWithDeadLetters(sqs, { queue: "kube-feedback-operations.fifo", dlq: "kube-feedback-operations-dlq.fifo" }, { visibilityTimeoutSeconds: 30, maxReceiveCount: 20 });
  sqs.destroy();

  const tableName = "kube-feedback-state";
  const ddb = new DynamoDBClient({});
  // A persisted directory already has the table: creating it again is a no-op.
  await ensureStateTable(ddb, tableName);
  ddb.destroy();

  return {
    sqsEndpoint,
    dynamoEndpoint,
    queueUrl: events.queueUrl,
    queueArn: events.queueArn,
    dlqUrl: events.dlqUrl,
    operationsQueueUrl: operations.queueUrl,
    operationsDlqUrl: operations.dlqUrl,
    tableName,
    ...(state ? { stateDir: state.dir } : {}),
    stop: async () => {
      await sqsServer.stop();
      await new Promise<void>((resolve) => dynamo.close(() => resolve()));
      // Only once dynalite has closed its store: the next holder may open it.
      await state?.release();
    },
  };
};
