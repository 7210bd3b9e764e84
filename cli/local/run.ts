import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { KubeConfig, VersionApi } from "@kubernetes/client-node";
import type { FeedbackConfig } from "../../shared/config";
import type { Log } from "../../shared/log";
import { readRecording } from "./replay";
import { startLocalStack, type LocalStack } from "./stack";

export interface LocalRunOptions {
  config: FeedbackConfig;
  /** Recordings to replay; when empty, the cluster in KUBECONFIG is watched if one answers. */
  replay: string[];
  /** Recordings replayed when no cluster answers. */
  bundled: string[];
  /** Where the state table persists (`--state-dir`); undefined: in memory. */
  stateDir?: string;
  log: Log;
  out: (line: string) => void;
}

/** The cluster in KUBECONFIG (or ~/.kube/config), if one answers within a couple of seconds. */
const reachableCluster = async (): Promise<KubeConfig | undefined> => {
  const file = process.env.KUBECONFIG ?? join(homedir(), ".kube", "config");
  if (!process.env.KUBERNETES_SERVICE_HOST && !existsSync(file.split(":")[0] ?? file)) return undefined;
  const kc = new KubeConfig();
  try {
    kc.loadFromDefault();
    const version = kc.makeApiClient(VersionApi).getCode();
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), 2_000).unref());
    await Promise.race([version, timeout]);
    return kc;
  } catch {
    return undefined;
  }
};

const dlqDepth = async (stack: LocalStack): Promise<number> => {
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: stack.emulators.dlqUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
  );
  sqs.destroy();
  return Number(Attributes.ApproximateNumberOfMessages ?? 0);
};

/**
 * Replays recordings one watch event at a time, waiting for the queue to
 * drain in between, so the printed feedback follows the recorded order.
 */
const replay = async (stack: LocalStack, files: string[], out: (line: string) => void): Promise<number> => {
  let events = 0;
  for (const file of files) {
    const recording = readRecording(file);
    out(`\n── replaying ${file.split("/").pop()} (${recording.length} watch events)\n`);
    for (const { type, object } of recording) {
      await stack.relay.ship(type, object);
      await stack.relay.flush();
      await stack.poller.drained(25);
      events++;
    }
  }
  return events;
};

/** `kube-feedback local`: returns the exit code. */
export const runLocal = async (options: LocalRunOptions): Promise<number> => {
  const { config, log, out } = options;
  const stack = await startLocalStack({ config, log, ...(options.stateDir === undefined ? {} : { stateDir: options.stateDir }) });
  try {
    if (stack.emulators.stateDir) out(`state kept in ${stack.emulators.stateDir}\n`);
    // Said at start, not at the first event: the other receivers are served all the same.
    for (const { error } of await stack.startReceivers()) out(`✗ ${error.message} (its callbacks are retried)\n`);
    const kc = options.replay.length === 0 ? await reachableCluster() : undefined;
    if (kc) {
      out(`watching ${kc.getCurrentCluster()?.server} as cluster "${config.cluster}" (Ctrl-C to stop)\n`);
      await stack.relay.start(kc);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      return 0;
    }
    const files = options.replay.length > 0 ? options.replay : options.bundled;
    if (options.replay.length === 0) out("no cluster answers: replaying the bundled recordings\n");
    const events = await replay(stack, files, out);
    const dead = await dlqDepth(stack);
    const { invocations, records, failures } = stack.poller.stats;
    out(
      [
        "",
        "── summary",
        `  watch events replayed   ${events}`,
        `  envelopes sent to SQS   ${stack.sink.stats.messages} in ${stack.sink.stats.requests} SendMessageBatch calls`,
        `  process invocations     ${invocations} (${records} records, ${failures} retried)`,
        `  dead-lettered           ${dead}`,
        "",
      ].join("\n"),
    );
    return dead === 0 ? 0 : 1;
  } finally {
    await stack.stop();
  }
};
