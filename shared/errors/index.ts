export { Disposition, FeedbackError, RetryAfterError, type FeedbackErrorOptions } from "./feedback-error";
export {
  combineDispositions,
  CombinedRetryError,
  combineRetries,
  dispositionOf,
  isRetryable,
  retryAfterOf,
  type FailureDisposition,
} from "./disposition";
