import { combineDispositions } from "./disposition";
import { dispositionOf, retryAfterOf } from "./disposition-of";
import { FeedbackError } from "./feedback-error";

/**
 * Several failures of one event that are settled together (the receivers of
 * one message), as one error: its disposition and wait are those of
 * `combineDispositions` over its failures. The message is the failures'
 * messages; `errors` keeps each one.
 */
export class CombinedRetryError extends FeedbackError {
  readonly errors: readonly Error[];
  readonly #backsOff: boolean;

  constructor(errors: readonly Error[]) {
    const combined = combineDispositions(errors.map(dispositionOf));
    super(errors.map((e) => e.message).join("; "), combined);
    this.name = "CombinedRetryError";
    this.errors = errors;
    this.#backsOff = combined.backsOff;
  }

  /** Also true when it has a time of its own, if one of its failures named none. */
  override get backsOff(): boolean {
    return this.#backsOff;
  }

  /** The longest wait its failures named, each counted from when it was made. */
  override get retryAfterSeconds(): number | undefined {
    const named = this.errors.map(retryAfterOf).filter((seconds): seconds is number => seconds !== undefined);
    return named.length > 0 ? Math.max(...named) : undefined;
  }
}

/** One error for failures settled together: the error itself when there is one. */
export const combineRetries = (errors: readonly Error[]): Error | undefined =>
  errors.length <= 1 ? errors[0] : new CombinedRetryError(errors);
