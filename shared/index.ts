/**
 * kube-feedback's package API: what users need to write their own receivers
 * and handlers, and the factories the Lambda entries in functions/ use.
 */
import "./receivers";

export {
  EventStatus,
  EventProcessStatusBuilder,
  newEventProcessStatus,
  StatusChannel,
  DEFAULT_CHANNEL_CAPACITY,
  ChannelAlreadyClosedError,
  SendOnClosedChannelError,
  UnclosedChannelError,
  runWithChannel,
  type EventProcessStatus,
  type Handler,
  type HandlerContext,
} from "./status";
export { Disposition, dispositionOf, FeedbackError, RetryAfterError, type FeedbackErrorOptions } from "./errors";
export {
  registerReceiver,
  createReceivers,
  LifecycleEvent,
  PermanentReceiverError,
  ReceiverError,
  type Receiver,
  type ReceiverContext,
  type ReceiverFactory,
  type ServiceContext,
} from "./receivers";
export { PipelinePhase, type PipelineInfo, type Stage, type GitContext } from "./pipeline/types";
export { normalise, isPipelineKind } from "./pipeline/normalise";
export { ConfigError, loadConfig, parseConfig, parseConfigYaml, type FeedbackConfig } from "./config";
export {
  EnvelopeType,
  InvalidEnvelopeError,
  makeEnvelope,
  messageDeduplicationId,
  messageGroupId,
  parseEnvelope,
  type Envelope,
  type KubeObject,
} from "./envelope";
export { createBatchHandler, createDispatchDeps, type ProcessHandlerOptions } from "./process/batch";
export { createResyncHandler, type ResyncHandlerOptions } from "./process/resync";
export { ingestRoutes, lazyIngestDeps, type IngestOptions } from "./ingest";
export { CommitStatusHandler, syncCommitStatus, type SyncRecord } from "./commitstatus";
export { createCommitStatusProvider, CommitStatusPhase, type CommitStatusProvider } from "./scm";
export { resolveSecret } from "./secrets";
export type { Route } from "./process/dispatch";
