/**
 * Points the AWS SDK at fake endpoints the way an operator points it at a
 * VPC endpoint or an emulator: through the SDK's own per-service variables
 * (`AWS_ENDPOINT_URL_<SERVICE_ID>`, the service id upper-cased with spaces
 * as underscores: SESV2, EVENTBRIDGE, SNS; see
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html),
 * with a region and throwaway credentials so requests are signed as usual.
 */
const BASE = { AWS_REGION: "eu-west-1", AWS_ACCESS_KEY_ID: "AKIDFAKE", AWS_SECRET_ACCESS_KEY: "fake-secret" } as const;

export const AWS_TEST_REGION = BASE.AWS_REGION;
export const AWS_TEST_ACCOUNT = "123456789012";

/** Sets the variables and returns a function that puts every one of them back as it was. */
export const useAwsEndpoints = (endpoints: Record<string, string>): (() => void) => {
  const values: Record<string, string> = { ...BASE, ...endpoints };
  const saved = new Map(Object.keys(values).map((name) => [name, process.env[name]]));
  // A profile in the developer's environment must not decide the test's region or credentials.
  saved.set("AWS_PROFILE", process.env.AWS_PROFILE);
  delete process.env.AWS_PROFILE;
  Object.assign(process.env, values);
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
};
