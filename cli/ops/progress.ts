import type { OpsIo } from "./options";

/**
 * `redriven 12/40` on stderr: redrawn in place on a terminal; elsewhere (CI
 * logs, pipes) a line every `every` steps and a last one when done, so a long
 * run neither floods the log nor stays silent.
 */
export class Progress {
  readonly #io: OpsIo;
  readonly #label: string;
  readonly #every: number;
  #total: number;
  #done = 0;
  #printed = -1;

  constructor(io: OpsIo, label: string, total: number, every = 10) {
    this.#io = io;
    this.#label = label;
    this.#total = total;
    this.#every = every;
  }

  get done(): number {
    return this.#done;
  }

  /** Counts `n` more done; the total grows if the estimate was low (SQS counts are approximate). */
  step(n = 1): void {
    this.#done += n;
    this.#total = Math.max(this.#total, this.#done);
    if (this.#io.isTTY) this.#io.err(`\r${this.#text()}`);
    else if (this.#done - Math.max(0, this.#printed) >= this.#every) this.#line();
  }

  finish(): void {
    if (this.#io.isTTY) this.#io.err(`\r${this.#text()}\n`);
    else if (this.#printed !== this.#done) this.#line();
  }

  #text(): string {
    return `${this.#label} ${this.#done}/${this.#total}`;
  }

  #line(): void {
    this.#printed = this.#done;
    this.#io.err(`${this.#text()}\n`);
  }
}
