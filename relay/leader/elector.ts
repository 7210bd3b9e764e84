import { EventEmitter } from "node:events";
import type { V1Lease } from "@kubernetes/client-node";
import { Delay } from "../backoff";
import { LeaderElectionError } from "../errors";
import { timeOf, type LeaseLock } from "./lease";

export const LeaderEvent = {
  /** This replica now holds the lease. */
  Leading: "LEADING",
  /** This replica no longer holds the lease (taken over, renew deadline passed, released). */
  Lost: "LOST",
  /** The lease has a new holder (this replica or another). */
  NewLeader: "NEW_LEADER",
  /** A Lease request failed; the elector keeps trying. */
  Error: "ELECTION_ERROR",
} as const;
export type LeaderEvent = (typeof LeaderEvent)[keyof typeof LeaderEvent];

export interface LeaderEvents {
  LEADING: [];
  LOST: [reason: string];
  NEW_LEADER: [identity: string];
  ELECTION_ERROR: [error: Error];
}

export interface LeaderElectorOptions {
  lock: LeaseLock;
  /** Unique per process: a restarted pod must not mistake its predecessor's lease for its own. */
  identity: string;
  /** How long a lease that is not renewed keeps others out. */
  leaseDurationSeconds?: number;
  /** How often the leader renews. */
  renewSeconds?: number;
  /** How often a standby tries, and a leader whose renew failed tries again. */
  retrySeconds?: number;
  /** A leader that could not renew for this long stops leading, before anyone else may take over; 2/3 of the lease by default. */
  renewDeadlineSeconds?: number;
}

type Attempt = "leading" | "held" | "failed";

/**
 * Leader election on a coordination.k8s.io/v1 Lease, after client-go's
 * tools/leaderelection. client-node 1.4 has no leader-election helper (its
 * dist has no elector or lock), so this is the small part of client-go the
 * relay needs.
 *
 * A candidate takes the lease when it is free (no holder, or released) or
 * expired. Expiry is judged the way the Lease API documents
 * `leaseDurationSeconds` ("measured against the time of last observed
 * renewTime"): by this process's clock, from the moment it saw the
 * holder's renewTime change, so clock skew between nodes cannot make a
 * live lease look expired. Every write is conditional (LeaseLock), so two
 * candidates cannot both win. The leader renews every `renewSeconds`; if it
 * cannot renew within `renewDeadlineSeconds` it stops leading at once, by
 * timer, even while a request hangs, which is before any standby may take
 * over (`leaseDurationSeconds` later).
 */
export class LeaderElector extends EventEmitter<LeaderEvents> {
  readonly #lock: LeaseLock;
  readonly identity: string;
  readonly #leaseMs: number;
  readonly #renewMs: number;
  readonly #retryMs: number;
  readonly #deadlineMs: number;
  readonly #delay = new Delay();
  #leading = false;
  #stopped = false;
  #loop: Promise<void> | undefined;
  #deadline: NodeJS.Timeout | undefined;
  #observed: { key: string; at: number; holder: string } | undefined;

  constructor(options: LeaderElectorOptions) {
    super();
    if (!options.identity) throw new LeaderElectionError("leader election: identity cannot be empty");
    const lease = options.leaseDurationSeconds ?? 15;
    const renew = options.renewSeconds ?? 5;
    const retry = options.retrySeconds ?? 2;
    const deadline = options.renewDeadlineSeconds ?? (lease * 2) / 3;
    if (!(renew > 0 && retry > 0 && renew < deadline && retry < deadline && deadline < lease)) {
      throw new LeaderElectionError(
        `leader election: need 0 < renewSeconds (${renew}) and retrySeconds (${retry}) < renewDeadlineSeconds (${deadline}) < leaseDurationSeconds (${lease})`,
      );
    }
    this.#lock = options.lock;
    this.identity = options.identity;
    this.#leaseMs = lease * 1000;
    this.#renewMs = renew * 1000;
    this.#retryMs = retry * 1000;
    this.#deadlineMs = deadline * 1000;
  }

  get isLeader(): boolean {
    return this.#leading;
  }

