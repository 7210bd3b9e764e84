import type { KubeConfig } from "@kubernetes/client-node";
import { ConfigError, KubernetesVia, type FeedbackConfig } from "../../shared/config";
import { loadClientNode } from "../../shared/kube";
import { RunSetupError } from "./errors";

const OWN_ACCESS = "kube-feedback run reaches its cluster with --kubeconfig, KUBECONFIG or its pod's service account";

/**
 * What `kube-feedback run` cannot honour, refused at start naming the key:
 * it is the relay of the one cluster it runs in, and its queue listens on
 * loopback only, so no other cluster's relay can feed it and nothing needs
 * operations relayed to a cluster it already reaches.
 */
export const checkStandaloneConfig = (config: FeedbackConfig): void => {
  const { kubernetes } = config;
  if (kubernetes.via === KubernetesVia.Relay) {
    throw new ConfigError("kubernetes.via", "kube-feedback run is its cluster's relay and reaches the API server itself: remove via: relay");
  }
  if (kubernetes.kubeconfig) throw new ConfigError("kubernetes.kubeconfig", `${OWN_ACCESS}: remove it`);
  if (kubernetes.eks) throw new ConfigError("kubernetes.eks", `${OWN_ACCESS}: remove it`);
  const [other] = Object.keys(kubernetes.clusters);
  if (other !== undefined) {
    throw new ConfigError(`kubernetes.clusters.${other}`, "kube-feedback run serves the cluster it watches only: its queue takes no other cluster's relay");
  }
};

/** client-node's last resort when it finds no kubeconfig and no service account (config.js, loadFromDefault). */
const FALLBACK_SERVER = "http://localhost:8080";

/**
 * The process's Kubernetes access: `--kubeconfig`, else KUBECONFIG or
 * ~/.kube/config, else the pod's service account. The flag is put into
 * KUBECONFIG so that everything in the process (the watch, the write-back,
 * `k8s:` secret references) goes through the same access.
 */
export const loadKube = async (file: string | undefined): Promise<KubeConfig> => {
  if (file) process.env.KUBECONFIG = file;
  const { KubeConfig } = await loadClientNode();
  const kc = new KubeConfig();
  try {
    kc.loadFromDefault();
  } catch (error) {
    throw new RunSetupError("--kubeconfig", `cannot be read (${(error as Error).message})`, { cause: error });
  }
  const server = kc.getCurrentCluster()?.server;
  if (!server || server === FALLBACK_SERVER) {
    throw new RunSetupError("--kubeconfig", "no cluster: give --kubeconfig, set KUBECONFIG, or run in a pod with a service account");
  }
  return kc;
};
