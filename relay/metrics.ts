import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client";

/**
 * A count kept as a plain number and moved into its prom-client series when
 * the registry is read (the counter's `collect`). prom-client hashes and
 * checks the label values on every `inc`, its `labels()` children included,
 * which was a cost per watch event; this is an addition.
 */
export class PendingCount {
  pending = 0;

  inc(by = 1): void {
    this.pending += by;
  }
}

export interface RelayMetricsOptions {
  /** A registry of one's own; a fresh one by default, so two relays in one process do not collide. */
  registry?: Registry;
  /** Process metrics (memory, CPU, event loop lag): on in the relay image, off in tests. */
  processMetrics?: boolean;
}

const PREFIX = "kube_feedback_relay_";

/**
 * The relay's Prometheus metrics. Labels stay low-cardinality: the kind,
 * the watched resource (`pipelineruns.tekton.dev`) and the sink name, never
 * an object's name.
 */
export class RelayMetrics {
  readonly registry: Registry;
  readonly eventsReceived: Counter<"kind" | "type">;
  readonly envelopesSent: Counter<"sink">;
  readonly sendErrors: Counter<"sink">;
  readonly envelopesRejected: Counter<"sink">;
  readonly envelopesCut: Counter<"level">;
  readonly envelopesDropped: Counter<"reason">;
  readonly bufferDepth: Gauge;
  readonly leader: Gauge;
  readonly watchPauses: Counter<"resource">;
  readonly watchRelists: Counter<"resource">;
  readonly watchErrors: Counter<"resource" | "kind">;
  readonly vanished: Counter<"resource">;
  readonly knownObjects: Gauge;
  readonly knownUnsaved: Gauge;
  readonly knownSaveErrors: Counter;
  readonly operations: Counter<"op" | "outcome">;
  readonly #received = new Map<string, Map<string, PendingCount>>();
  /** The current relay's buffer depth, read when the registry is (each leadership term sets its own). */
  depthOf: (() => number) | undefined;

  constructor(options: RelayMetricsOptions = {}) {
    const registry = options.registry ?? new Registry();
    this.registry = registry;
    const registers = [registry];
    this.eventsReceived = new Counter({
      name: `${PREFIX}events_received_total`,
      help: "Watch events and listed objects received from the API server, by kind and event type",
      labelNames: ["kind", "type"],
      registers,
      collect: () => this.#collectReceived(),
    });
    this.envelopesSent = new Counter({ name: `${PREFIX}envelopes_sent_total`, help: "Envelopes the sink accepted", labelNames: ["sink"], registers });
    this.sendErrors = new Counter({
      name: `${PREFIX}send_errors_total`,
      help: "Send attempts that left envelopes to retry",
      labelNames: ["sink"],
      registers,
    });
    this.envelopesRejected = new Counter({
      name: `${PREFIX}envelopes_rejected_total`,
      help: "Envelopes the destination refused for good (logged, not retried)",
      labelNames: ["sink"],
      registers,
    });
    this.envelopesCut = new Counter({
      name: `${PREFIX}envelopes_cut_total`,
      help: "Envelopes sent with less than the slimmed object because of the message size limit",
      labelNames: ["level"],
      registers,
    });
    this.envelopesDropped = new Counter({
      name: `${PREFIX}envelopes_dropped_total`,
      help: "Envelopes not sent: too large even when cut, or buffered when the lease was lost or shutdown timed out",
      labelNames: ["reason"],
      registers,
    });
    this.bufferDepth = new Gauge({
      name: `${PREFIX}buffer_depth`,
      help: "Envelopes buffered or in flight",
      registers,
      // Read when scraped: the depth changes with every event, a set() per change was a cost per event.
      collect: () => {
        if (this.depthOf) this.bufferDepth.set(this.depthOf());
      },
    });
    this.leader = new Gauge({ name: `${PREFIX}leader`, help: "1 while this replica holds the lease", registers });
    this.watchPauses = new Counter({
      name: `${PREFIX}watch_pauses_total`,
      help: "Watches paused because the buffer was full",
      labelNames: ["resource"],
      registers,
    });
    this.watchRelists = new Counter({
      name: `${PREFIX}watch_relists_total`,
      help: "Re-lists after 410 Gone",
      labelNames: ["resource"],
      registers,
    });
    this.watchErrors = new Counter({
      name: `${PREFIX}watch_errors_total`,
      help: "Failed lists and watch streams",
      labelNames: ["resource", "kind"],
      registers,
    });
    this.vanished = new Counter({
      name: `${PREFIX}vanished_total`,
      help: "DELETED envelopes sent for objects a re-list no longer had (deleted while not watched)",
      labelNames: ["resource"],
      registers,
    });
    this.knownObjects = new Gauge({
      name: `${PREFIX}known_objects`,
      help: "Unfinished runs the relay would report deleted if a re-list no longer had them",
      registers,
    });
    this.knownUnsaved = new Gauge({
      name: `${PREFIX}known_objects_unsaved`,
      help: "Known objects left out of the last snapshot because it would not fit",
      registers,
    });
    this.knownSaveErrors = new Counter({ name: `${PREFIX}known_save_errors_total`, help: "Failed saves of the known-object snapshot", registers });
    this.operations = new Counter({
      name: `${PREFIX}operations_total`,
      help: "Operations of the process side (kubernetes.via: relay) by kind and outcome: done, retry, forbidden, refused, invalid, wrong-cluster",
      labelNames: ["op", "outcome"],
      registers,
    });
    if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: PREFIX });
  }

  /** `eventsReceived` for one kind and event type, counted per event as a plain number (PendingCount). */
  received(kind: string, type: string): PendingCount {
    let byType = this.#received.get(kind);
    if (byType === undefined) this.#received.set(kind, (byType = new Map()));
    let count = byType.get(type);
    if (count === undefined) byType.set(type, (count = new PendingCount()));
    return count;
  }

  /** Moves the pending counts into their series: once per label set and scrape, not per event. */
  #collectReceived(): void {
    for (const [kind, byType] of this.#received) {
      for (const [type, count] of byType) {
        if (count.pending === 0) continue;
        this.eventsReceived.inc({ kind, type }, count.pending);
        count.pending = 0;
      }
    }
  }

  /** The exposition text for `/metrics`. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
