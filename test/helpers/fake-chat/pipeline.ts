import { parseConfig } from "../../../shared/config";
import type { PipelineInfo } from "../../../shared/pipeline/types";
import { createReceivers, LifecycleEvent, type Receiver, type ReceiverContext, type ServiceContext } from "../../../shared/receivers";

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** A finished Tekton run with git context, two stages and a dashboard link. */
export const pipelineInfo = (overrides: Partial<PipelineInfo> = {}): PipelineInfo => ({
  id: "prod/ci/build-7k2x9",
  uid: "0b9c5e0e-4f6a-4d8e-9a57-7f2c1d3e4b5a",
  cluster: "prod",
  apiVersion: "tekton.dev/v1",
  kind: "PipelineRun",
  name: "build-7k2x9",
  namespace: "ci",
  phase: "succeeded",
  stages: [
    { name: "fetch", phase: "succeeded", startedAt: "2024-05-01T10:00:00Z", finishedAt: "2024-05-01T10:00:12Z" },
    { name: "test", phase: "succeeded", startedAt: "2024-05-01T10:00:12Z", finishedAt: "2024-05-01T10:02:05Z" },
  ],
  startedAt: "2024-05-01T10:00:00Z",
  finishedAt: "2024-05-01T10:02:05Z",
  dashboardUrl: "https://dashboard.example.com/#/namespaces/ci/pipelineruns/build-7k2x9",
  git: {
    repoUrl: "https://github.com/acme/shop-api",
    provider: "github",
    host: "github.com",
    owner: "acme",
    repo: "shop-api",
    sha: "3f786850e387550fdab836ed7e6dc881de23001b",
    ref: "refs/heads/main",
  },
  labels: { "tekton.dev/pipeline": "build" },
  annotations: {},
  ...overrides,
});

export const receiverContext = (event: LifecycleEvent = LifecycleEvent.Finished): ReceiverContext => ({ log: silent, event });

/** What `initialize` gets; these receivers only read secrets, so the rest is inert. */
export const serviceContext = (): ServiceContext => {
  const data = new Map<string, Record<string, unknown>>();
  return {
    log: silent,
    config: parseConfig({ cluster: "prod", watch: [{ group: "tekton.dev", version: "v1", resource: "pipelineruns" }] }),
    kube: () => Promise.reject(new Error("no Kubernetes in receiver tests")),
    store: { get: async (key) => data.get(key), put: async (key, value) => void data.set(key, value) },
  };
};

/**
 * Builds one receiver through the config and registry, as the process
 * function does, and initializes it; with its own store unless `sc` shares one
 * (two instances of a function, or one started again).
 */
export const startReceiver = async (type: string, options: Record<string, unknown>, name = type, sc: ServiceContext = serviceContext()): Promise<Receiver> => {
  const config = parseConfig({
    cluster: "prod",
    watch: [{ group: "tekton.dev", version: "v1", resource: "pipelineruns" }],
    receivers: [{ name, type, options }],
  });
  const [configured] = createReceivers(config);
  await configured!.receiver.initialize?.(sc);
  return configured!.receiver;
};

/** Calls all four callbacks in lifecycle order, as the pipeline handler would for one run. */
export const runLifecycle = async (receiver: Receiver, info: PipelineInfo = pipelineInfo()): Promise<void> => {
  await receiver.whenCreated(receiverContext(LifecycleEvent.Created), { ...info, phase: "pending" });
  await receiver.whenStarted(receiverContext(LifecycleEvent.Started), { ...info, phase: "running" });
  await receiver.updateProgress(receiverContext(LifecycleEvent.Progress), { ...info, phase: "running" });
  await receiver.whenFinished(receiverContext(LifecycleEvent.Finished), info);
};
