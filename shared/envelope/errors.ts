import { Disposition, FeedbackError } from "../errors";

/** A queue message that is not a valid v1 envelope: names the field and the reason. Never retried: the same bytes never parse. */
export class InvalidEnvelopeError extends FeedbackError {
  readonly path: string;
  readonly reason: string;
  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super(`invalid envelope: ${path ? `${path}: ` : ""}${reason}`, { ...options, disposition: Disposition.InvalidInput });
    this.name = "InvalidEnvelopeError";
    this.path = path;
    this.reason = reason;
  }
}

/**
 * Even without spec and with status cut to its conditions, the envelope is
 * over the message limit (fit.ts): SQS would refuse it forever and block its
 * message group, so it is not sent.
 */
export class EnvelopeTooLargeError extends FeedbackError {
  readonly bytes: number;
  readonly limit: number;
  readonly object: string;
  constructor(object: string, bytes: number, limit: number) {
    super(`envelope for ${object} is ${bytes} bytes even when cut down, more than the ${limit} bytes a message may have`, {
      disposition: Disposition.InvalidInput,
    });
    this.name = "EnvelopeTooLargeError";
    this.bytes = bytes;
    this.limit = limit;
    this.object = object;
  }
}
