import {
  fitEnvelope,
  keepBody,
  makeEnvelope,
  slimObject,
  SQS_LIMITS,
  type EnvelopeType,
  type FittedEnvelope,
  type KubeObject,
} from "../shared/envelope";
import { tombstoneOfSlim, type Tombstone } from "./known/tombstone";
import { envelopeJson, objectJson, type ObjectJson } from "./object-json";

/** One event's object, slimmed, and its slimmed JSON's pieces. */
interface Prepared {
  object: KubeObject;
  slim: KubeObject;
  json: ObjectJson | undefined;
}

/**
 * Makes the relay's envelopes, doing each costly step once per event: every
 * watch event passes here, so what was done twice or per event before (a
 * second slimming and serialisation for the known-object set, a Date per
 * event, a second JSON.stringify in the sink) showed up against a plain
 * informer in `npm run bench`.
 */
export class EnvelopeMaker {
  readonly #cluster: string;
  readonly #clusterJson: string;
  readonly #maxMessageBytes: number;
  #last: Prepared | undefined;
  #observedAt: { iso: string; json: string } | undefined;

  constructor(cluster: string, maxMessageBytes: number = SQS_LIMITS.messageBytes) {
    this.#cluster = cluster;
    this.#clusterJson = JSON.stringify(cluster);
    this.#maxMessageBytes = maxMessageBytes;
  }

  /**
   * The tombstone the known-object set remembers for the object just
   * offered (known/tombstone.ts): the watcher hands the set that very
   * object, and the tombstone is made from the slimmed copy and the JSON
   * made for its envelope instead of slimming and serialising it again.
   */
  tombstone(object: KubeObject): Tombstone | undefined {
    const { slim, json } = this.#prepare(object);
    return tombstoneOfSlim(slim, json);
  }

  /**
   * The envelope for one event, fitted to the message limit. Its JSON is
   * made here, to measure it, and kept on it for the sink (envelopeBody).
   * Throws EnvelopeTooLargeError when even the cut-down object is too big.
   */
  make(type: EnvelopeType, object: KubeObject, resend?: string): FittedEnvelope {
    const { slim, json } = this.#prepare(object);
    const observedAt = this.#now();
    const envelope = makeEnvelope(this.#cluster, type, slim, observedAt.iso, resend);
    if (json !== undefined) keepBody(envelope, envelopeJson(this.#clusterJson, type, json, observedAt.json, resend));
    return fitEnvelope(envelope, this.#maxMessageBytes);
  }

  /** slimObject and the JSON's pieces, once per event. */
  #prepare(object: KubeObject): Prepared {
    if (this.#last?.object === object) return this.#last;
    const slim = slimObject(object);
    this.#last = { object, slim, json: objectJson(slim) };
    return this.#last;
  }

  /**
   * One observedAt for all the events handed over in one turn of the event
   * loop (one read of a watch stream, one list page): they were observed
   * together, and a Date per event was a cost of its own.
   */
  #now(): { iso: string; json: string } {
    if (this.#observedAt === undefined) {
      const iso = new Date().toISOString();
      this.#observedAt = { iso, json: JSON.stringify(iso) };
      queueMicrotask(() => (this.#observedAt = undefined));
    }
    return this.#observedAt;
  }
}
