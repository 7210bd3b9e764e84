import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { Logger } from "@aws-lambda-powertools/logger";
import { z } from "zod";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { readRecording } from "../../cli/local/replay";
import { startLocalStack, type LocalStack } from "../../cli/local/stack";
import { parseConfig } from "../../shared/config";
import { clearSecretValues, logger, REDACTED, registerSecretValue } from "../../shared/log";
import type { PipelineInfo } from "../../shared/pipeline/types";
import { registerReceiver, type Receiver, type ReceiverContext } from "../../shared/receivers";
import { resolveSecret, secretReference } from "../../shared/secrets";

// Powertools reads both settings when the logger and the metrics are
// constructed, on import, and the logger returns to its construction-time
// level at every warm invocation, so `setLogLevel` would not last: the level
// is set the way Lambda sets it. POWERTOOLS_DEV (set for tests) turns metrics
// off unless told otherwise. vi.hoisted runs before the imports.
const previousLogLevel = vi.hoisted(() => {
  const previous = process.env.POWERTOOLS_LOG_LEVEL;
  process.env.POWERTOOLS_LOG_LEVEL = "DEBUG";
  process.env.POWERTOOLS_METRICS_DISABLED = "false";
  return previous;
});

const SECRET_VARIABLE = "KUBE_FEEDBACK_LOG_TEST_HOOK_SECRET";
const secret = `whsec_${randomUUID()}`;

/** A receiver that handles its credential as carelessly as a plugin might: in messages, attributes and errors. */
class CarelessHook implements Receiver {
  readonly name: string;
  readonly #reference: string;
  #secret = "";
  #failedOnce = false;
  attempts = 0;
  readonly delivered: string[] = [];

  constructor(name: string, reference: string) {
    this.name = name;
    this.#reference = reference;
  }

  async initialize(): Promise<void> {
    this.#secret = await resolveSecret(this.#reference, { field: `receiver ${this.name}: options.secret` });
    // What the secrets module does for every value it resolves.
    registerSecretValue(this.#secret);
  }

  async #post(ctx: ReceiverContext, info: PipelineInfo): Promise<void> {
    this.attempts++;
    ctx.log.info(`signed ${ctx.event} with ${this.#secret}`);
    ctx.log.debug("posting", {
      headers: { authorization: `Bearer ${this.#secret}` },
      url: `https://ci:${this.#secret}@hooks.example.com/runs`,
      run: info.id,
    });
    if (ctx.event === "created" && !this.#failedOnce) {
      this.#failedOnce = true;
      throw new Error(`hook refused key ${this.#secret}`);
    }
    this.delivered.push(`${info.id} ${ctx.event}`);
  }

  whenCreated(ctx: ReceiverContext, info: PipelineInfo) {
    return this.#post(ctx, info);
  }
  whenStarted(ctx: ReceiverContext, info: PipelineInfo) {
    return this.#post(ctx, info);
  }
  updateProgress(ctx: ReceiverContext, info: PipelineInfo) {
    return this.#post(ctx, info);
  }
  whenFinished(ctx: ReceiverContext, info: PipelineInfo) {
    return this.#post(ctx, info);
  }
}

const hooks: CarelessHook[] = [];
registerReceiver("careless-hook", {
  options: z.strictObject({ secret: secretReference() }),
  create: (name, options) => {
    const hook = new CarelessHook(name, options.secret);
    hooks.push(hook);
    return hook;
  },
});

const RECORDINGS = ["tekton-pipelinerun.ndjson", "job.ndjson"].map((name) =>
  fileURLToPath(new URL(`../../recordings/${name}`, import.meta.url)),
);

const CORRELATION = ["messageId", "cluster", "namespace", "kind", "name", "uid"] as const;

type Line = Record<string, unknown>;

interface Emf {
  _aws: { CloudWatchMetrics: Array<{ Dimensions: string[][] }> };
  [key: string]: unknown;
}

const sum = (value: unknown): number => (Array.isArray(value) ? value.reduce((a: number, b: number) => a + b, 0) : Number(value ?? 0));

