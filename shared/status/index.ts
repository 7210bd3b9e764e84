export { StatusChannel, DEFAULT_CHANNEL_CAPACITY } from "./channel";
export { ChannelAlreadyClosedError, SendOnClosedChannelError, StatusChannelError, UnclosedChannelError } from "./errors";
export {
  EventProcessStatusBuilder,
  EventStatus,
  newEventProcessStatus,
  type EventProcessStatus,
} from "./event-status";
export type { Handler, HandlerContext, ObjectRecord } from "./handler-types";
export { runWithChannel, type RunOptions, type RunOutcome } from "./runner";
