import { FakeHttpServer, type Answer, type RecordedRequest } from "./server";

const REGION = "eu-west-1";
const ACCOUNT = "123456789012";

/**
 * SSM `GetParameter` and Secrets Manager `GetSecretValue` over the AWS JSON
 * 1.1 protocol (`X-Amz-Target`), so Powertools parameters and the real SDK
 * clients can be pointed at it with `AWS_ENDPOINT_URL_SSM` /
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER`.
 */
export class FakeAwsParameters extends FakeHttpServer {
  readonly parameters = new Map<string, string>();
  readonly secrets = new Map<string, string>();

  /** Calls per operation, e.g. `AmazonSSM.GetParameter`. */
  calls(target: string): RecordedRequest[] {
    return this.requests.filter((r) => r.headers["x-amz-target"] === target);
  }

  static parameterArn(name: string): string {
    return `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/${name.replace(/^\//, "")}`;
  }

  static secretArn(name: string): string {
    return `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`;
  }

  protected handle(request: RecordedRequest): Answer {
    const input = (request.json ?? {}) as Record<string, unknown>;
    switch (request.headers["x-amz-target"]) {
      case "AmazonSSM.GetParameter":
        return this.#getParameter(String(input.Name));
      case "secretsmanager.GetSecretValue":
        return this.#getSecretValue(String(input.SecretId));
      default:
        return error("UnknownOperationException", "operation not supported by the fake");
    }
  }

  #getParameter(nameOrArn: string): Answer {
    const name = nameOrArn.startsWith("arn:") ? `/${nameOrArn.split(":parameter/")[1] ?? ""}` : nameOrArn;
    const value = this.parameters.get(name);
    if (value === undefined) return error("ParameterNotFound", `Parameter ${name} not found.`);
    return json({
      Parameter: { Name: name, Type: "SecureString", Value: value, Version: 1, ARN: FakeAwsParameters.parameterArn(name), DataType: "text" },
    });
  }

  #getSecretValue(arn: string): Answer {
    const name = [...this.secrets.keys()].find((n) => FakeAwsParameters.secretArn(n) === arn || n === arn);
    if (name === undefined) return error("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
    return json({ ARN: FakeAwsParameters.secretArn(name), Name: name, SecretString: this.secrets.get(name), VersionId: "v1", VersionStages: ["AWSCURRENT"] });
  }
}

const json = (body: unknown): Answer => ({ status: 200, headers: { "content-type": "application/x-amz-json-1.1" }, body });

const error = (type: string, message: string): Answer => ({
  status: 400,
  headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": type },
  body: { __type: type, message },
});
