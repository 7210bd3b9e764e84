/**
 * Cold start: each function's bundle built as it ships (minified, AWS SDK
 * external), its size minified and gzipped, and the time a fresh Node
 * process takes to import it, next to the same for an empty module. The
 * median of several fresh processes, since one start is noisy.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { emptyModule, ROOT, splitBundle } from "./bundle";

export interface StartTimes {
  /** Spawn to exit of `node` importing the module. */
  processMs: number;
  /** The import alone, timed inside the process. */
  importMs: number;
}

export interface ColdStartRow {
  name: string;
  /** The entry and what it imports statically: read at every cold start. */
  minifiedBytes: number;
  gzippedBytes: number;
  /** With the chunks loaded on first use (client-node, secrets clients, receivers' libraries). */
  totalBytes: number;
  bundle: StartTimes;
  empty: StartTimes;
  /** bundle / empty, process start to exit. */
  processRatio: number;
}

const IMPORT_AND_TIME = [
  "const started = performance.now();",
  "await import(process.env.BENCH_MODULE);",
  "process.stdout.write(String(performance.now() - started));",
].join(" ");

const startOnce = (file: string): Promise<StartTimes> =>
  new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["--input-type=module", "-e", IMPORT_AND_TIME], {
      env: { ...process.env, BENCH_MODULE: pathToFileURL(file).href },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.on("exit", (code) => {
      if (code !== 0) reject(new Error(`importing ${file} exited with ${code}`));
      else resolve({ processMs: performance.now() - started, importMs: Number(out) });
    });
  });

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** Alternates the two modules so drift in the machine's load hits both alike. */
const startTimes = async (file: string, baseline: string, runs: number): Promise<{ bundle: StartTimes; empty: StartTimes }> => {
  const a: StartTimes[] = [];
  const b: StartTimes[] = [];
  await startOnce(file);
  for (let i = 0; i < runs; i++) {
    a.push(await startOnce(file));
    b.push(await startOnce(baseline));
  }
  const summary = (list: StartTimes[]) => ({ processMs: median(list.map((t) => t.processMs)), importMs: median(list.map((t) => t.importMs)) });
  return { bundle: summary(a), empty: summary(b) };
};

export const functionNames = (): string[] =>
  readdirSync(join(ROOT, "functions"), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(ROOT, "functions", d.name, "handler.ts")))
    .map((d) => d.name)
    .sort();

export const measureColdStart = async (runs: number): Promise<ColdStartRow[]> => {
  const baseline = emptyModule();
  const rows: ColdStartRow[] = [];
  for (const name of functionNames()) {
    const split = await splitBundle(`functions/${name}/handler.ts`, `functions/${name}`, { external: ["@aws-sdk/*"] });
    const times = await startTimes(split.file, baseline, runs);
    rows.push({
      name,
      minifiedBytes: split.startBytes,
      gzippedBytes: split.startGzippedBytes,
      totalBytes: split.totalBytes,
      ...times,
      processRatio: times.bundle.processMs / times.empty.processMs,
    });
  }
  return rows;
};