describe("Logging: a full replay through the local stack at DEBUG", () => {
  let stack: LocalStack;
  const printed: string[] = [];

  beforeAll(async () => {
    process.env[SECRET_VARIABLE] = secret;
    // Under POWERTOOLS_DEV the logger and the metrics write through the global console.
    for (const method of ["debug", "info", "warn", "error", "log"] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(" ")));
    }
    const config = parseConfig({
      cluster: "logs",
      watch: [{ group: "batch", version: "v1", resource: "jobs" }],
      receivers: [{ name: "hook", type: "careless-hook", options: { secret: `env:${SECRET_VARIABLE}` } }],
      processing: { backoff: { baseSeconds: 1, capSeconds: 1 } },
    });
    // The relay logs through its own logger so that process lines can be told apart by service.
    const relayLog = new Logger({ serviceName: "relay-under-test", logLevel: "DEBUG" });
    stack = await startLocalStack({ config, log: relayLog });
    for (const file of RECORDINGS) {
      for (const { type, object } of readRecording(file)) {
        await stack.relay.ship(type, object);
        await stack.relay.flush();
        await stack.poller.drained(25);
      }
    }
  });

  afterAll(async () => {
    await stack?.stop();
    vi.restoreAllMocks();
    clearSecretValues();
    if (previousLogLevel === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
    else process.env.POWERTOOLS_LOG_LEVEL = previousLogLevel;
    delete process.env[SECRET_VARIABLE];
    delete process.env.POWERTOOLS_METRICS_DISABLED;
  });

  const parsed = (): Array<Line | Emf> => printed.map((text) => JSON.parse(text) as Line);
  const processLines = (): Line[] => parsed().filter((l): l is Line => "level" in l && l.service === "kube-feedback");
  const emf = (): Emf[] => parsed().filter((l): l is Emf => "_aws" in l);

  it("prints only JSON, and every process line carries the event's correlation fields", () => {
    // Act
    const lines = processLines();

    // Assess
    expect(logger.getLevelName()).toBe("DEBUG");
    expect(lines.some((l) => l.level === "DEBUG")).toBe(true);
    expect(printed.length).toBeGreaterThan(0);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      for (const field of CORRELATION) {
        expect(typeof line[field], `${field} in ${JSON.stringify(line)}`).toBe("string");
        expect(line[field], `${field} in ${JSON.stringify(line)}`).not.toBe("");
      }
      expect(line.cluster).toBe("logs");
    }
    // Every message sent to the queue logged at least once under its own id.
    expect(new Set(lines.map((l) => l.messageId)).size).toBe(stack.sink.stats.messages);
  });

  it("never prints the secret configured for the run, wherever it was logged", () => {
    // Act
    const leaks = printed.filter((text) => text.includes(secret));
    const lines = processLines();

    // Assess
    expect(hooks).toHaveLength(1);
    const hook = hooks[0]!;
    expect(leaks).toEqual([]);
    const signed = lines.filter((l) => typeof l.message === "string" && /^signed \w+ with /.test(l.message));
    expect(signed).toHaveLength(hook.attempts);
    for (const line of signed) expect(line.message).toMatch(new RegExp(`with \\${REDACTED}$`));
    const posting = lines.filter((l) => l.message === "posting");
    expect(posting).toHaveLength(hook.attempts);
    for (const line of posting) {
      expect(line.headers).toEqual({ authorization: REDACTED });
      expect(line.url).toBe(`https://${REDACTED}@hooks.example.com/runs`);
    }
    const failed = lines.filter((l) => l.message === "receiver hook failed on created");
    expect(failed.map((l) => l.error)).toEqual([`hook refused key ${REDACTED}`]);
  });

  it("emits EMF metrics that count every record handled and every delivery", () => {
    // Act
    const blobs = emf();
    const dims = (b: Emf) => b._aws.CloudWatchMetrics[0]!.Dimensions[0]!;
    const totals = blobs.filter((b) => dims(b).length === 1 && dims(b)[0] === "service");
    const deliveries = (outcome: string) =>
      blobs.filter((b) => b.receiver === "hook" && b.outcome === outcome).reduce((n, b) => n + sum(b.Deliveries), 0);

    // Assess
    const hook = hooks[0]!;
    expect(totals.reduce((n, b) => n + sum(b.EventsProcessed), 0)).toBe(stack.poller.stats.records);
    expect(totals.reduce((n, b) => n + sum(b.EventRetries), 0)).toBe(stack.poller.stats.failures);
    expect(deliveries("delivered")).toBe(hook.delivered.length);
    expect(deliveries("failed")).toBe(1);
    expect(hook.attempts).toBe(hook.delivered.length + 1);
  });
});

