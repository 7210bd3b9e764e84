import { UsageError } from "./errors";

/** Where the ops commands write, and the environment they read settings from. */
export interface OpsIo {
  out(text: string): void;
  /** Progress and warnings, so that `out` stays parseable. */
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  /** Progress redraws one line on a terminal and prints sparse lines otherwise. */
  isTTY?: boolean;
  now?: () => number;
}

export const processIo = (): OpsIo => ({
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  env: process.env,
  isTTY: process.stderr.isTTY === true,
});

/** A flag's value, else the environment variable, else a UsageError naming both. */
export const setting = (io: OpsIo, flag: string, value: string | undefined, variable: string, what: string): string => {
  const resolved = value ?? io.env[variable];
  if (!resolved) throw new UsageError(`--${flag}`, `${what} is not set (pass --${flag} or set ${variable})`);
  return resolved;
};

/**
 * The queues a `dlq` command works on, by the variables that name them: the
 * events' by default; with `--operations`, the relay operations' of
 * `kubernetes.via: relay` (the stack's OperationsQueueUrl and
 * OperationsDlqUrl outputs), where SQS moves an operation the relay could
 * not apply after `operationsMaxReceiveCount` receives.
 */
export const dlqQueues = (operations: boolean | undefined) =>
  operations
    ? ({ queue: "OPERATIONS_QUEUE_URL", dlq: "OPERATIONS_DLQ_URL", queueName: "the operations queue", dlqName: "the operations dead-letter queue" } as const)
    : ({ queue: "QUEUE_URL", dlq: "DLQ_URL", queueName: "the main queue", dlqName: "the dead-letter queue" } as const);

const UNIT_SECONDS = { s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 } as const;

/** `90s`, `15m`, `1h`, `2d`, `1w` → milliseconds. */
export const parseDuration = (flag: string, text: string): number => {
  const match = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(text.trim());
  if (!match) throw new UsageError(`--${flag}`, `"${text}" is not a duration such as 30m, 1h or 2d`);
  return Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS] * 1000;
};

export const parsePositiveInt = (flag: string, text: string | undefined, fallback: number): number => {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`--${flag}`, `"${text}" is not a positive whole number`);
  return value;
};

/**
 * The region of an AWS queue URL (`https://sqs.eu-west-1.amazonaws.com/…`).
 * The SQS client is built with `useQueueUrlAsEndpoint: false` so that
 * AWS_ENDPOINT_URL_SQS (emulators) wins; the URL then no longer picks the
 * region, so it is read here when nothing else sets one.
 */
export const regionOfQueueUrl = (url: string): string | undefined =>
  /^https:\/\/sqs[.-]([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\//.exec(url)?.[1];

export const sqsClientConfig = (io: OpsIo, region: string | undefined, queueUrl: string) => {
  const chosen = region ?? (io.env.AWS_REGION ? undefined : regionOfQueueUrl(queueUrl));
  return { useQueueUrlAsEndpoint: false, ...(chosen ? { region: chosen } : {}) };
};
