import type { KubeConfig } from "@kubernetes/client-node";
import type { WatchConfig } from "../shared/config";
import {
  FitLevel,
  type Envelope,
  type EnvelopeType,
  type KubeObject,
} from "../shared/envelope";
import type { Log } from "../shared/log";
import { within } from "./backoff";
import { EnvelopeBuffer, type BufferOptions } from "./buffer";
import { EnvelopeMaker } from "./envelopes";
import { KnownObjects } from "./known/objects";
import { KnownPersister } from "./known/persister";
import type { KnownStore } from "./known/store";
import { RelayMetrics } from "./metrics";
import type { Sink } from "./sinks/types";
import { describeTarget, targetKey, watchTargets } from "./target";
import { Watcher, WatcherEvent, type WatchConsumer, type WatcherOptions } from "./watcher";
import type { OperationSource } from "../shared/operations";
import type { WriteBackConsumer } from "./writeback/consumer";

export { watchTargets } from "./target";

export interface RelayOptions {
  cluster: string;
  watch: readonly WatchConfig[];
  sink: Sink;
  log: Log;
  buffer?: BufferOptions;
  watcher?: WatcherOptions;
  /** Shared across leadership terms by the elected relay; a private set otherwise. */
  metrics?: RelayMetrics;
  /** Largest envelope body; bigger ones are cut down (shared/envelope/fit.ts). */
  maxMessageBytes?: number;
  /**
   * Where the known objects are kept between processes (a ConfigMap in the
   * relay image). Without one they live as long as this relay: deletions
   * during a 410 re-list are still reported, those during a restart not.
   */
  knownStore?: KnownStore;
  /** How often changed known objects are saved to `knownStore`. */
  knownSaveIntervalMs?: number;
  /**
   * `kubernetes.via: relay`: where this cluster's operations come from. The
   * relay then also applies them (status patches, re-sends) while it runs.
   */
  writeBack?: { source: OperationSource; waitSeconds?: number };
}

export interface StopOptions {
  /** How long to wait for the buffer to drain before dropping what is left; unbounded by default. */
  timeoutMs?: number;
}

/**
 * The in-cluster half: watches the configured kinds, slims each object,
 * wraps it in a v1 envelope and hands it to a bounded buffer that ships it.
 * It keeps no copy of any object, only, for unfinished runs, what a DELETED
 * envelope needs (known/tombstone.ts), so that runs deleted while it was not
 * watching are still reported deleted after a re-list. The relay itself
 * knows nothing of leadership: the elected relay (elected.ts) runs one per
 * term, each restoring the known objects its predecessor saved; the local
 * stack runs one for the whole session.
 */
export class Relay implements WatchConsumer {
  readonly #options: RelayOptions;
  readonly #buffer: EnvelopeBuffer;
  readonly #metrics: RelayMetrics;
  readonly #envelopes: EnvelopeMaker;
  readonly #watchers: Watcher[] = [];
  readonly #known: KnownObjects;
  readonly #persister: KnownPersister | undefined;
  #writeBack: WriteBackConsumer | undefined;
  #gaveUp: Error | undefined;
  #stopped = false;

