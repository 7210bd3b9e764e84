import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../shared/config";
import { clusterKube } from "../../../shared/process/kube-access";
import { rejectionOf } from "./rejection";

const base = { cluster: "prod-eu", watch: [{ version: "v1", resource: "jobs" }] };
const EKS = { clusterName: "prod-us", endpoint: "https://ABC.gr7.us-east-1.eks.amazonaws.com", caData: "LS0t", region: "us-east-1" };

describe("Function: parseConfig (kubernetes.clusters)", () => {
  it("takes a kubeconfig reference or EKS per cluster beside the single form", () => {
    const config = parseConfig({ ...base, kubernetes: { kubeconfig: "env:KC_EU", clusters: { "prod-us": { eks: EKS }, staging: { kubeconfig: "ssm:/kf/staging" } } } });
    expect(Object.keys(config.kubernetes.clusters)).toEqual(["prod-us", "staging"]);
  });

  it.each([
    ["an inline kubeconfig", { staging: { kubeconfig: "apiVersion: v1" } }, "kubernetes.clusters.staging.kubeconfig", "not the secret itself"],
    ["neither kubeconfig nor eks", { staging: {} }, "kubernetes.clusters.staging", "set kubeconfig or eks"],
    ["both", { staging: { kubeconfig: "env:KC", eks: EKS } }, "kubernetes.clusters.staging", "not both"],
    ["an unknown key", { staging: { kubeconfg: "env:KC" } }, "kubernetes.clusters.staging.kubeconfg", "unknown key"],
    ["a cluster name that is not a name", { "Prod US": { kubeconfig: "env:KC" } }, "kubernetes.clusters.Prod US", "is not a cluster name"],
    ["the config's own cluster", { "prod-eu": { kubeconfig: "env:KC" } }, "kubernetes.clusters.prod-eu", "this config's own cluster"],
  ])("throws a ConfigError naming the key for %s", (_case, clusters, path, reason) => {
    const error = rejectionOf(() => parseConfig({ ...base, kubernetes: { clusters } }));
    expect(error.path).toContain(path);
    expect(error.reason).toContain(reason);
  });
});

describe("Function: clusterKube", () => {
  it("gives access to the own cluster and the listed ones, and to no other cluster", () => {
    // Prepare
    const config = parseConfig({ ...base, kubernetes: { clusters: { staging: { kubeconfig: "env:KC_STAGING" } } } });
    const own = async () => {
      throw new Error("not called");
    };

    // Act
    const kube = clusterKube(config, own);

    // Assess
    expect(kube("prod-eu")).toBe(own);
    expect(kube("staging")).toBeTypeOf("function");
    expect(kube("prod-us")).toBeUndefined();
    expect(kube("")).toBeUndefined();
  });
});
