import type { ReceiverStore } from "../../shared/receivers";

/**
 * The receivers' key-value view of the state table, in memory: values are
 * copied in and out, as a real store would; reads, writes and each key's
 * TTL are recorded for the tests that assert them.
 */
export class MemoryReceiverStore implements ReceiverStore {
  readonly items = new Map<string, Record<string, unknown>>();
  readonly ttls = new Map<string, number | undefined>();
  readonly counts = { reads: 0, writes: 0 };

  async get(key: string): Promise<Record<string, unknown> | undefined> {
    this.counts.reads++;
    return structuredClone(this.items.get(key));
  }

  async put(key: string, value: Record<string, unknown>, options?: { ttlSeconds?: number }): Promise<void> {
    this.counts.writes++;
    this.items.set(key, structuredClone(value));
    this.ttls.set(key, options?.ttlSeconds);
  }
}
