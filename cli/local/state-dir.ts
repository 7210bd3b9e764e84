import { accessSync, constants, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { ClassicLevel } from "classic-level";

/** The flag and the variable that name the directory, as the user typed them: every error names them. */
export const STATE_DIR_FLAG = "--state-dir";
export const STATE_DIR_ENV = "KUBE_FEEDBACK_STATE_DIR";

/** A state directory that cannot be used: names the flag, the directory and the reason (exit 2 at start). */
export class StateDirError extends Error {
  readonly dir: string;
  constructor(dir: string, reason: string, options?: { cause?: unknown }) {
    super(`${STATE_DIR_FLAG} ${dir}: ${reason}`, options);
    this.name = "StateDirError";
    this.dir = dir;
  }
}

/** A state directory held by this process until `release()`. */
export interface StateDir {
  /** Absolute path of the directory. */
  readonly dir: string;
  /** Where the DynamoDB emulator keeps its LevelDB store. */
  readonly dynamoPath: string;
  release(): Promise<void>;
}

const reasonOf = (error: unknown): string => {
  const cause = (error as { cause?: { message?: unknown } }).cause;
  if (typeof cause?.message === "string") return cause.message;
  return error instanceof Error ? error.message : String(error);
};

/**
 * Creates the directory if needed and takes its lock, so that two processes
 * never write one store: dynalite's LevelDB would refuse the second one only
 * at its first request, as an uncaught stream error.
 *
 * The lock is a LevelDB store of its own (`DIR/lock`) kept open for the life
 * of the process. LevelDB locks its `LOCK` file with fcntl, which the kernel
 * releases when the process ends however it ends, SIGKILL included; a pid
 * file would have to guess whether a leftover one is stale. A second opener
 * gets `LEVEL_LOCKED` (classic-level README, "A classic-level database
 * obtains an exclusive lock"). The lock is taken before the data store is
 * opened, so whoever holds it is the only one to open `DIR/dynamodb`.
 */
export const openStateDir = async (dir: string): Promise<StateDir> => {
  const absolute = resolve(dir);
  try {
    mkdirSync(absolute, { recursive: true });
    accessSync(absolute, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new StateDirError(dir, `cannot be created or written (${(error as Error).message})`, { cause: error });
  }
  const lock = new ClassicLevel(join(absolute, "lock"));
  try {
    await lock.open();
  } catch (error) {
    const code = (error as { cause?: { code?: unknown } }).cause?.code;
    if (code === "LEVEL_LOCKED") {
      throw new StateDirError(dir, "in use by another kube-feedback process (one directory per process)", { cause: error });
    }
    throw new StateDirError(dir, `cannot be written (${reasonOf(error)})`, { cause: error });
  }
  return {
    dir: absolute,
    dynamoPath: join(absolute, "dynamodb"),
    release: () => lock.close(),
  };
};
