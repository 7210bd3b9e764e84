import { describe, expect, it } from "vitest";
import {
  InvalidOperationError,
  makeOperation,
  operationGroupId,
  operationId,
  operationsQueueUrls,
  parseOperation,
  serializeOperation,
} from "../../../shared/operations";
import { ConfigError } from "../../../shared/config";
import { OperationsQueueMissingError } from "../../../shared/operations";

const AT = new Date("2026-11-20T10:00:00Z");
const patch = (status: Record<string, unknown> = { isSynced: true }) =>
  makeOperation("prod-eu", { op: "patchStatus", namespace: "apps", name: "deploy", uid: "cs-1", generation: 2, status }, AT);

const rejection = (body: string): InvalidOperationError => {
  try {
    parseOperation(body);
  } catch (error) {
    if (error instanceof InvalidOperationError) return error;
    throw error;
  }
  throw new Error("parsed");
};

describe("Function: makeOperation", () => {
  it("returns a v1 operation of the cluster, stamped with its time", () => {
    // Act
    const operation = patch();

    // Assess
    expect(operation).toEqual({ v: 1, cluster: "prod-eu", at: "2026-11-20T10:00:00.000Z", op: "patchStatus", namespace: "apps", name: "deploy", uid: "cs-1", generation: 2, status: { isSynced: true } });
    expect(parseOperation(serializeOperation(operation))).toEqual(operation);
  });

  it("throws for a status patch over SQS's message limit instead of leaving it to block its group", () => {
    // Act & Assess
    expect(() => patch({ message: "x".repeat(300_000) })).toThrow(/more than the 262144 an SQS message may have/);
  });

  it("throws naming uid when the group id would break SQS's rules", () => {
    // Act & Assess
    expect(() => makeOperation("prod-eu", { op: "patchStatus", namespace: "apps", name: "deploy", uid: "a b", status: {} }, AT)).toThrow(
      expect.objectContaining({ path: "uid" }),
    );
  });
});

describe("Function: operationGroupId", () => {
  it("returns cluster/uid for a status patch, so one resource's patches apply in order", () => {
    // Act & Assess
    expect(operationGroupId(patch())).toBe("prod-eu/cs-1");
  });

  it("returns one bounded group per GitRepo for resends and one per cluster for relists", () => {
    // Prepare
    const resend = (name: string) => makeOperation("prod-eu", { op: "resendGitRepo", namespace: "apps", name: name }, AT);

    // Act
    const long = operationGroupId(resend("a".repeat(253)));

    // Assess
    expect(long.length).toBeLessThanOrEqual(128);
    expect(operationGroupId(resend("shop"))).toBe(operationGroupId(resend("shop")));
    expect(operationGroupId(resend("shop"))).not.toBe(operationGroupId(resend("web")));
    expect(operationGroupId(makeOperation("prod-eu", { op: "relist" }, AT))).toBe("prod-eu/relist");
  });
});

describe("Function: operationId", () => {
  it("returns the same id for the same content and another for another time or another status", () => {
    // Act & Assess
    expect(operationId(patch())).toMatch(/^[0-9a-f]{64}$/);
    expect(operationId(patch())).toBe(operationId(patch()));
    expect(operationId(patch({ isSynced: false }))).not.toBe(operationId(patch()));
    expect(operationId(makeOperation("prod-eu", { op: "relist" }, new Date("2026-11-20T10:00:01Z")))).not.toBe(
      operationId(makeOperation("prod-eu", { op: "relist" }, AT)),
    );
  });
});

describe("Function: parseOperation", () => {
  it.each([
    ["not JSON", "{", "", /body is not JSON/],
    ["an unknown operation", JSON.stringify({ v: 1, cluster: "a", at: AT.toISOString(), op: "delete", namespace: "apps", name: "x" }), "op", /./],
    ["another version", JSON.stringify({ ...patch(), v: 2 }), "v", /./],
    ["an unknown field", JSON.stringify({ ...patch(), verb: "PUT" }), "verb", /unknown field/],
    ["a patch without uid", JSON.stringify({ ...patch(), uid: undefined }), "uid", /./],
    ["a name that is not a Kubernetes name", JSON.stringify({ ...patch(), name: "Deploy Shop" }), "name", /Kubernetes name/],
    ["a cluster name with spaces", JSON.stringify({ ...patch(), cluster: "prod eu" }), "cluster", /letters, digits/],
  ])("throws InvalidOperationError naming the field for %s", (_case, body, path, reason) => {
    // Act
    const error = rejection(body);

    // Assess
    expect(error.path).toBe(path);
    expect(error.reason).toMatch(reason);
  });

  it("throws for a body nested deeper than the envelope limit before validating it", () => {
    // Prepare
    let status: Record<string, unknown> = {};
    for (let i = 0; i < 100; i++) status = { a: status };

    // Act
    const error = rejection(JSON.stringify({ ...patch(), status }));

    // Assess
    expect(error.reason).toMatch(/nested deeper than 64 levels/);
  });
});

describe("Function: operationsQueueUrls", () => {
  it("returns the own cluster's queue from OPERATIONS_QUEUE_URL and the others' from OPERATIONS_QUEUE_URLS", () => {
    // Act
    const urlOf = operationsQueueUrls("prod-eu", {
      OPERATIONS_QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/1/ops-eu.fifo",
      OPERATIONS_QUEUE_URLS: JSON.stringify({ "prod-us": "https://sqs.us-east-1.amazonaws.com/1/ops-us.fifo" }),
    });

    // Assess
    expect(urlOf("prod-eu")).toBe("https://sqs.eu-west-1.amazonaws.com/1/ops-eu.fifo");
    expect(urlOf("prod-us")).toBe("https://sqs.us-east-1.amazonaws.com/1/ops-us.fifo");
    expect(() => urlOf("staging")).toThrow(OperationsQueueMissingError);
    expect(() => urlOf("staging")).toThrow(/OPERATIONS_QUEUE_URLS/);
  });

  it.each([
    ["not JSON", "{", "OPERATIONS_QUEUE_URLS"],
    ["a value that is not a URL", JSON.stringify({ "prod-us": "ops-us" }), "OPERATIONS_QUEUE_URLS.prod-us"],
  ])("throws a ConfigError naming the setting for %s", (_case, value, path) => {
    // Act & Assess
    expect(() => operationsQueueUrls("prod-eu", { OPERATIONS_QUEUE_URLS: value })).toThrow(expect.objectContaining({ path }));
    expect(() => operationsQueueUrls("prod-eu", { OPERATIONS_QUEUE_URLS: value })).toThrow(ConfigError);
  });
});
