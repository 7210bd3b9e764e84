import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";
import { afterAll } from "vitest";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

export interface CliResult {
  status: number | null;
  /** The signal that ended the process, when one did (SIGKILL for a killed run). */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  /** Sends a signal to the CLI process itself (not to a wrapper around it). */
  kill(signal: NodeJS.Signals): void;
  /** What it printed so far. */
  stdout(): string;
  result: Promise<CliResult>;
}

let bundled: { pkg: string; cli: string } | undefined;

// Registered while the test file imports this module: the file's own bundle goes with the file.
afterAll(() => {
  if (bundled !== undefined) rmSync(bundled.pkg, { recursive: true, force: true });
});

/**
 * The CLI bundled from the current sources, the way `npm start` runs it
 * (scripts/build.mjs's options for cli/main.ts: dependencies stay in
 * node_modules, so its plugins have nothing to act on), once per test file.
 * The bundle sits in a package laid out as installed: dist/cli.mjs beside
 * recordings/ and node_modules/ (links to this checkout's), which cli/main.ts
 * and the emulators resolve relative to it. Node then loads it without a
 * TypeScript hook resolving and compiling each of the thousands of modules
 * the CLI imports, which took seconds of CPU at every start.
 */
const cliBundle = (): string => {
  if (bundled !== undefined) return bundled.cli;
  // Removed after the file's tests; rmSync removes the links, not what they point to.
  const pkg = mkdtempSync(join(tmpdir(), "kube-feedback-cli-"));
  mkdirSync(join(pkg, "dist"));
  for (const dir of ["node_modules", "recordings"]) symlinkSync(join(repoRoot, dir), join(pkg, dir), "dir");
  const outfile = join(pkg, "dist", "cli.mjs");
  buildSync({
    absWorkingDir: repoRoot,
    entryPoints: [join(repoRoot, "cli", "main.ts")],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    sourcemap: true,
    logLevel: "error",
  });
  bundled = { pkg, cli: outfile };
  return outfile;
};

/**
 * Starts the CLI built from source the way `npm start` runs its bundle, with
 * no cluster around. Node runs the bundle itself: a signal sent here reaches
 * the CLI, and SIGKILL kills it rather than a wrapper. Stack traces point at
 * the sources (source maps). Asynchronous, so the test worker keeps answering
 * the runner while the child works; the timeout only guards against a hang.
 */
export const startCli = (args: readonly string[], env: Record<string, string> = {}): CliProcess => {
  const child = spawn(process.execPath, ["--enable-source-maps", cliBundle(), ...args], {
    cwd: repoRoot,
    timeout: 120_000,
    env: {
      ...process.env,
      KUBECONFIG: join(tmpdir(), "kube-feedback-no-such-kubeconfig"),
      POWERTOOLS_LOG_LEVEL: "WARN",
      ...env,
    },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => void (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => void (stderr += chunk));
  const result = new Promise<CliResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
  return {
    kill: (signal) => void child.kill(signal),
    stdout: () => stdout,
    result,
  };
};

/** Runs the CLI to its end. */
export const cli = (...args: string[]): Promise<CliResult> => startCli(args).result;
