import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

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

/**
 * Starts the CLI from source the way `npm start` runs its bundle, with no
 * cluster around. Node loads tsx as a module hook (`--import tsx`) instead of
 * running the `tsx` binary, which would start the CLI as a child of its own:
 * a signal sent here reaches the CLI, and SIGKILL kills it rather than the
 * wrapper. Asynchronous, so the test worker keeps answering the runner while
 * the child works; the timeout only guards against a hang.
 */
export const startCli = (args: readonly string[], env: Record<string, string> = {}): CliProcess => {
  const child = spawn(process.execPath, ["--import", "tsx", "cli/main.ts", ...args], {
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
