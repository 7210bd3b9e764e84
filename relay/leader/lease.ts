import { ApiException, V1MicroTime, type CoordinationV1Api, type V1Lease } from "@kubernetes/client-node";

/** The fields of a Lease's spec that leader election reads and writes. */
export interface LeaseRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime: Date;
  renewTime: Date;
  leaseTransitions: number;
}

const codeOf = (error: unknown): number | undefined => (error instanceof ApiException ? error.code : undefined);

/**
 * Reads and writes one coordination.k8s.io/v1 Lease. Writes are
 * conditional: a create fails if the Lease exists, an update carries the
 * resourceVersion it read, so of two candidates writing at once exactly one
 * wins and the other gets 409 (undefined here).
 */
export class LeaseLock {
  readonly #api: CoordinationV1Api;
  readonly namespace: string;
  readonly name: string;

  constructor(api: CoordinationV1Api, namespace: string, name: string) {
    if (!namespace) throw new Error("lease lock: namespace cannot be empty");
    if (!name) throw new Error("lease lock: name cannot be empty");
    this.#api = api;
    this.namespace = namespace;
    this.name = name;
  }

  toString(): string {
    return `${this.namespace}/${this.name}`;
  }

  async get(): Promise<V1Lease | undefined> {
    try {
      return await this.#api.readNamespacedLease({ name: this.name, namespace: this.namespace });
    } catch (error) {
      if (codeOf(error) === 404) return undefined;
      throw error;
    }
  }

  async create(record: LeaseRecord): Promise<V1Lease | undefined> {
    const body: V1Lease = {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: this.name, namespace: this.namespace },
      spec: toSpec(record),
    };
    try {
      return await this.#api.createNamespacedLease({ namespace: this.namespace, body });
    } catch (error) {
      if (codeOf(error) === 409) return undefined;
      throw error;
    }
  }

  /** Replaces the spec of the Lease as read; undefined when someone wrote it in between. */
  async update(current: V1Lease, record: LeaseRecord): Promise<V1Lease | undefined> {
    const body: V1Lease = { ...current, spec: { ...current.spec, ...toSpec(record) } };
    try {
      return await this.#api.replaceNamespacedLease({ name: this.name, namespace: this.namespace, body });
    } catch (error) {
      if (codeOf(error) === 409) return undefined;
      throw error;
    }
  }
}

/**
 * MicroTime must go on the wire with six fractional digits (the API server
 * parses RFC3339Micro strictly); client-node's V1MicroTime serialises so,
 * a plain Date would send three.
 */
const toSpec = (record: LeaseRecord): NonNullable<V1Lease["spec"]> => ({
  holderIdentity: record.holderIdentity,
  leaseDurationSeconds: record.leaseDurationSeconds,
  acquireTime: new V1MicroTime(record.acquireTime.getTime()),
  renewTime: new V1MicroTime(record.renewTime.getTime()),
  leaseTransitions: record.leaseTransitions,
});

/** A MicroTime as read back: client-node leaves it a string, the type says Date. */
export const timeOf = (value: unknown): Date | undefined => {
  if (value instanceof Date) return value;
  if (typeof value !== "string" || value === "") return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
};
