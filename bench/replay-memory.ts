/**
 * Local replay memory: a long local replay compressed into seconds, once
 * with the state sweeper the local stack runs and once without it (dynalite
 * alone never expires anything). Each side runs in its own child process,
 * bundled, so its memory is its own, and is measured after a full garbage
 * collection. What matters is the ratio: the table, and with it the memory
 * it takes, stays at one TTL's worth of runs with the sweeper and grows with
 * every run without it.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { bundle } from "./bundle";

export interface ReplayMemoryFigures {
  sweep: boolean;
  /** Runs whose state was written: the sampled ones and the copies. */
  runs: number;
  waves: number;
  /** Runs, and their watch events, that went the whole local path. */
  sampledRuns: number;
  sampledEvents: number;
  /** Items in the state table after the last wave (and its sweep). */
  items: number;
  /** The most items the table held after any wave. */
  peakItems: number;
  deleted: number;
  heapUsedKb: number;
  /** Buffers outside the JS heap: memory-level keeps each stored item in one. */
  arrayBuffersKb: number;
  rssKb: number;
  maxRssKb: number;
}

export interface ReplayMemoryResult {
  runs: number;
  waves: number;
  sampledRuns: number;
  sampledEvents: number;
  swept: ReplayMemoryFigures;
  kept: ReplayMemoryFigures;
  /** swept / kept, items left in the table. */
  itemRatio: number;
  /** swept / kept, JS heap plus buffers after a full collection. */
  memoryRatio: number;
  /** swept / kept, RSS at the end. */
  rssRatio: number;
}

// dynalite and fauxqs stay external: they load files at run time, and the
// iterator fix must reach the copy of abstract-level that dynalite loads.
export const buildReplayMemoryConsumer = (): Promise<string> =>
  bundle("bench/consumers/replay-memory.ts", "replay-memory-consumer.mjs", { external: ["@aws-sdk/*", "dynalite", "fauxqs"] });

const replay = (file: string, runs: number, waves: number, sweep: boolean, timeoutMs = 300_000): Promise<ReplayMemoryFigures> =>
  new Promise((resolve, reject) => {
    const env = { ...process.env, BENCH_RUNS: String(runs), BENCH_WAVES: String(waves), BENCH_SWEEP: sweep ? "1" : "0" };
    const child = spawn(process.execPath, ["--expose-gc", file], { env, stdio: ["ignore", "pipe", "inherit"] });
    const timer = setTimeout(() => child.kill(), timeoutMs);
    let figures: ReplayMemoryFigures | undefined;
    createInterface(child.stdout).on("line", (line) => {
      if (line.startsWith("{")) figures = JSON.parse(line) as ReplayMemoryFigures;
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (figures) resolve(figures);
      else reject(new Error(`replay memory child exited (${signal ?? code}) before reporting`));
    });
  });

const memoryKb = (figures: ReplayMemoryFigures): number => figures.heapUsedKb + figures.arrayBuffersKb;

export const measureReplayMemory = async (runs: number, waves: number, consumer: string): Promise<ReplayMemoryResult> => {
  // Side by side: each child's memory is its own, and sharing the CPU changes durations only, which are not reported.
  const [swept, kept] = await Promise.all([replay(consumer, runs, waves, true), replay(consumer, runs, waves, false)]);
  return {
    runs: swept.runs,
    waves,
    sampledRuns: swept.sampledRuns,
    sampledEvents: swept.sampledEvents,
    swept,
    kept,
    itemRatio: swept.items / kept.items,
    memoryRatio: memoryKb(swept) / memoryKb(kept),
    rssRatio: swept.rssKb / kept.rssKb,
  };
};
