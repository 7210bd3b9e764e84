export interface BackoffOptions {
  /** Delay after the first failure. */
  baseMs?: number;
  /** Ceiling of the delay. */
  maxMs?: number;
}

/**
 * Exponential backoff with "equal jitter": half the step is fixed, half is
 * random, so many relays (or many watches of one relay) that failed at the
 * same moment do not retry in lockstep, yet none retries too soon.
 */
export class Backoff {
  readonly #baseMs: number;
  readonly #maxMs: number;
  #failures = 0;

  constructor(options: BackoffOptions = {}) {
    this.#baseMs = options.baseMs ?? 500;
    this.#maxMs = Math.max(this.#baseMs, options.maxMs ?? 30_000);
  }

  get failures(): number {
    return this.#failures;
  }

  /** Records a failure and returns how long to wait before the next attempt. */
  next(hintMs?: number): number {
    const step = Math.min(this.#maxMs, this.#baseMs * 2 ** Math.min(this.#failures, 20));
    this.#failures++;
    const delay = step / 2 + Math.random() * (step / 2);
    return Math.max(delay, Math.min(hintMs ?? 0, this.#maxMs));
  }

  reset(): void {
    this.#failures = 0;
  }
}

/** A wait that `cancel()` ends early, so shutdown never waits out a backoff. */
export class Delay {
  #timer: NodeJS.Timeout | undefined;
  #resolve: (() => void) | undefined;

  wait(ms: number): Promise<void> {
    this.cancel();
    return new Promise((resolve) => {
      this.#resolve = resolve;
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#resolve = undefined;
        resolve();
      }, ms);
    });
  }

  cancel(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const resolve = this.#resolve;
    this.#resolve = undefined;
    resolve?.();
  }
}

/**
 * Whether `work` ended within `timeoutMs`, or once it ends when there is no
 * bound (it goes on either way; its rejection is passed on).
 */
export const within = async (work: Promise<unknown>, timeoutMs: number | undefined): Promise<boolean> => {
  if (timeoutMs === undefined) return work.then(() => true);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([work.then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
};
