import { readFileSync } from "node:fs";
import { EnvelopeType, kubeObjectSchema, type KubeObject } from "../../shared/envelope";

/** One recorded watch event: a line of an `.ndjson` recording. */
export interface RecordedEvent {
  type: EnvelopeType;
  object: KubeObject;
}

/** A recording that cannot be replayed: names the file, the line and the reason. */
export class RecordingError extends Error {
  constructor(file: string, line: number, reason: string) {
    super(`${file}:${line}: ${reason}`);
    this.name = "RecordingError";
  }
}

const TYPES = new Set<string>(Object.values(EnvelopeType));

/** Reads a recording of watch events (`{"type": "ADDED", "object": {...}}` per line). */
export const readRecording = (file: string): RecordedEvent[] =>
  readFileSync(file, "utf8")
    .split("\n")
    .map((line, index) => ({ line: line.trim(), number: index + 1 }))
    .filter(({ line }) => line && !line.startsWith("//"))
    .map(({ line, number }) => {
      let value: { type?: unknown; object?: unknown };
      try {
        value = JSON.parse(line);
      } catch (error) {
        throw new RecordingError(file, number, `not JSON (${(error as Error).message})`);
      }
      if (typeof value.type !== "string" || !TYPES.has(value.type)) {
        throw new RecordingError(file, number, `type must be one of ${[...TYPES].join(", ")}`);
      }
      const object = kubeObjectSchema().safeParse(value.object);
      if (!object.success) throw new RecordingError(file, number, `object: ${object.error.issues[0]?.message ?? "invalid"}`);
      return { type: value.type as EnvelopeType, object: object.data as KubeObject };
    });
