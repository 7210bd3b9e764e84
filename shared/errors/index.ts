export { combineDispositions, Disposition, type FailureDisposition } from "./disposition";
export { dispositionOf, isRetryable, retryAfterOf } from "./disposition-of";
export { FeedbackError, RetryAfterError, type FeedbackErrorOptions } from "./feedback-error";
export { CombinedRetryError, combineRetries } from "./combined";
