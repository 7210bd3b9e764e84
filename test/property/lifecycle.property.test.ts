import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Context } from "aws-lambda";
import { startEmulators, type Emulators } from "../../cli/local/emulators";
import { createHandler } from "../../functions/process/handler";
import { parseConfig } from "../../shared/config";
import type { KubeObject } from "../../shared/envelope";
import { LifecycleEvent } from "../../shared/receivers";
import { RecordingReceiver, type RecordedCall } from "../helpers/recording-receiver";
import { sqsEvent, sqsRecord } from "../helpers/sqs-records";

/** One generated run: the successive versions of an Argo Workflow (phase + stage nodes). */
interface Lifecycle {
  uid: string;
  name: string;
  states: KubeObject[];
  /** `phase|stage=phase,…` of each distinct state, in lifecycle order. */
  keys: string[];
}

const NODE_PHASE = { pending: "Pending", running: "Running", succeeded: "Succeeded", failed: "Failed" } as const;
const TERMINAL = { succeeded: "Succeeded", failed: "Failed", errored: "Error" } as const;

const workflow = (uid: string, name: string, rv: number, phase: string, nodes: Array<[string, string]>): KubeObject => ({
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Workflow",
  metadata: { name, namespace: "ci", uid, resourceVersion: String(rv) },
  status: {
    phase,
    ...(phase === "Pending" ? {} : { startedAt: "2026-11-20T10:00:00Z" }),
    nodes: Object.fromEntries(
      nodes.map(([stage, nodePhase], i) => [
        `${name}-${i}`,
        { id: `${name}-${i}`, name: `${name}.${stage}`, displayName: stage, type: "Pod", phase: nodePhase, startedAt: `2026-11-20T10:0${i}:00Z` },
      ]),
    ),
  },
});

/** Pending → Running with each stage going running → done → a terminal phase. */
const lifecycleArb = (index: number): fc.Arbitrary<Lifecycle> =>
  fc
    .record({
      stages: fc.integer({ min: 1, max: 3 }),
      seenPending: fc.boolean(),
      end: fc.constantFrom(...(Object.keys(TERMINAL) as Array<keyof typeof TERMINAL>)),
    })
    .map(({ stages, seenPending, end }) => {
      const uid = `uid-${index}-${stages}-${end}-${seenPending}`;
      const name = `wf-${index}`;
      const names = Array.from({ length: stages }, (_, i) => `step${i}`);
      const nodes: Array<[string, string]> = [];
      const plan: Array<[string, Array<[string, string]>]> = [];
      if (seenPending) plan.push(["Pending", []]);
      for (const stage of names) {
        nodes.push([stage, NODE_PHASE.running]);
        plan.push(["Running", nodes.map((n) => [...n] as [string, string])]);
        nodes[nodes.length - 1] = [stage, end === "succeeded" ? NODE_PHASE.succeeded : NODE_PHASE.failed];
        plan.push(["Running", nodes.map((n) => [...n] as [string, string])]);
      }
      plan.push([TERMINAL[end], nodes.map((n) => [...n] as [string, string])]);
      const states = plan.map(([phase, ns], i) => workflow(uid, name, 100 + i, phase, ns));
      const keys = plan.map(([phase, ns]) => `${phase}|${ns.map(([s, p]) => `${s}=${p}`).join(",")}`);
      return { uid, name, states, keys };
    });

/** Delivery order: every event once, some twice, some moved ahead of their predecessors. */
const deliveryArb = (length: number) =>
  fc.record({
    duplicates: fc.array(fc.integer({ min: 0, max: length - 1 }), { maxLength: length }),
    swaps: fc.array(fc.integer({ min: 0, max: length - 2 }), { maxLength: length }),
  });

const lambdaContext = { awsRequestId: "property", getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

describe("Property: exactly-once lifecycle through the process handler", () => {
  let emulators: Emulators;
  let calls: RecordedCall[];
  let handler: ReturnType<typeof createHandler>;

  beforeAll(async () => {
    emulators = await startEmulators();
    process.env.QUEUE_URL = emulators.queueUrl;
    process.env.DLQ_URL = emulators.dlqUrl;
    process.env.TABLE_NAME = emulators.tableName;
    calls = [];
    const config = parseConfig({
      cluster: "prop",
      watch: [{ group: "argoproj.io", version: "v1alpha1", resource: "workflows" }],
      receivers: [
        { name: "alpha", type: "console" },
        { name: "beta", type: "console" },
      ],
    });
    handler = createHandler({
      config,
      receivers: config.receivers.map((entry) => ({ receiver: new RecordingReceiver(entry.name, calls), entry })),
    });
  });

  afterAll(async () => {
    await emulators?.stop();
  });

  it("calls created, started, finished once each in order, and progress once per distinct state", async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        lifecycleArb(0).chain((run) => deliveryArb(run.states.length).map((delivery) => ({ run, delivery }))),
        async ({ run, delivery }) => {
          // Prepare: a fresh run per case, delivered with duplicates and reordering.
          const uid = `${run.uid}-${round++}`;
          const states = run.states.map((s) => ({ ...s, metadata: { ...s.metadata, uid } }));
          const order = states.map((_, i) => i);
          for (const i of delivery.duplicates) order.splice(order.indexOf(i) + 1, 0, i);
          for (const i of delivery.swaps) [order[i], order[i + 1]] = [order[i + 1]!, order[i]!];
          const before = calls.length;

          // Act: one invocation per delivered event, as SQS would after the reorder.
          for (const i of order) {
            const response = await handler(sqsEvent(sqsRecord("prop", i === 0 ? "ADDED" : "MODIFIED", states[i]!)), lambdaContext);
            expect(response.batchItemFailures).toEqual([]);
          }

          // Assess
          const mine = calls.slice(before);
          for (const receiver of ["alpha", "beta"]) {
            const seen = mine.filter((c) => c.receiver === receiver);
            const lifecycle = seen.filter((c) => c.event !== LifecycleEvent.Progress).map((c) => c.event);
            expect(lifecycle).toEqual(["created", "started", "finished"]);
            const progress = seen.filter((c) => c.event === LifecycleEvent.Progress).map((c) => `${c.phase}|${c.stages}`);
            expect(new Set(progress).size).toBe(progress.length);
            const finishedAt = seen.findIndex((c) => c.event === LifecycleEvent.Finished);
            expect(seen.findIndex((c) => c.event === LifecycleEvent.Started)).toBeLessThan(finishedAt);
            if (delivery.swaps.length === 0) expect(progress).toHaveLength(new Set(run.keys).size);
          }
        },
      ),
      { numRuns: 25, seed: 20261122 },
    );
  });
});
