import { join } from "node:path";
import { BatchV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalStack, type LocalStack } from "../../cli/local/stack";
import { ConfigMapKnownStore } from "../../relay/known";
import { Relay } from "../../relay/relay";
import { parseConfig } from "../../shared/config";
import type { PipelineInfo } from "../../shared/pipeline/types";
import { LifecycleEvent, type ReceiverContext } from "../../shared/receivers";
import { applyObjects, findApiServerScript, readManifest, REPOSITORY_ROOT, startApiServer, waitForCrds, type RealApiServer } from "../helpers/apiserver";
import { RecordingReceiver } from "../helpers/recording-receiver";
import { eventually, memoryLog } from "../unit/relay/doubles";

const SCRIPT = findApiServerScript("relay-vanished.apiserver.test.ts");
const WORKLOADS = "ci";
const RELAY_NAMESPACE = "relay-system";
const SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
const RUNS = { group: "tekton.dev", version: "v1", namespace: WORKLOADS, plural: "pipelineruns" } as const;
const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

/** Records what the finished run looked like too: where it would be reported. */
class FinishedReceiver extends RecordingReceiver {
  readonly finished: PipelineInfo[] = [];
  override async whenFinished(ctx: ReceiverContext, info: PipelineInfo): Promise<void> {
    await super.whenFinished(ctx, info);
    this.finished.push(info);
  }
}

const gitAnnotations = { "commit-status.argoproj.io/repo-url": "https://github.com/example/shop", "commit-status.argoproj.io/sha": SHA };

describe.skipIf(!SCRIPT)("Class: Relay (kube-apiserver, local stack)", () => {
  let apiserver: RealApiServer;
  let admin: KubeConfig;
  let stack: LocalStack;
  const receiver = new FinishedReceiver("recorder");
  const config = parseConfig({
    cluster: "e2e",
    watch: [
      { group: "tekton.dev", version: "v1", resource: "pipelineruns", namespaces: [WORKLOADS] },
      { group: "batch", version: "v1", resource: "jobs", namespaces: [WORKLOADS] },
    ],
    receivers: [{ name: "recorder", type: "console" }],
  });

  beforeAll(async () => {
    apiserver = await startApiServer(SCRIPT!);
    admin = apiserver.admin();
    const core = admin.makeApiClient(CoreV1Api);
    for (const name of [WORKLOADS, RELAY_NAMESPACE]) await core.createNamespace({ body: { metadata: { name } } });
    const crds = readManifest(join(REPOSITORY_ROOT, "test", "fixtures", "crds", "tekton.yaml"));
    await applyObjects(admin, crds);
    await waitForCrds(admin, crds);
    stack = await startLocalStack({ config, log: memoryLog().log, process: { receivers: [{ receiver, entry: config.receivers[0]! }] } });
  });

  afterAll(async () => {
    await stack?.stop();
    await apiserver?.stop();
  });

  /** A relay process as the relay image runs it: shipping into the stack's queue, its known objects in a ConfigMap. */
  const relayProcess = (): Relay =>
    new Relay({
      cluster: config.cluster,
      watch: config.watch,
      sink: stack.sink,
      log: memoryLog().log,
      buffer: { lingerMs: 5 },
      knownStore: new ConfigMapKnownStore(admin.makeApiClient(CoreV1Api), RELAY_NAMESPACE, "kube-feedback-relay-known"),
    });

  describe("Method: start", () => {
    it("tells receivers finished (cancelled) once for a run deleted while the relay was down, and nothing for the runs still there", async () => {
      // Prepare: a running PipelineRun and a Job that no controller starts (v1.20 runs none), both seen by a first relay process.
      const custom = admin.makeApiClient(CustomObjectsApi);
      const body = { apiVersion: "tekton.dev/v1", kind: "PipelineRun", metadata: { name: "doomed", annotations: gitAnnotations }, spec: { pipelineRef: { name: "build" } } };
      await custom.createNamespacedCustomObject({ ...RUNS, body });
      const running = { conditions: [{ type: "Succeeded", status: "Unknown", reason: "Running" }], startTime: "2026-11-20T10:00:00Z" };
      await custom.patchNamespacedCustomObjectStatus({ ...RUNS, name: "doomed", body: { status: running } }, merge);
      const job = { metadata: { name: "survivor", annotations: gitAnnotations }, spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "main", image: "busybox" }] } } } };
      await admin.makeApiClient(BatchV1Api).createNamespacedJob({ namespace: WORKLOADS, body: job });
      const first = relayProcess();
      await first.start(admin);
      const seen = (run: string, event: LifecycleEvent) => () => receiver.calls.some((c) => c.run === run && c.event === event);
      await eventually("the running run was started", seen("e2e/ci/doomed", LifecycleEvent.Started), 60_000);
      await eventually("the pending Job was created", seen("e2e/ci/survivor", LifecycleEvent.Created), 60_000);
      await first.stop();

      // Act: the run is deleted while no relay runs; then a new relay process starts.
      await custom.deleteNamespacedCustomObject({ ...RUNS, name: "doomed" });
      const second = relayProcess();
      await second.start(admin);
      await eventually("the deleted run was finished", seen("e2e/ci/doomed", LifecycleEvent.Finished), 60_000);
      await second.flush();
      await stack.poller.drained(25);
      await second.stop();

      // Assess
      expect(receiver.lifecycle("e2e/ci/doomed")).toEqual(["created", "started", "finished"]);
      expect(receiver.lifecycle("e2e/ci/survivor")).toEqual(["created"]);
      expect(receiver.finished).toHaveLength(1);
      expect(receiver.finished[0]).toMatchObject({ id: "e2e/ci/doomed", phase: "cancelled", git: { sha: SHA, owner: "example", repo: "shop" } });
    }, 240_000);
  });
});
