import type { ReceiverStore } from "../../shared/receivers";

/** The receivers' key-value view of the state table, in memory: values are copied in and out, as a real store would. */
export class MemoryReceiverStore implements ReceiverStore {
  readonly items = new Map<string, Record<string, unknown>>();

  async get(key: string): Promise<Record<string, unknown> | undefined> {
    return structuredClone(this.items.get(key));
  }

  async put(key: string, value: Record<string, unknown>): Promise<void> {
    this.items.set(key, structuredClone(value));
  }
}