  constructor(options: RelayOptions) {
    this.#options = options;
    this.#metrics = options.metrics ?? new RelayMetrics();
    this.#envelopes = new EnvelopeMaker(options.cluster, options.maxMessageBytes);
    const sink = options.sink.name;
    const { log } = options;
    // Label children looked up once (the hooks run per batch, not per event; prom-client still checks the labels on each inc).
    const sent = this.#metrics.envelopesSent.labels({ sink });
    const sendErrors = this.#metrics.sendErrors.labels({ sink });
    const rejected = this.#metrics.envelopesRejected.labels({ sink });
    this.#buffer = new EnvelopeBuffer(options.sink, options.buffer, {
      sent: (count) => sent.inc(count),
      sendFailed: (detail, pending, attempt) => {
        sendErrors.inc();
        log.warn("sink could not deliver; retrying", { sink, pending, attempt, error: detail });
      },
      rejected: (envelope, reason) => {
        rejected.inc();
        log.error("sink refused an envelope for good; not retrying", { sink, ...this.#describe(envelope), reason });
      },
    });
    const buffer = this.#buffer;
    this.#metrics.depthOf = () => buffer.depth;
    const envelopes = this.#envelopes;
    this.#known = new KnownObjects({ lastSeq: () => buffer.lastSeq, deliveredThrough: () => buffer.deliveredThrough }, (object) => envelopes.tombstone(object));
    this.#persister = options.knownStore
      ? new KnownPersister({ known: this.#known, store: options.knownStore, log, metrics: this.#metrics, intervalMs: options.knownSaveIntervalMs })
      : undefined;
  }

  /** Unfinished runs this relay would report deleted if a re-list no longer had them. */
  get known(): KnownObjects {
    return this.#known;
  }

  /** Envelopes buffered so far (the local summary's "sent"). */
  get sent(): number {
    return this.#buffer.accepted;
  }

  get metrics(): RelayMetrics {
    return this.#metrics;
  }

  get bufferDepth(): number {
    return this.#buffer.depth;
  }

  /** Every watch has listed and is not re-listing. */
  get synced(): boolean {
    return this.#watchers.length > 0 && this.#watchers.every((w) => w.synced);
  }

  /** The first watcher's GIVE_UP, if any: the relay cannot recover by itself. */
  get failure(): Error | undefined {
    return this.#gaveUp;
  }

  get watchers(): readonly Watcher[] {
    return this.#watchers;
  }

  /** The consumer of this cluster's operations (`kubernetes.via: relay`), once started. */
  get writeBack(): WriteBackConsumer | undefined {
    return this.#writeBack;
  }

  /**
   * Slims, wraps and buffers one object, waiting for room (the entry point
   * for replays and for re-sends; `resend` names the operation that asked).
   */
  readonly ship = async (type: EnvelopeType, object: KubeObject, resend?: string): Promise<void> => {
    const envelope = this.#prepare(type, object, resend);
    if (envelope) await this.#buffer.push(envelope);
  };

  /** WatchConsumer: false when the buffer is full, which pauses the watch. Never throws. */
  offer(type: EnvelopeType, object: KubeObject): boolean {
    if (this.#buffer.full) return false;
    const envelope = this.#prepare(type, object);
    return envelope ? this.#buffer.offer(envelope) : true;
  }

  whenWritable(): Promise<void> {
    return this.#buffer.whenWritable();
  }

  /** Starts every watch; resolves once each has listed its current objects into the buffer. */
  async start(kc: KubeConfig): Promise<void> {
    const { log } = this.#options;
    await this.#persister?.restore();
    // Stopped or abandoned while the snapshot was read: start nothing.
    if (this.#stopped) return;
    for (const target of watchTargets(this.#options.watch)) {
      const watcher = new Watcher(kc, target, this, this.#options.watcher, this.#known.forTarget(targetKey(target)));
      const name = describeTarget(target);
      const resource = `${target.plural}.${target.group}`;
      watcher.on(WatcherEvent.List, (count, resourceVersion) => log.info("listed", { watch: name, count, resourceVersion }));
      watcher.on(WatcherEvent.Vanished, (count) => {
        this.#metrics.vanished.inc({ resource }, count);
        this.#metrics.knownObjects.set(this.#known.size);
        log.info("objects gone since last watched; sent DELETED", { watch: name, count });
      });
      watcher.on(WatcherEvent.ListError, (error) => {
        this.#metrics.watchErrors.inc({ resource, kind: "list" });
        log.warn("list failed", { watch: name, error: error.message });
      });
      watcher.on(WatcherEvent.DataError, (error) => {
        this.#metrics.watchErrors.inc({ resource, kind: "watch" });
        log.warn("watch failed", { watch: name, error: error.message });
      });
      watcher.on(WatcherEvent.Relist, (error) => {
        this.#metrics.watchRelists.inc({ resource });
        log.info("watch expired; re-listing", { watch: name, error: error.message });
      });
      watcher.on(WatcherEvent.Pause, (resourceVersion) => {
        this.#metrics.watchPauses.inc({ resource });
        log.warn("buffer full; watch paused", { watch: name, resourceVersion, depth: this.#buffer.depth });
      });
      watcher.on(WatcherEvent.Resume, (resourceVersion) => log.info("watch resumed", { watch: name, resourceVersion }));
      watcher.on(WatcherEvent.GiveUp, (error) => {
        this.#gaveUp ??= error;
        log.error("watch gave up", { watch: name, error: error.message, cause: (error.cause as Error | undefined)?.message });
      });
      this.#watchers.push(watcher);
    }
    const orphaned = this.#known.orphaned;
    if (orphaned > 0) log.info("known objects of kinds no longer watched dropped", { count: orphaned });
    this.#persister?.start();
    await this.#startWriteBack(kc);
    await Promise.all(this.#watchers.map((w) => w.start()));
    this.#metrics.knownObjects.set(this.#known.size);
  }

  /**
   * Stops watching and write-back and sends what is buffered; past
   * `timeoutMs` the rest is dropped and logged. It does not wait for
   * write-back's hand-back (`writeBack.released`): a caller about to exit does.
   */
  async stop(options: StopOptions = {}): Promise<void> {
    this.#stopped = true;
    for (const watcher of this.#watchers) watcher.close();
    // Before the drain: a re-send it is shipping lands in the buffer that is then flushed.
    const drained = (this.#writeBack?.stop() ?? Promise.resolve()).then(() => this.#buffer.flush());
    if (!(await within(drained, options.timeoutMs))) this.#drop("shutdown");
    // After the drain, so that objects whose DELETED left are gone from the snapshot and those dropped are not.
    await this.#persister?.stop({ save: true });
  }

  /**
   * Stops at once without sending what is buffered: the lease is gone and
   * someone else ships now. Nothing is saved either: the next leader owns
   * the snapshot, and the last periodic save is what it should restore.
   * `handBack: false` leaves operations received as a crash would.
   */
  abandon(reason: string, options: { handBack?: boolean } = {}): void {
    this.#stopped = true;
    for (const watcher of this.#watchers) watcher.close();
    // The next leader applies what this one left on the queue.
    void this.#writeBack?.stop(options);
    void this.#persister?.stop({ save: false });
    this.#drop(reason);
  }

  flush(): Promise<void> {
    return this.#buffer.flush();
  }

  #drop(reason: string): void {
    const dropped = this.#buffer.abandon();
    if (dropped === 0) return;
    this.#metrics.envelopesDropped.inc({ reason }, dropped);
    this.#options.log.warn("dropped buffered envelopes", { reason, dropped });
  }

  /** Applies this cluster's operations while the relay runs: only a leading relay gets here. */
  async #startWriteBack(kc: KubeConfig): Promise<void> {
    const writeBack = this.#options.writeBack;
    if (!writeBack) return;
    // Loaded only when asked for: parsing operations takes zod, which a relay without write-back then never loads.
    // The files, not the folder's index: its createOperationSource reads the config, which a relay's core does not load.
    const [{ OperationApplier }, { WriteBackConsumer }] = await Promise.all([import("./writeback/applier"), import("./writeback/consumer")]);
    if (this.#stopped) return;
    const { cluster, log } = this.#options;
    const applier = new OperationApplier(kc, { targets: watchTargets(this.#options.watch), ship: this.ship });
    this.#writeBack = new WriteBackConsumer({
      cluster,
      source: writeBack.source,
      applier,
      log,
      ...(writeBack.waitSeconds === undefined ? {} : { waitSeconds: writeBack.waitSeconds }),
      onOutcome: (op, outcome) => this.#metrics.operations.inc({ op, outcome }),
    });
    log.info("applying this cluster's operations", { source: writeBack.source.name });
    this.#writeBack.start();
  }

  /** The envelope to buffer, or undefined when the object cannot be sent at all (logged and counted). */
  #prepare(type: EnvelopeType, object: KubeObject, resend?: string): Envelope | undefined {
    const { log } = this.#options;
    try {
      this.#metrics.received(String(object.kind), type).inc();
      const fitted = this.#envelopes.make(type, object, resend);
      if (fitted.level !== FitLevel.Slim) {
        this.#metrics.envelopesCut.inc({ level: fitted.level });
        log.warn("envelope over the size limit; sent cut down", { ...this.#describe(fitted.envelope), level: fitted.level, bytes: fitted.bytes });
      }
      return fitted.envelope;
    } catch (error) {
      this.#metrics.envelopesDropped.inc({ reason: (error as Error).name });
      log.error("object cannot be sent", { kind: object?.kind, name: object?.metadata?.name, error: (error as Error).message });
      return undefined;
    }
  }

  #describe(envelope: Envelope): Record<string, unknown> {
    const { namespace, name, uid, resourceVersion } = envelope.object.metadata;
    return { kind: envelope.kind, namespace, name, uid, resourceVersion, type: envelope.type };
  }
}
