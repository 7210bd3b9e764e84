import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalStack, type LocalStack } from "../../cli/local/stack";
import { parseConfig } from "../../shared/config";
import { LifecycleEvent } from "../../shared/receivers";
import { startFakeKubeApiServer, waitUntil, type FakeKubeApiServer } from "../helpers/fake-kube";
import { RecordingReceiver } from "../helpers/recording-receiver";

const pipelineRun = (status?: Record<string, unknown>) => ({
  apiVersion: "tekton.dev/v1",
  kind: "PipelineRun",
  metadata: {
    name: "release-9xk2q",
    namespace: "ci",
    labels: { "tekton.dev/pipeline": "release" },
    annotations: {
      "commit-status.argoproj.io/repo-url": "https://github.com/example/shop",
      "commit-status.argoproj.io/sha": "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
    },
  },
  spec: { pipelineRef: { name: "release" } },
  ...(status ? { status } : {}),
});

const succeeded = (status: string, reason: string) => ({
  conditions: [{ type: "Succeeded", status, reason, message: reason, lastTransitionTime: "2026-11-20T10:00:00Z" }],
  startTime: "2026-11-20T10:00:00Z",
  childReferences: [{ apiVersion: "tekton.dev/v1", kind: "TaskRun", name: "release-9xk2q-build", pipelineTaskName: "build" }],
});

describe("End to end: relay → SQS → process → DynamoDB → receiver", () => {
  let kube: FakeKubeApiServer;
  let stack: LocalStack;
  const receiver = new RecordingReceiver("recorder");

  beforeAll(async () => {
    kube = await startFakeKubeApiServer();
    const config = parseConfig({
      cluster: "e2e",
      watch: [{ group: "tekton.dev", version: "v1", resource: "pipelineruns" }],
      receivers: [{ name: "recorder", type: "console" }],
    });
    stack = await startLocalStack({ config, process: { receivers: [{ receiver, entry: config.receivers[0]! }] } });
    await stack.relay.start(kube.kubeConfig());
  });

  afterAll(async () => {
    await stack?.stop();
    await kube?.stop();
  });

  it("tells the receiver created, started, finished once each, in order, with one progress per state", async () => {
    // Prepare
    const run = "e2e/ci/release-9xk2q";
    const seen = (event: LifecycleEvent) => () => receiver.calls.some((c) => c.run === run && c.event === event);

    // Act: the run goes Pending → Running → Succeeded on the API server; the relay watches it.
    kube.apply(pipelineRun());
    await waitUntil(seen(LifecycleEvent.Created), 15_000);
    kube.apply(pipelineRun(succeeded("Unknown", "Running")));
    await waitUntil(seen(LifecycleEvent.Started), 15_000);
    kube.apply(pipelineRun(succeeded("True", "Succeeded")));
    await waitUntil(seen(LifecycleEvent.Finished), 15_000);
    await stack.poller.drained(25);

    // Assess
    expect(receiver.lifecycle(run)).toEqual(["created", "started", "finished"]);
    const progress = receiver.calls.filter((c) => c.run === run && c.event === LifecycleEvent.Progress);
    expect(progress.map((c) => c.phase)).toEqual(["pending", "running", "succeeded"]);
    // The run succeeded, so its one task did: a finished run never reports a pending stage.
    expect(progress.at(-1)?.stages).toBe("build=succeeded");
    const requests = kube.requests.map((r) => r.verb);
    expect(requests).toContain("list");
    expect(requests).toContain("watch");
  });
});
