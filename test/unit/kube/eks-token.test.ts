import { describe, expect, it } from "vitest";
import { eksToken } from "../../../shared/kube/eks-token";

const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };

const decode = (token: string): URL => new URL(Buffer.from(token.replace(/^k8s-aws-v1\./, ""), "base64url").toString("utf8"));

describe("Function: eksToken", () => {
  it("returns a k8s-aws-v1 token wrapping a presigned STS GetCallerIdentity URL bound to the cluster", async () => {
    // Act
    const token = await eksToken({ clusterName: "prod", region: "eu-west-1", credentials, now: () => new Date("2026-11-20T10:00:00Z") });

    // Assess
    expect(token).toMatch(/^k8s-aws-v1\.[A-Za-z0-9_-]+$/);
    const url = decode(token);
    expect(url.host).toBe("sts.eu-west-1.amazonaws.com");
    expect(url.searchParams.get("Action")).toBe("GetCallerIdentity");
    expect(url.searchParams.get("X-Amz-Expires")).toBe("60");
    expect(url.searchParams.get("X-Amz-SignedHeaders")).toBe("host;x-k8s-aws-id");
    expect(url.searchParams.get("X-Amz-Credential")).toBe("AKIDEXAMPLE/20261120/eu-west-1/sts/aws4_request");
    expect(url.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
  });

  it("returns a different signature for a different cluster", async () => {
    // Prepare
    const at = () => new Date("2026-11-20T10:00:00Z");

    // Act
    const a = await eksToken({ clusterName: "prod", region: "eu-west-1", credentials, now: at });
    const b = await eksToken({ clusterName: "staging", region: "eu-west-1", credentials, now: at });

    // Assess
    expect(decode(a).searchParams.get("X-Amz-Signature")).not.toBe(decode(b).searchParams.get("X-Amz-Signature"));
  });
});
