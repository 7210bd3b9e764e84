import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";

export interface EksTokenOptions {
  /** The EKS cluster's name, bound into the signature through the `x-k8s-aws-id` header. */
  clusterName: string;
  region: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  now?: () => Date;
}

/** EKS accepts the token for 15 minutes; callers refresh well before that. */
export const EKS_TOKEN_LIFETIME_MS = 14 * 60 * 1000;

/**
 * A bearer token for the EKS API server, made exactly as `aws eks get-token`
 * makes it: a presigned STS GetCallerIdentity URL, base64url-encoded behind
 * `k8s-aws-v1.`. No SDK or client-node helper produces one in TypeScript, so
 * the few lines live here, on top of the SDK's own SigV4 signer.
 */
export const eksToken = async (options: EksTokenOptions): Promise<string> => {
  const hostname = `sts.${options.region}.amazonaws.com`;
  const signer = new SignatureV4({
    credentials: options.credentials ?? defaultProvider(),
    region: options.region,
    service: "sts",
    sha256: Hash.bind(null, "sha256"),
  });
  const signed = await signer.presign(
    {
      method: "GET",
      protocol: "https:",
      hostname,
      path: "/",
      query: { Action: "GetCallerIdentity", Version: "2011-06-15" },
      headers: { host: hostname, "x-k8s-aws-id": options.clusterName },
    },
    { expiresIn: 60, ...(options.now ? { signingDate: options.now() } : {}) },
  );
  const query = Object.entries(signed.query ?? {})
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`)
    .join("&");
  const url = `https://${hostname}/?${query}`;
  return `k8s-aws-v1.${Buffer.from(url).toString("base64url")}`;
};
