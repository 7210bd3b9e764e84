import { describe, expect, it } from "vitest";
import { InvalidSecretReferenceError, parseSecretReference, resolveSecret, secretReference } from "../../../shared/secrets";

describe("Function: parseSecretReference", () => {
  describe("Form: k8s:<namespace>/<secret>#<key>", () => {
    it.each([
      { ref: "k8s:ci/slack#url", expected: { namespace: "ci", name: "slack", key: "url" } },
      { ref: "k8s:kube-feedback/scm.github-app#private_key.pem", expected: { namespace: "kube-feedback", name: "scm.github-app", key: "private_key.pem" } },
      { ref: "k8s:a/b#Webhook-URL", expected: { namespace: "a", name: "b", key: "Webhook-URL" } },
    ])("returns the namespace, the Secret and the key of $ref", ({ ref, expected }) => {
      // Act
      const parsed = parseSecretReference(ref);

      // Assess
      expect(parsed).toEqual({ source: "k8s", ...expected });
    });

    it.each([
      { ref: "k8s:", why: "nothing after the prefix" },
      { ref: "k8s:ci/slack", why: "no key" },
      { ref: "k8s:ci/slack#", why: "an empty key" },
      { ref: "k8s:slack#url", why: "no namespace" },
      { ref: "k8s:/slack#url", why: "an empty namespace" },
      { ref: "k8s:CI/slack#url", why: "an upper-case namespace" },
      { ref: "k8s:ci/Slack#url", why: "an upper-case Secret name" },
      { ref: "k8s:ci.prod/slack#url", why: "a dot in the namespace (a label, not a subdomain)" },
      { ref: "k8s:ci/team/slack#url", why: "two slashes" },
      { ref: "k8s:ci/slack#url#2", why: "two keys" },
      { ref: "k8s:ci/slack#a/b", why: "a slash in the key" },
      { ref: `k8s:${"n".repeat(64)}/slack#url`, why: "a namespace longer than 63 characters" },
    ])("throws InvalidSecretReferenceError naming the form for $why", ({ ref }) => {
      // Act
      const attempt = () => parseSecretReference(ref, "receivers[0].options.url");

      // Assess
      expect(attempt).toThrow(InvalidSecretReferenceError);
      expect(attempt).toThrow("receivers[0].options.url: k8s: must be followed by namespace/secret#key, such as k8s:ci/slack#url (lower-case names)");
    });
  });
});

describe("Function: secretReference", () => {
  it("accepts a k8s: reference where an option holds a secret", () => {
    // Act
    const result = secretReference().safeParse("k8s:ci/slack#url");

    // Assess
    expect(result.success).toBe(true);
  });
});

describe("Function: resolveSecret", () => {
  it("reads a k8s: reference through the access it is given, and names the Secret when that access fails", async () => {
    // Prepare: an access that cannot be built, as with no cluster around.
    const unreachable = async () => {
      throw new Error("no cluster");
    };

    // Act
    const attempt = resolveSecret("k8s:ci/unit-test-missing#url", { field: "receiver hook: options.url", kube: unreachable });

    // Assess
    await expect(attempt).rejects.toThrow('receiver hook: options.url: Kubernetes Secret ci/unit-test-missing key "url" could not be read: no cluster');
  });
});