  /** The holder last seen in the lease, this replica included. */
  get leader(): string | undefined {
    return this.#observed?.holder || undefined;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /**
   * Stops campaigning. With `release` (a clean shutdown) a held lease is
   * handed back so a standby takes over at once; without it the lease runs
   * out as if the process had died.
   */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    this.#stopped = true;
    this.#delay.cancel();
    await this.#loop;
    const wasLeading = this.#leading;
    clearTimeout(this.#deadline);
    this.#leading = false;
    if (wasLeading && (options.release ?? true)) await this.#release();
    if (wasLeading) this.emit(LeaderEvent.Lost, options.release ?? true ? "released" : "stopped");
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      const startedAt = Date.now();
      let attempt: Attempt;
      try {
        attempt = await this.#tryAcquireOrRenew(new Date(startedAt));
      } catch (error) {
        attempt = "failed";
        this.emit(LeaderEvent.Error, error as Error);
      }
      if (this.#stopped) return;
      if (attempt === "leading") {
        clearTimeout(this.#deadline);
        // Measured from when the request was sent: the server may have applied it any time after.
        this.#deadline = setTimeout(() => this.#lose("renew deadline passed"), this.#deadlineMs - (Date.now() - startedAt));
        if (!this.#leading) {
          this.#leading = true;
          this.emit(LeaderEvent.Leading);
        }
      } else if (attempt === "held" && this.#leading) {
        this.#lose(`lease taken over by ${this.leader ?? "another replica"}`);
      }
      const wait = this.#leading && attempt === "leading" ? this.#renewMs : this.#retryMs;
      // Standbys spread out a little, as client-go's JitterFactor does.
      await this.#delay.wait(this.#leading ? wait : wait * (1 + Math.random() * 0.2));
    }
  }

  #lose(reason: string): void {
    clearTimeout(this.#deadline);
    if (!this.#leading) return;
    this.#leading = false;
    this.emit(LeaderEvent.Lost, reason);
  }

  async #tryAcquireOrRenew(now: Date): Promise<Attempt> {
    const lease = await this.#lock.get();
    if (!lease) {
      const created = await this.#lock.create(this.#record(now, undefined));
      if (created) this.#observe(created);
      return created ? "leading" : "failed";
    }
    this.#observe(lease);
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? "";
    const mine = holder === this.identity;
    if (!mine && holder !== "" && !this.#expired(spec.leaseDurationSeconds)) return "held";
    const updated = await this.#lock.update(lease, this.#record(now, lease));
    if (!updated) return "failed";
    this.#observe(updated);
    return "leading";
  }

  #record(now: Date, current: V1Lease | undefined) {
    const spec = current?.spec ?? {};
    const mine = spec.holderIdentity === this.identity;
    return {
      holderIdentity: this.identity,
      leaseDurationSeconds: this.#leaseMs / 1000,
      acquireTime: (mine && timeOf(spec.acquireTime)) || now,
      renewTime: now,
      leaseTransitions: (spec.leaseTransitions ?? 0) + (current && !mine ? 1 : 0),
    };
  }

  /** Remembers when the holder's record last changed, by this process's clock. */
  #observe(lease: V1Lease): void {
    const holder = lease.spec?.holderIdentity ?? "";
    const renewTime = lease.spec?.renewTime as unknown;
    const key = `${holder}|${renewTime instanceof Date ? renewTime.toISOString() : String(renewTime)}`;
    if (this.#observed?.key === key) return;
    const previous = this.#observed?.holder;
    this.#observed = { key, at: Date.now(), holder };
    if (holder && holder !== previous) this.emit(LeaderEvent.NewLeader, holder);
  }

  #expired(leaseDurationSeconds: number | undefined): boolean {
    const duration = (leaseDurationSeconds ?? this.#leaseMs / 1000) * 1000;
    return this.#observed !== undefined && this.#observed.at + duration <= Date.now();
  }

  /** Hands the lease back: no holder, so a standby takes it on its next try instead of waiting for expiry. */
  async #release(): Promise<void> {
    try {
      const lease = await this.#lock.get();
      if (!lease || lease.spec?.holderIdentity !== this.identity) return;
      const now = new Date();
      await this.#lock.update(lease, {
        holderIdentity: "",
        leaseDurationSeconds: 1,
        acquireTime: now,
        renewTime: now,
        leaseTransitions: lease.spec?.leaseTransitions ?? 0,
      });
    } catch (error) {
      this.emit(LeaderEvent.Error, error as Error);
    }
  }
}
