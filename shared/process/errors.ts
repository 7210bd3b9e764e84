/** Thrown to the batch processor so the message is reported in batchItemFailures. */
export class RetryLaterError extends Error {
  readonly messageId: string;
  readonly delaySeconds: number;
  constructor(messageId: string, delaySeconds: number, options?: { cause?: unknown }) {
    super(`message ${messageId} will be retried in ${delaySeconds}s`, options);
    this.name = "RetryLaterError";
    this.messageId = messageId;
    this.delaySeconds = delaySeconds;
  }
}

/** The process function was started without a setting it needs. */
export class MissingSettingError extends Error {
  readonly setting: string;
  constructor(setting: string) {
    super(`${setting} is not set`);
    this.name = "MissingSettingError";
    this.setting = setting;
  }
}
