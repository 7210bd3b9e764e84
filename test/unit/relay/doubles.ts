/**
 * In-memory doubles for relay tests: a sink that records batches (and can
 * be told to fail), a log that records lines, an operations source held by
 * the test, and object factories.
 */
import type { Envelope, KubeObject } from "../../../shared/envelope";
import type { Log } from "../../../shared/log";
import type { OperationSource, ReceivedOperation, Settlement } from "../../../shared/operations";
import type { SendReport, Sink } from "../../../relay/sinks/types";

export class CountingSink implements Sink {
  readonly name = "counting";
  readonly batches: Envelope[][] = [];
  /** Calls that throw before anything is recorded, to simulate an outage. */
  failures = 0;
  calls = 0;

  get envelopes(): Envelope[] {
    return this.batches.flat();
  }

  async send(envelopes: readonly Envelope[]): Promise<SendReport> {
    this.calls++;
    if (this.failures > 0) {
      this.failures--;
      throw new Error("sink is down");
    }
    this.batches.push([...envelopes]);
    return { sent: envelopes.length, retry: [], rejected: [] };
  }
}

export interface LogLine {
  level: "debug" | "info" | "warn" | "error";
  message: string;
  fields: Record<string, unknown>;
}

export const memoryLog = (): { log: Log; lines: LogLine[] } => {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine["level"]) =>
    (message: unknown, ...rest: unknown[]): void => {
      lines.push({ level, message: String(message), fields: Object.assign({}, ...rest.filter((r) => typeof r === "object")) });
    };
  return { log: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") } as Log, lines };
};

let counter = 0;

export const pipelineRun = (name: string, overrides: { spec?: unknown; status?: unknown; resourceVersion?: string } = {}): KubeObject => ({
  apiVersion: "tekton.dev/v1",
  kind: "PipelineRun",
  metadata: {
    name,
    namespace: "ci",
    uid: `uid-${name}`,
    resourceVersion: overrides.resourceVersion ?? String(++counter),
    annotations: { "commit-status.argoproj.io/sha": "0123456789abcdef0123456789abcdef01234567" },
  },
  spec: overrides.spec ?? { status: "" },
  status: overrides.status ?? { conditions: [{ type: "Succeeded", status: "Unknown", reason: "Running" }] },
});

/** Waits for a condition by polling; fails with `what` after `timeoutMs`. */
export const eventually = async (what: string, condition: () => boolean, timeoutMs = 5_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

/**
 * An operations source whose receives answer only when the test says so
 * (`answer`), or once aborted (`onAbort`).
 */
export class HeldSource implements OperationSource {
  readonly name = "held";
  readonly settled: Settlement[] = [];
  answer: (batch: ReceivedOperation[]) => void = () => undefined;
  receives = 0;
  aborted = false;

  /** What a receive answers once aborted: nothing, as a long poll cut short, unless the test says otherwise. */
  onAbort: ReceivedOperation[] = [];

  receive(_waitSeconds: number, signal: AbortSignal): Promise<ReceivedOperation[]> {
    this.receives++;
    return new Promise((resolve) => {
      const aborted = (): void => {
        this.aborted = true;
        resolve(this.onAbort);
      };
      signal.addEventListener("abort", aborted, { once: true });
      this.answer = (batch) => {
        signal.removeEventListener("abort", aborted);
        resolve(batch);
      };
    });
  }

  async settle(settlement: Settlement): Promise<void> {
    this.settled.push(structuredClone(settlement));
  }
}
