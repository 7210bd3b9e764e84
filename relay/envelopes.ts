import { fitEnvelope, makeEnvelope, slimObject, SQS_LIMITS, type EnvelopeType, type FittedEnvelope, type KubeObject } from "../shared/envelope";

/**
 * Makes the relay's envelopes, doing each costly step once per event: every
 * watch event passes here, so what was done twice or per event before (a
 * second slimming for the known-object set, a Date per event, a second
 * JSON.stringify in the sink) showed up against a plain informer in
 * `npm run bench`.
 */
export class EnvelopeMaker {
  readonly #cluster: string;
  readonly #maxMessageBytes: number;
  #lastSlimmed: { object: KubeObject; slim: KubeObject } | undefined;
  #observedAt: string | undefined;

  constructor(cluster: string, maxMessageBytes: number = SQS_LIMITS.messageBytes) {
    this.#cluster = cluster;
    this.#maxMessageBytes = maxMessageBytes;
  }

  /**
   * slimObject, once per event: the watcher hands the known-object set the
   * object it has just offered, and the set gets the slimmed copy made for
   * the envelope instead of slimming it again.
   */
  slim(object: KubeObject): KubeObject {
    if (this.#lastSlimmed?.object === object) return this.#lastSlimmed.slim;
    const slim = slimObject(object);
    this.#lastSlimmed = { object, slim };
    return slim;
  }

  /**
   * The envelope for one event, fitted to the message limit. Its JSON is
   * made here, to measure it, and kept on it for the sink (envelopeBody).
   * Throws EnvelopeTooLargeError when even the cut-down object is too big.
   */
  make(type: EnvelopeType, object: KubeObject, resend?: string): FittedEnvelope {
    return fitEnvelope(makeEnvelope(this.#cluster, type, this.slim(object), this.#now(), resend), this.#maxMessageBytes);
  }

  /**
   * One observedAt for all the events handed over in one turn of the event
   * loop (one read of a watch stream, one list page): they were observed
   * together, and a Date per event was a cost of its own.
   */
  #now(): string {
    if (this.#observedAt === undefined) {
      this.#observedAt = new Date().toISOString();
      queueMicrotask(() => (this.#observedAt = undefined));
    }
    return this.#observedAt;
  }
}
