/**
 * Errors raised while turning a Kubernetes object into a run. The normalisers
 * are fed from a queue, so these are the only errors they may throw: the
 * caller tells "not ours" (UnsupportedKindError, skip the message) from "ours
 * but unusable" (InvalidObjectError, send it to the DLQ with the reason)
 * without parsing messages.
 */
import { Disposition, FeedbackError } from "../errors";

/** Base class of every error raised by the pipeline module. */
export class PipelineError extends FeedbackError {
  constructor(message: string, options: { cause?: unknown; disposition: Disposition }) {
    super(message, options);
    // Set explicitly: bundlers rename classes, and `name` is what logs show.
    this.name = "PipelineError";
  }
}

/** The object's apiVersion and kind are not one we know how to read. */
export class UnsupportedKindError extends PipelineError {
  readonly apiVersion: string;
  readonly kind: string;

  constructor(apiVersion: string, kind: string, options?: { cause?: unknown }) {
    super(`unsupported kind: ${kind} (${apiVersion}) is not a pipeline kind`, { ...options, disposition: Disposition.Permanent });
    this.name = "UnsupportedKindError";
    this.apiVersion = apiVersion;
    this.kind = kind;
  }
}

/**
 * The object is of a supported kind but cannot identify a run: a required
 * field is missing or has the wrong type. `path` is the dotted field path
 * (`metadata.uid`), or `(root)` for the object itself.
 */
export class InvalidObjectError extends PipelineError {
  readonly path: string;
  readonly reason: string;

  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super(`${path}: ${reason}`, { ...options, disposition: Disposition.InvalidInput });
    this.name = "InvalidObjectError";
    this.path = path;
    this.reason = reason;
  }
}
