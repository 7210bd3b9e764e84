import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretNotFoundError, SecretUnavailableError, resolveSecret } from "../../shared/secrets";
import { findApiServerScript, startApiServer, type RealApiServer } from "../helpers/apiserver";

const script = findApiServerScript("secrets-k8s.apiserver.test.ts");

/** The access a read goes through; values are cached per reference, so each test reads a reference of its own. */
const access = (kc: KubeConfig) => async () => kc;

describe.skipIf(script === undefined)("Function: resolveSecret, k8s: references on a real kube-apiserver", () => {
  let server: RealApiServer;

  beforeAll(async () => {
    server = await startApiServer(script ?? "");
    const core = server.admin().makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: "ci" } } });
    await core.createNamespacedSecret({
      namespace: "ci",
      body: { metadata: { name: "hooks" }, stringData: { url: "https://hooks.example.com/T/1\n", other: "x" } },
    });
    await core.createNamespacedSecret({ namespace: "ci", body: { metadata: { name: "private" }, stringData: { token: "t0k" } } });
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
  });

  it("returns one key of the Secret, decoded and trimmed", async () => {
    // Act
    const value = await resolveSecret("k8s:ci/hooks#url", { kube: access(server.admin()) });

    // Assess
    expect(value).toBe("https://hooks.example.com/T/1");
  });

  it("throws SecretNotFoundError naming the Secret when it does not exist", async () => {
    // Act
    const attempt = resolveSecret("k8s:ci/absent#url", { field: "receiver hook: options.url", kube: access(server.admin()) });

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(SecretNotFoundError);
    await expect(attempt).rejects.toThrow('receiver hook: options.url: Kubernetes Secret ci/absent key "url" does not exist');
  });

  it("throws SecretNotFoundError naming the key when the Secret has no such key", async () => {
    // Act
    const attempt = resolveSecret("k8s:ci/hooks#missing", { kube: access(server.admin()) });

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(SecretNotFoundError);
    await expect(attempt).rejects.toThrow('Kubernetes Secret ci/hooks key "missing": the Secret has no such key');
  });

  it("reads a key added after a read that found none, without waiting for the cache", async () => {
    // Prepare
    const core = server.admin().makeApiClient(CoreV1Api);
    const kube = access(server.admin());
    await core.createNamespacedSecret({ namespace: "ci", body: { metadata: { name: "later" }, stringData: { other: "x" } } });
    const before = await resolveSecret("k8s:ci/later#token", { kube }).catch((error: Error) => error);

    // Act
    await core.replaceNamespacedSecret({ namespace: "ci", name: "later", body: { metadata: { name: "later" }, stringData: { other: "x", token: "added" } } });
    const value = await resolveSecret("k8s:ci/later#token", { kube });

    // Assess
    expect(before).toBeInstanceOf(SecretNotFoundError);
    expect(value).toBe("added");
  });

  it("throws SecretUnavailableError saying RBAC must grant get when the access may not read it", async () => {
    // Act: the tester user has no permissions at all.
    const attempt = resolveSecret("k8s:ci/private#token", { kube: access(server.tester()) });

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(SecretUnavailableError);
    await expect(attempt).rejects.toThrow('Kubernetes Secret ci/private key "token" could not be read: the API server answered 403 (forbidden: RBAC must grant get on this Secret)');
  });
});
