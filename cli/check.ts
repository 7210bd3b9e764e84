import { ConfigError, loadConfig, type FeedbackConfig } from "../shared/config";
import type { Log } from "../shared/log";
import { createReceivers, startReceivers, type ReceiverStore } from "../shared/receivers";
import { resolveSecret } from "../shared/secrets";

export interface CheckOptions {
  /** feedback.yaml; undefined: the embedded default. */
  file: string | undefined;
  out: (line: string) => void;
}

const quiet: Log = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** `check` never writes state: receivers that remember provider ids get a store that forgets. */
const forgetfulStore: ReceiverStore = { get: async () => undefined, put: async () => {} };

const noKube = async (): Promise<never> => {
  throw new Error("kube-feedback check does not contact the cluster");
};

/** Starts every receiver the way a cold start does, and reads the kubeconfig reference. */
/** What would stop a receiver or the CommitStatus sync from working; each message names the receiver or the key. */
const problemsOf = async (config: FeedbackConfig): Promise<string[]> => {
  const problems: string[] = [];
  const { failures } = await startReceivers(createReceivers(config), { log: quiet, config, kube: noKube, store: forgetfulStore });
  for (const { error } of failures) problems.push(error.message);
  const { kubeconfig } = config.kubernetes;
  if (kubeconfig) {
    await resolveSecret(kubeconfig, { field: "kubernetes.kubeconfig" }).catch((error: Error) => {
      problems.push(error.message);
    });
  }
  return problems;
};

/**
 * `kube-feedback check [--config F]`: validates the config and resolves
 * every secret reference, as a cold start would, for CI pipelines and before
 * a deploy. Exit 0 when everything would start, 2 with each problem listed.
 */
export const runCheck = async ({ file, out }: CheckOptions): Promise<number> => {
  const source = file ?? "the embedded default config";
  let config: FeedbackConfig;
  let problems: string[];
  try {
    config = loadConfig(file);
    problems = await problemsOf(config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    out(`✗ ${source}: ${error.message}\n`);
    return 2;
  }
  for (const problem of problems) out(`✗ ${problem}\n`);
  if (problems.length > 0) {
    out(`${source}: ${problems.length} problem${problems.length === 1 ? "" : "s"}\n`);
    return 2;
  }
  const receivers = config.receivers.map((r) => r.name).join(", ") || "none";
  out(`✓ ${source}: cluster "${config.cluster}", ${config.watch.length} watched, receivers: ${receivers}; every secret reference resolves\n`);
  return 0;
};
