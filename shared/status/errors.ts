import { Disposition, FeedbackError } from "../errors";

/**
 * Base class of the status channel's errors. Retried: a handler that misused
 * its channel or never closed it has not settled the event.
 */
export class StatusChannelError extends FeedbackError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, disposition: Disposition.Retry });
    this.name = "StatusChannelError";
  }
}

/** `close()` was called on a channel that was already closed. */
export class ChannelAlreadyClosedError extends StatusChannelError {
  constructor(options?: { cause?: unknown }) {
    super("status channel was already closed", options);
    this.name = "ChannelAlreadyClosedError";
  }
}

/** `send()` was called after the channel was closed. */
export class SendOnClosedChannelError extends StatusChannelError {
  constructor(options?: { cause?: unknown }) {
    super("cannot send on a closed status channel", options);
    this.name = "SendOnClosedChannelError";
  }
}

/** A handler returned without closing its channel within the bounded wait. */
export class UnclosedChannelError extends StatusChannelError {
  readonly handler: string;
  readonly event: string;
  readonly waitMs: number;
  constructor(handler: string, event: string, waitMs: number, options?: { cause?: unknown }) {
    super(`handler ${handler} did not close its status channel for ${event} within ${waitMs} ms`, options);
    this.name = "UnclosedChannelError";
    this.handler = handler;
    this.event = event;
    this.waitMs = waitMs;
  }
}
