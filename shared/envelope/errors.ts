/** A queue message that is not a valid v1 envelope: names the field and the reason. */
export class InvalidEnvelopeError extends Error {
  readonly path: string;
  readonly reason: string;
  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super(`invalid envelope: ${path ? `${path}: ` : ""}${reason}`, options);
    this.name = "InvalidEnvelopeError";
    this.path = path;
    this.reason = reason;
  }
}
