import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { openStateDir } from "../../cli/local/state-dir";
import { cli } from "../helpers/cli-process";

const CONFIG = ["cluster: standalone", "watch: [{ group: batch, version: v1, resource: jobs }]", ""];

/** A kubeconfig that parses and names a server nobody listens on: what is checked before any request fails first. */
const KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{ name: nowhere, cluster: { server: "https://127.0.0.1:9" } }]
users: [{ name: nobody, user: { token: t } }]
contexts: [{ name: nowhere, context: { cluster: nowhere, user: nobody } }]
current-context: nowhere
`;

describe("Command: kube-feedback run, at start", () => {
  let dir: string;
  let kubeconfig: string;
  const config = (...lines: string[]): string => {
    const file = join(dir, "feedback.yaml");
    writeFileSync(file, [...CONFIG, ...lines].join("\n"));
    return file;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "kube-feedback-run-start-"));
    kubeconfig = join(dir, "kubeconfig");
    writeFileSync(kubeconfig, KUBECONFIG);
  });

  it("stops with exit 2 naming kubernetes.via when the config asks for the relay's write-back", async () => {
    // Act
    const result = await cli("run", "--config", config("kubernetes: { via: relay }"), "--state-dir", join(dir, "state"), "--kubeconfig", kubeconfig);

    // Assess
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("invalid config: kubernetes.via: kube-feedback run is its cluster's relay and reaches the API server itself");
  }, 60_000);

  it("stops with exit 2 naming --state-dir when none is given", async () => {
    // Act
    const result = await cli("run", "--config", config(), "--kubeconfig", kubeconfig);

    // Assess
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("--state-dir: is required (or KUBE_FEEDBACK_STATE_DIR)");
  }, 60_000);

  it("stops with exit 2 naming --state-dir when another process holds the directory", async () => {
    // Prepare
    const stateDir = join(dir, "state");
    const holder = await openStateDir(stateDir);

    // Act
    const result = await cli("run", "--config", config(), "--state-dir", stateDir, "--kubeconfig", kubeconfig);
    await holder.release();

    // Assess
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`--state-dir ${stateDir}: in use by another kube-feedback process`);
  }, 60_000);

  it("stops with exit 2 naming --kubeconfig when no cluster is given and none is around", async () => {
    // Act: the helper points KUBECONFIG at a file that does not exist.
    const result = await cli("run", "--config", config(), "--state-dir", join(dir, "state"));

    // Assess
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--kubeconfig: cannot be read \(.*no-such-kubeconfig/);
  }, 60_000);
});
