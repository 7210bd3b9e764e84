import { envelopeBody, type Envelope } from "../../shared/envelope";
import type { SendReport, Sink } from "./types";

export interface StdoutSinkOptions {
  /** Where lines go; defaults to the process's stdout. */
  write?: (line: string) => void;
}

/** One JSON line per envelope, for debugging a relay without AWS or ingest. */
export class StdoutSink implements Sink {
  readonly name = "stdout";
  readonly #write: (line: string) => void;
  readonly stats = { requests: 0, messages: 0 };

  constructor(options: StdoutSinkOptions = {}) {
    this.#write = options.write ?? ((line) => void process.stdout.write(line));
  }

  async send(envelopes: readonly Envelope[]): Promise<SendReport> {
    this.stats.requests++;
    for (const envelope of envelopes) this.#write(`${envelopeBody(envelope).body}\n`);
    this.stats.messages += envelopes.length;
    return { sent: envelopes.length, retry: [], rejected: [] };
  }
}
