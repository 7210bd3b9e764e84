/**
 * A seeded pseudo-random source, so a chaos run or a benchmark replays the
 * same workload and the same faults for the same seed. Math.random cannot be
 * seeded and fast-check's generators are built for its own arbitraries, so
 * this is mulberry32 (public domain, 32-bit state): small, fast and good
 * enough to pick faults, not meant for anything cryptographic.
 */
export class SeededRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty list");
    return items[this.int(items.length)]!;
  }

  /** `length` lower-case hex digits (a fake commit id). */
  hex(length: number): string {
    let out = "";
    while (out.length < length) out += this.int(16).toString(16);
    return out;
  }

  /** A v4-shaped uid, deterministic for the seed. */
  uid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}
