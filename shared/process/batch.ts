import { processPartialResponse, SqsFifoPartialProcessorAsync } from "@aws-lambda-powertools/batch";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import type { KubeConfig } from "@kubernetes/client-node";
import { loadConfig, type FeedbackConfig } from "../config";
import type { Envelope } from "../envelope";
import { logger, withKeys } from "../log";
import { recordRetry, UNPARSED_KIND } from "../metrics";
import { CommitStatusHandler, GitRepoHandler, isCommitStatusKind, isGitRepoKind, providerCache, type CommitStatusApi, type CredentialsResolver } from "../commitstatus";
import { isPipelineKind } from "../pipeline/normalise";
import { PipelineHandler } from "../pipeline/pipeline-handler";
import { createReceivers, startReceivers, type ConfiguredReceiver, type ServiceContext } from "../receivers";
import { CachedStateStore, DynamoStateStore, StoreKey, storedAfterConflict, VersionConflictError, type StateStore } from "../store";
import { planBatch, skipSuperseded } from "./coalesce";
import { processRecord, type DispatchDeps, type Route } from "./dispatch";
import { commitStatusApis, type WriteBackOptions } from "./commitstatus-apis";
import { clusterKube, receiverKube, type ClusterKube } from "./kube-access";
import { handBackDelaySeconds, outOfTime } from "./deadline";
import { MissingSettingError, RetryLaterError } from "./errors";
import { SqsQueueOps, type QueueOps } from "./queue";

export interface ProcessHandlerOptions {
  /** Defaults to the file named by FEEDBACK_CONFIG, else the embedded default. */
  config?: FeedbackConfig;
  /** Defaults to the DynamoDB table named by TABLE_NAME. */
  store?: StateStore;
  /** Defaults to SQS with QUEUE_URL and DLQ_URL. */
  queue?: QueueOps;
  /** Defaults to the receivers the config names. */
  receivers?: ConfiguredReceiver[];
  /** Extra routes, tried before the built-in ones. */
  routes?: Route[];
  /** Kubernetes access to the config's own cluster (GitRepo reads, write-back); defaults to `kubernetes` in the config. */
  kube?: () => Promise<KubeConfig>;
  /** Reads GitRepo credentials references; defaults to SSM / Secrets Manager through Powertools. */
  credentials?: CredentialsResolver;
  /** Replaces the Kubernetes API of the CommitStatus sync (unit tests). */
  commitStatusApi?: CommitStatusApi;
  /** Clusters reached `kubernetes.via: relay`: where their operations go; defaults to OPERATIONS_QUEUE_URL(S). */
  writeBack?: WriteBackOptions;
  random?: () => number;
}

const setting = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new MissingSettingError(name);
  return value;
};

/** Writes of one receiver item lost to other writers before the error reaches the receiver. */
const RECEIVER_WRITE_ATTEMPTS = 3;
/** Versions remembered between a receiver's read and its write, at most this many. */
const RECEIVER_VERSIONS_KEPT = 256;

/**
 * The receivers' key-value view: a put replaces the item. It writes against
 * the version the receiver's last read of the key saw (no read of its own
 * then); a lost race retries against the item the conflict carries, read
 * only when it carries none.
 */
const receiverStore = (config: FeedbackConfig, store: StateStore): ServiceContext["store"] => {
  const versions = new Map<string, number | undefined>();
  return {
    get: async (key) => {
      const item = await store.get<Record<string, unknown>>(StoreKey.receiver(key));
      if (versions.size >= RECEIVER_VERSIONS_KEPT) versions.clear();
      versions.set(key, item?.version);
      return item?.data;
    },
    put: async (key, value, options) => {
      const pk = StoreKey.receiver(key);
      const ttl = options?.ttlSeconds ?? config.processing.stateTtlDays * 86_400;
      let version = versions.has(key) ? versions.get(key) : (await store.get(pk))?.version;
      versions.delete(key);
      for (let attempt = 1; ; attempt++) {
        try {
          await store.put(pk, value, version, ttl);
          return;
        } catch (error) {
          if (!(error instanceof VersionConflictError) || attempt >= RECEIVER_WRITE_ATTEMPTS) throw error;
          version = (await storedAfterConflict(store, error))?.version;
        }
      }
    },
  };
};

/** What receivers get at start: the logger, the config, Kubernetes access and a view of the state table. */
export const receiverServiceContext = (config: FeedbackConfig, store: StateStore, kube: () => Promise<KubeConfig>): ServiceContext => ({
  log: logger,
  config,
  kube,
  store: receiverStore(config, store),
});

/** The CommitStatus sync as both the process and the resync function use it: each cluster's objects through that cluster's API server. */
export const createCommitStatusHandler = (
  config: FeedbackConfig,
  store: StateStore,
  kube: ClusterKube,
  options: Pick<ProcessHandlerOptions, "commitStatusApi" | "credentials" | "writeBack">,
  apiFor = commitStatusApis({ config, store, kube, override: options.commitStatusApi, writeBack: options.writeBack }),
): CommitStatusHandler =>
  new CommitStatusHandler({ apiFor, providerFor: providerCache(options.credentials), store, processing: config.processing, log: logger });

