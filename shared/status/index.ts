export { StatusChannel, DEFAULT_CHANNEL_CAPACITY } from "./channel";
export {
  ChannelAlreadyClosedError,
  CombinedRetryError,
  RetryAfterError,
  SendOnClosedChannelError,
  StatusChannelError,
  UnclosedChannelError,
  backsOff,
  combineRetries,
  retryAfterOf,
} from "./errors";
export {
  EventProcessStatusBuilder,
  EventStatus,
  newEventProcessStatus,
  type EventProcessStatus,
} from "./event-status";
export type { Handler, HandlerContext, ObjectRecord } from "./handler-types";
export { runWithChannel, type RunOptions, type RunOutcome } from "./runner";
