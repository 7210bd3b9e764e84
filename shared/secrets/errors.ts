/** Base class of secret-resolution errors. Messages name the reference, never the value. */
export class SecretError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SecretError";
  }
}

/** A config value that should be a secret reference is a literal or a malformed reference. */
export class InvalidSecretReferenceError extends SecretError {
  readonly reason: string;
  constructor(reason: string, field?: string) {
    super(field ? `${field}: ${reason}` : reason);
    this.name = "InvalidSecretReferenceError";
    this.reason = reason;
  }
}

/** The reference is well formed but points at nothing (unset variable, missing parameter, empty value). */
export class SecretNotFoundError extends SecretError {
  readonly reference: string;
  constructor(message: string, reference: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SecretNotFoundError";
    this.reference = reference;
  }
}

/** The store could not be read (access denied, throttled, network): worth another try at the next cold start. */
export class SecretUnavailableError extends SecretError {
  readonly reference: string;
  constructor(message: string, reference: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SecretUnavailableError";
    this.reference = reference;
  }
}
