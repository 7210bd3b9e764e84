import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../shared/config";
import { clusterKube, clusterVia, receiverKube } from "../../../shared/process/kube-access";
import { rejectionOf } from "./rejection";

const COMMIT_STATUSES = { group: "commit-status.argoproj.io", version: "v1alpha1", resource: "commitstatuses" };
const GIT_REPOS = { group: "commit-status.argoproj.io", version: "v1alpha1", resource: "gitrepos" };
const base = { cluster: "prod-eu", watch: [COMMIT_STATUSES, GIT_REPOS] };

describe("Function: parseConfig (kubernetes.via)", () => {
  it("defaults to direct, and takes relay for the own cluster and per cluster without any access", () => {
    // Act
    const direct = parseConfig(base);
    const relayed = parseConfig({ ...base, kubernetes: { via: "relay", clusters: { "prod-us": { via: "relay" }, staging: { kubeconfig: "env:KC" } } } });

    // Assess
    expect(direct.kubernetes.via).toBe("direct");
    expect(clusterVia(relayed, "prod-eu")).toBe("relay");
    expect(clusterVia(relayed, "prod-us")).toBe("relay");
    expect(clusterVia(relayed, "staging")).toBe("direct");
    expect(clusterVia(relayed, "elsewhere")).toBeUndefined();
  });

  it.each([
    ["an unknown way", { kubernetes: { via: "vpn" } }, "kubernetes.via", /./],
    ["relay beside a kubeconfig", { kubernetes: { via: "relay", kubeconfig: "env:KC" } }, "kubernetes.via", /remove kubeconfig and eks/],
    ["relay beside EKS for a cluster", { kubernetes: { clusters: { "prod-us": { via: "relay", kubeconfig: "env:KC" } } } }, "kubernetes.clusters.prod-us", /remove kubeconfig and eks/],
    ["a cluster with neither access nor relay", { kubernetes: { clusters: { "prod-us": {} } } }, "kubernetes.clusters.prod-us", /set kubeconfig or eks, or via: relay/],
    ["relay while CommitStatuses but not GitRepos are watched", { watch: [COMMIT_STATUSES], kubernetes: { via: "relay" } }, "watch", /reads GitRepos from the relay's watch/],
  ])("throws a ConfigError naming the key for %s", (_case, change, path, reason) => {
    // Act
    const error = rejectionOf(() => parseConfig({ ...base, ...change }));

    // Assess
    expect(error.path).toBe(path);
    expect(error.reason).toMatch(reason);
  });
});

describe("Function: clusterKube (via relay)", () => {
  it("builds no access for a cluster reached through its relay, and keeps no given own access for it", async () => {
    // Prepare
    const config = parseConfig({ ...base, kubernetes: { via: "relay", clusters: { staging: { kubeconfig: "env:KC" }, "prod-us": { via: "relay" } } } });
    let used = 0;
    const own = async () => {
      used++;
      throw new Error("the process side must not reach the cluster");
    };

    // Act
    const kube = clusterKube(config, own);

    // Assess
    expect(kube("prod-eu")).toBeUndefined();
    expect(kube("prod-us")).toBeUndefined();
    expect(kube("staging")).toBeTypeOf("function");
    await expect(receiverKube(config, kube)()).rejects.toThrow('kubernetes.via is relay for cluster "prod-eu"');
    expect(used).toBe(0);
  });
});
