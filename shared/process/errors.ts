/**
 * Thrown to the batch processor so the message is reported in
 * batchItemFailures. `delaySeconds` is the visibility the message was given;
 * undefined when it was left alone (it returns after the queue's visibility
 * timeout).
 */
export class RetryLaterError extends Error {
  readonly messageId: string;
  readonly delaySeconds: number | undefined;
  constructor(messageId: string, delaySeconds: number | undefined, options?: { cause?: unknown }) {
    super(
      delaySeconds === undefined
        ? `message ${messageId} will be retried after the queue's visibility timeout`
        : `message ${messageId} will be retried in ${delaySeconds}s`,
      options,
    );
    this.name = "RetryLaterError";
    this.messageId = messageId;
    this.delaySeconds = delaySeconds;
  }
}

/** The process function was started without a setting it needs. */
export class MissingSettingError extends Error {
  readonly setting: string;
  constructor(setting: string, options?: { cause?: unknown }) {
    super(`${setting} is not set`, options);
    this.name = "MissingSettingError";
    this.setting = setting;
  }
}