/** Builds everything once per cold start; receivers are started here, each on its own. */
export const createDispatchDeps = async (options: ProcessHandlerOptions = {}): Promise<DispatchDeps> => {
  const config = options.config ?? loadConfig(process.env.FEEDBACK_CONFIG);
  const store = options.store ?? new DynamoStateStore({ tableName: setting("TABLE_NAME") });
  // Run items stay in the warm instance between invocations (shared/store/cache.ts says why that is safe).
  const runs = new CachedStateStore(store);
  const queue = options.queue ?? new SqsQueueOps({ queueUrl: setting("QUEUE_URL"), dlqUrl: setting("DLQ_URL") });
  const receivers = options.receivers ?? createReceivers(config);
  const kube = clusterKube(config, options.kube);
  // Each receiver starts on its own: one that cannot is reported and retried, the others are served.
  const started = await startReceivers(receivers, receiverServiceContext(config, store, receiverKube(config, kube)));
  const pipeline = new PipelineHandler({ config, store: runs, receivers: started.receivers });
  const apiFor = commitStatusApis({ config, store, kube, override: options.commitStatusApi, writeBack: options.writeBack });
  const commitStatus = createCommitStatusHandler(config, store, kube, options, apiFor);
  const gitRepo = new GitRepoHandler({ apiFor, commitStatus, store, closeWaitMs: config.processing.closeWaitMs });
  return {
    config,
    store,
    queue,
    routes: [
      ...(options.routes ?? []),
      { matches: isPipelineKind, handler: pipeline, keepsObject: true, coalesces: true, store: runs },
      { matches: isCommitStatusKind, handler: commitStatus, keepsObject: true },
      // No oldObj is needed for a GitRepo: nothing stored, no write.
      { matches: isGitRepoKind, handler: gitRepo, keepsObject: true },
    ],
    childLog: (keys) => withKeys(keys),
    receiverFailures: started.failures,
    ...(options.random ? { random: options.random } : {}),
  };
};

/**
 * The process function's core: an SQS FIFO batch in, a partial batch
 * response out. A message that must be retried holds back the rest of its
 * own message group in this batch, never other groups. Versions of a run
 * that a newer one in the batch supersedes are acknowledged without a call
 * (coalesce.ts).
 */
export const createBatchHandler = (options: ProcessHandlerOptions = {}) => {
  let deps: Promise<DispatchDeps> | undefined;
  /** Builds the dependencies now rather than at the first batch (local start-up, `run`). */
  const warm = (): Promise<DispatchDeps> =>
    (deps ??= createDispatchDeps(options).catch((error: unknown) => {
      deps = undefined;
      throw error;
    }));
  const handle = async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
    const ready = await warm();
    const attempted = new Set<string>();
    let started = false;
    const groupDelays = new Map<string, number>();
    const plan = planBatch(event.Records, ready.routes);
    const response = await processPartialResponse(
      event,
      async (record: SQSRecord) => {
        attempted.add(record.messageId);
        if (plan.superseded.has(record.messageId)) return skipSuperseded(record, plan, logger);
        try {
          // The first record is always started, or an invocation that begins short of time would hand back its batch for ever.
          if (started && outOfTime(context)) return await handBack(record, ready, plan.envelopes.get(record.messageId));
          started = true;
          return await processRecord(record, ready, plan.envelopes.get(record.messageId));
        } catch (error) {
          const group = record.attributes.MessageGroupId;
          if (group && !groupDelays.has(group) && error instanceof RetryLaterError && error.delaySeconds !== undefined) {
            groupDelays.set(group, error.delaySeconds);
          }
          throw error;
        }
      },
      new SqsFifoPartialProcessorAsync(),
      {
        ...(context ? { context } : {}),
        skipGroupOnError: true,
        throwOnFullBatchFailure: false,
      },
    );
    await holdBackWithHead(event, response, attempted, groupDelays, ready.queue);
    return response;
  };
  return Object.assign(handle, { warm });
};

/**
 * A record the invocation has no time left to handle (deadline.ts): back on
 * the queue after the backoff, not after the visibility timeout, nothing
 * called. The rest of its group is skipped behind it and held back as long,
 * as behind any RetryLaterError.
 */
const handBack = async (record: SQSRecord, deps: DispatchDeps, envelope: Envelope | undefined): Promise<never> => {
  const delay = handBackDelaySeconds(record, deps.config.processing, deps.random);
  const applied = await deps.queue.delay(record, delay).then(
    () => delay,
    (error: unknown) => {
      logger.warn("could not hand a record back early; it comes back after the visibility timeout", { messageId: record.messageId, error: (error as Error).message });
      return undefined;
    },
  );
  const meta = envelope?.object.metadata;
  logger.info("handed back unattempted: the invocation is nearly out of time", {
    messageId: record.messageId,
    cluster: envelope?.cluster,
    kind: envelope?.kind,
    namespace: meta?.namespace,
    name: meta?.name,
    uid: meta?.uid,
    delaySeconds: applied,
  });
  recordRetry(envelope?.kind ?? UNPARSED_KIND);
  throw new RetryLaterError(record.messageId, applied);
};

/**
 * Messages skipped behind a failed head of their group come back with that
 * head. Lambda leaves a failed message invisible for the queue's whole
 * visibility timeout, and SQS serves no message of a group while one of its
 * messages is in flight, so without this a skipped neighbour would hold the
 * head's short backoff up for the full timeout. Same delay, not zero: the
 * head is then first in line again, so the group's order is kept.
 */
const holdBackWithHead = async (
  event: SQSEvent,
  response: SQSBatchResponse,
  attempted: ReadonlySet<string>,
  groupDelays: ReadonlyMap<string, number>,
  queue: QueueOps,
): Promise<void> => {
  const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  const skipped = event.Records.filter((r) => failed.has(r.messageId) && !attempted.has(r.messageId));
  await Promise.all(
    skipped.map(async (record) => {
      const delay = groupDelays.get(record.attributes.MessageGroupId ?? "");
      if (delay === undefined) return;
      await queue.delay(record, delay).catch((error: unknown) => {
        logger.warn("could not hold a skipped message back with its group", {
          messageId: record.messageId,
          error: (error as Error).message,
        });
      });
    }),
  );
};
