/**
 * The child processes the relay benchmark measures in: each consumer runs
 * in a node of its own, so that its CPU time and peak RSS are its own, and
 * reports on stdout.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

/** A benchmark child: "ready" once set up, then one JSON line of figures per measurement. */
export interface Child<T> {
  ready: Promise<void>;
  /** The next line of figures the child prints. */
  next(): Promise<T>;
  /** Every line of figures, once the child exited. */
  result: Promise<T[]>;
}

/** Runs `file` in a node of its own and reads its figures from its stdout; killed after `timeoutMs`. */
export const start = <T>(file: string, env: Record<string, string>, timeoutMs = 120_000, nodeArgs: string[] = []): Child<T> => {
  const child = spawn(process.execPath, [...nodeArgs, file], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  const timer = setTimeout(() => child.kill(), timeoutMs);
  let ready!: () => void;
  const readyPromise = new Promise<void>((resolve) => (ready = resolve));
  const printed: T[] = [];
  const waiting: Array<(figures: T) => void> = [];
  createInterface(child.stdout).on("line", (line) => {
    if (line === "ready") return ready();
    if (!line.startsWith("{")) return;
    const figures = JSON.parse(line) as T;
    printed.push(figures);
    waiting.shift()?.(figures);
  });
  let read = 0;
  const result = new Promise<T[]>((resolve, reject) => {
    // "close", not "exit": the stdout a child wrote just before exiting may still be unread at "exit".
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (printed.length > 0) resolve(printed);
      else reject(new Error(`benchmark child ${file} exited (${signal ?? code}) before reporting`));
    });
  });
  const next = (): Promise<T> => {
    const index = read++;
    if (index < printed.length) return Promise.resolve(printed[index]!);
    return Promise.race([new Promise<T>((resolve) => waiting.push(resolve)), result.then(() => Promise.reject(new Error(`benchmark child ${file} exited before its figures #${index + 1}`)))]);
  };
  return { ready: readyPromise, next, result };
};
