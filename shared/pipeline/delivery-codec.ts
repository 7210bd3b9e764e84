/**
 * The delivery marks as the run item stores them. Every receiver of a run
 * has four marks, a progress hash and count, and perhaps its memory; with
 * field names and `{ s: "done" }` objects that is about 100 bytes a
 * receiver on every write of the item. Stored, a receiver's marks take one
 * letter a field and a mark is a letter (`d` done, `o` open, `x` failed, `k`
 * skipped) or, while a call is in flight, its claim's expiry (epoch ms;
 * with the state hash a progress claim delivers, `[exp, hash]`).
 *
 * Marks are also set path by path after the calls (`settleAssignments`,
 * `reopenClaims`): `storedAssignment` gives such a write its stored path
 * and value.
 */
import type { Deliveries, Mark } from "./lifecycle";

type StoredMark = "d" | "o" | "x" | "k" | number | [number, string];

/** One receiver's deliveries as stored. */
export interface StoredDeliveries {
  c?: StoredMark;
  s?: StoredMark;
  f?: StoredMark;
  p?: StoredMark;
  h?: string;
  n?: number;
  e?: string;
  m?: Record<string, unknown>;
}

const FIELD = {
  created: "c",
  started: "s",
  finished: "f",
  progress: "p",
  ph: "h",
  pc: "n",
  lastError: "e",
  mem: "m",
} as const satisfies Record<keyof Deliveries, keyof StoredDeliveries>;

const MARK_FIELDS: ReadonlySet<string> = new Set(["created", "started", "finished", "progress"]);

const SETTLED = { done: "d", open: "o", failed: "x", skipped: "k" } as const;
const SETTLED_BY_CODE = Object.fromEntries(Object.entries(SETTLED).map(([state, code]) => [code, state])) as Record<string, Mark["s"]>;

const encodeMark = (mark: Mark): StoredMark => {
  if (mark.s !== "claimed") return SETTLED[mark.s];
  const exp = mark.exp ?? 0;
  return mark.h === undefined ? exp : [exp, mark.h];
};

const decodeMark = (stored: StoredMark): Mark => {
  if (typeof stored === "number") return { s: "claimed", exp: stored };
  if (Array.isArray(stored)) return { s: "claimed", exp: stored[0], h: stored[1] };
  return { s: SETTLED_BY_CODE[stored] ?? "open" };
};

const encodeValue = (field: string, value: unknown): unknown => (MARK_FIELDS.has(field) ? encodeMark(value as Mark) : value);

export const encodeDeliveries = (deliveries: Readonly<Record<string, Deliveries>>): Record<string, StoredDeliveries> => {
  const out: Record<string, StoredDeliveries> = {};
  for (const [receiver, marks] of Object.entries(deliveries)) {
    const stored: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(marks)) {
      if (value !== undefined) stored[FIELD[field as keyof Deliveries]] = encodeValue(field, value);
    }
    out[receiver] = stored as StoredDeliveries;
  }
  return out;
};

export const decodeDeliveries = (stored: Readonly<Record<string, StoredDeliveries>>): Record<string, Deliveries> => {
  const out: Record<string, Deliveries> = {};
  for (const [receiver, s] of Object.entries(stored)) {
    const d: Deliveries = {};
    if (s.c !== undefined) d.created = decodeMark(s.c);
    if (s.s !== undefined) d.started = decodeMark(s.s);
    if (s.f !== undefined) d.finished = decodeMark(s.f);
    if (s.p !== undefined) d.progress = decodeMark(s.p);
    if (s.h !== undefined) d.ph = s.h;
    if (s.n !== undefined) d.pc = s.n;
    if (s.e !== undefined) d.lastError = s.e;
    if (s.m !== undefined) d.mem = s.m;
    out[receiver] = d;
  }
  return out;
};

/** A write of `deliveries.<receiver>.<field>` (relative to the run state) as the stored path under the run and value. */
export const storedAssignment = ({ path, value }: { path: readonly string[]; value: unknown }): { path: string[]; value: unknown } => {
  const [root, receiver, field] = path;
  if (root !== "deliveries" || receiver === undefined || field === undefined || !(field in FIELD) || path.length !== 3) {
    throw new Error(`not a delivery field: ${path.join(".")}`);
  }
  return { path: ["d", receiver, FIELD[field as keyof Deliveries]], value: encodeValue(field, value) };
};
