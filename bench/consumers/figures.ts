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
