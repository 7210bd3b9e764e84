import { describe, expect, it } from "vitest";
import { parseConfig, parseConfigYaml } from "../../../shared/config";
import { BASE_YAML, rejectionOf } from "./rejection";

const INLINE = "apiVersion: v1\nkind: Config\nusers:\n- name: ci\n  user:\n    token: sk-live-kubeconfig-secret\n";

const withKubeconfig = (kubeconfig: unknown) => ({ cluster: "a", watch: [{ version: "v1", resource: "jobs" }], kubernetes: { kubeconfig } });

describe("Function: parseConfigYaml", () => {
  describe("kubernetes.kubeconfig", () => {
    it.each([
      ["an inline kubeconfig", `${BASE_YAML}kubernetes:\n  kubeconfig: |\n${INLINE.replace(/^/gm, "    ")}`, "must be a secret reference (env:NAME, ssm:/parameter/name, k8s:namespace/secret#key, or an arn:aws:ssm:…:parameter/… or arn:aws:secretsmanager:… ARN), not the secret itself"],
      ["a bare token", `${BASE_YAML}kubernetes: { kubeconfig: sk-live-kubeconfig-secret }\n`, "not the secret itself"],
      ["a file name", `${BASE_YAML}kubernetes: { kubeconfig: kubeconfig.yaml }\n`, "not the secret itself"],
      ["env: without a name", `${BASE_YAML}kubernetes: { kubeconfig: "env:" }\n`, "env: must be followed by an environment variable name"],
      ["an ARN of another service", `${BASE_YAML}kubernetes: { kubeconfig: "arn:aws:s3:::bucket/kubeconfig" }\n`, "is an ARN but not of an SSM parameter or a Secrets Manager secret"],
      ["an empty string", `${BASE_YAML}kubernetes: { kubeconfig: "" }\n`, "must be a secret reference"],
      ["a number", `${BASE_YAML}kubernetes: { kubeconfig: 1 }\n`, "must be a string such as env:NAME"],
    ])("throws a ConfigError that does not repeat the value for %s", (_case, yaml, reason) => {
      // Act
      const error = rejectionOf(() => parseConfigYaml(yaml));

      // Assess
      expect(error.path).toBe("kubernetes.kubeconfig");
      expect(error.reason).toContain(reason);
      expect(error.message).not.toContain("sk-live");
      expect(error.message).not.toContain("apiVersion");
      expect(error.message).not.toContain("kubeconfig.yaml");
    });

    it.each([
      ["an environment variable", "env:KUBECONFIG_DATA"],
      ["an SSM parameter", "ssm:/kube-feedback/kubeconfig"],
      ["an SSM parameter ARN", "arn:aws:ssm:eu-west-1:123456789012:parameter/kube-feedback/kubeconfig"],
      ["a Secrets Manager secret's key", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:kubeconfig-AbCdEf#prod"],
    ])("accepts a reference to %s", (_case, reference) => {
      // Act
      const config = parseConfigYaml(`${BASE_YAML}kubernetes: { kubeconfig: "${reference}" }\n`);

      // Assess
      expect(config.kubernetes.kubeconfig).toBe(reference);
    });
  });
});

describe("Function: parseConfig", () => {
  it("throws a ConfigError for an inline kubeconfig built in code", () => {
    // Act
    const error = rejectionOf(() => parseConfig(withKubeconfig(INLINE)));

    // Assess
    expect(error.path).toBe("kubernetes.kubeconfig");
    expect(error.reason).toContain("not the secret itself");
    expect(error.message).not.toContain("sk-live");
  });
});
