/**
 * The one line of figures every relay-benchmark consumer prints for the
 * parent (bench/relay.ts reads it as `ConsumerFigures`): events counted,
 * wall and CPU time since the measured stream began, RSS when ready and at
 * peak.
 */
export interface Mark {
  startedAt: number;
  cpuAtStart: NodeJS.CpuUsage;
}

/** Now, as the start of what is measured. */
export const markStart = (): Mark => ({ startedAt: performance.now(), cpuAtStart: process.cpuUsage() });

export const printFigures = (events: number, since: Mark, rssAtReadyKb: number): void => {
  const cpu = process.cpuUsage(since.cpuAtStart);
  process.stdout.write(
    `${JSON.stringify({
      events,
      wallMs: performance.now() - since.startedAt,
      cpuMs: (cpu.user + cpu.system) / 1000,
      rssAtReadyKb,
      maxRssKb: process.resourceUsage().maxRSS,
    })}\n`,
  );
};

/**
 * A consumer's events in rounds: the parent replays the same events
 * BENCH_ROUNDS times, and each round's figures are printed when its last
 * event is counted, so that the first replay after start (V8 still
 * compiling) and a later one (the steady state of a long-running process)
 * are measured apart.
 */
export class Rounds {
  readonly perRound = Number(process.env.BENCH_EVENTS);
  readonly rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 1));
  #since: Mark = markStart();
  #done = 0;

  /** Marks the start of the next round. */
  begin(): void {
    this.#since = markStart();
  }

  /** Events counted so far, over all rounds: prints a round's figures once it is complete; true after the last. */
  counted(total: number, rssAtReadyKb: number): boolean {
    if (total < (this.#done + 1) * this.perRound) return false;
    printFigures(this.perRound, this.#since, rssAtReadyKb);
    this.#done++;
    return this.#done === this.rounds;
  }

  /** Flushing points: the last event of a round. */
  endsRound(total: number): boolean {
    return total % this.perRound === 0;
  }
}
