import { KubeConfig } from "@kubernetes/client-node";
import type { FeedbackConfig } from "../shared/config";
import type { Log } from "../shared/log";
import { Relay } from "./relay";
import { SqsSink } from "./sink";

/** Runs the relay until SIGINT or SIGTERM, then flushes what is buffered. */
export const runRelay = async (config: FeedbackConfig, queueUrl: string, log: Log, kc?: KubeConfig): Promise<void> => {
  const kubeConfig = kc ?? new KubeConfig();
  if (!kc) kubeConfig.loadFromDefault();
  const relay = new Relay({ cluster: config.cluster, watch: config.watch, sink: new SqsSink({ queueUrl }), log });
  await relay.start(kubeConfig);
  log.info("relay watching", { cluster: config.cluster, resources: config.watch.map((w) => w.resource) });
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await relay.stop();
};
