import { afterEach, describe, expect, it } from "vitest";
import { IngestSettingError, resolveClusterTokens, resolveIngestSettings } from "../../../shared/ingest";
import { clearSecretValues, REDACTED, redactText } from "../../../shared/log";

const OWN = "prod-eu";
const TOKEN = "cloudevents-token-0123456789abcdef";
const TOKEN_A = "token-of-cluster-a-0123456789abcdef";
const TOKEN_B = "token-of-cluster-b-0123456789abcdef";
const VARIABLE = "KF_TOKENS_UNIT_A";

const tokens = (map: unknown, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  INGEST_TOKENS: typeof map === "string" ? map : JSON.stringify(map),
  ...extra,
});

/** The message of the IngestSettingError `promise` rejects with. */
const failure = async (promise: Promise<unknown>): Promise<string> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IngestSettingError);
  return (error as Error).message;
};

afterEach(() => {
  delete process.env[VARIABLE];
  clearSecretValues();
});

describe("Function: resolveClusterTokens", () => {
  it("returns CLOUDEVENTS_TOKEN bound to the config's cluster and each INGEST_TOKENS key, reference or literal, bound to its cluster", async () => {
    // Prepare
    process.env[VARIABLE] = TOKEN_A;

    // Act
    const resolved = await resolveClusterTokens(tokens({ [`env:${VARIABLE}`]: "cluster-a", [TOKEN_B]: "cluster-b" }, { CLOUDEVENTS_TOKEN: TOKEN }), OWN);

    // Assess
    expect(resolved).toEqual([
      { token: TOKEN, cluster: OWN },
      { token: TOKEN_A, cluster: "cluster-a" },
      { token: TOKEN_B, cluster: "cluster-b" },
    ]);
  });

  it("returns the INGEST_TOKENS alone when CLOUDEVENTS_TOKEN is not set, and one entry for a token given twice for one cluster", async () => {
    // Act
    const resolved = await resolveClusterTokens(tokens({ [TOKEN_A]: OWN }, { CLOUDEVENTS_TOKEN: TOKEN_A }), OWN);
    const alone = await resolveClusterTokens(tokens({ [TOKEN_B]: "cluster-b" }), OWN);

    // Assess
    expect(resolved).toEqual([{ token: TOKEN_A, cluster: OWN }]);
    expect(alone).toEqual([{ token: TOKEN_B, cluster: "cluster-b" }]);
  });

  it("registers every token with the logger, literal ones included, so that no log line shows one", async () => {
    // Act
    await resolveClusterTokens(tokens({ [TOKEN_B]: "cluster-b" }, { CLOUDEVENTS_TOKEN: TOKEN }), OWN);

    // Assess
    expect(redactText(`got ${TOKEN_B} and ${TOKEN}`)).toBe(`got ${REDACTED} and ${REDACTED}`);
  });

  it("throws naming CLOUDEVENTS_TOKEN when neither setting names a token", async () => {
    // Act
    const unset = await failure(resolveClusterTokens({}, OWN));
    const empty = await failure(resolveClusterTokens(tokens({}), OWN));

    // Assess
    expect(unset).toBe("ingest setting CLOUDEVENTS_TOKEN: is not set, and INGEST_TOKENS names no token: POST /cloudevents needs at least one");
    expect(empty).toBe(unset);
  });

  it.each([
    ["is not JSON", `{"${TOKEN_A}": cluster-a}`, 'is not JSON: expected a JSON object {"<token reference>": "<cluster>", …}'],
    ["is an array", [TOKEN_A], 'must be a JSON object {"<token reference>": "<cluster>", …}'],
    ["names a cluster that is not a lower-case name", { [TOKEN_B]: "ok", [TOKEN_A]: "Cluster A" }, "entry 2: the cluster must be a lower-case name"],
    ["has a cluster and a token swapped", { "cluster-a": TOKEN_A.toUpperCase() }, "entry 1: the cluster must be a lower-case name"],
    ["holds a literal token shorter than 16 characters", { "short-token": "cluster-a" }, "entry 1: must be at least 16 characters (got 11)"],
  ])("throws naming the entry, never repeating a token, when INGEST_TOKENS %s", async (_case, map, reason) => {
    // Act
    const message = await failure(resolveClusterTokens(tokens(map, { CLOUDEVENTS_TOKEN: TOKEN }), OWN));

    // Assess
    expect(message).toContain(`ingest setting INGEST_TOKENS: ${reason}`);
    expect(message).not.toContain(TOKEN_A);
    expect(message).not.toContain(TOKEN_A.toUpperCase());
    expect(message).not.toContain("short-token");
  });

  it("throws naming the reference when a referenced token cannot be read", async () => {
    // Act
    const message = await failure(resolveClusterTokens(tokens({ [`env:${VARIABLE}`]: "cluster-a" }, { CLOUDEVENTS_TOKEN: TOKEN }), OWN));

    // Assess
    expect(message).toBe(`ingest setting INGEST_TOKENS: entry 1 (env:${VARIABLE}): environment variable ${VARIABLE} is not set`);
  });

  it("throws naming both entries when one token is bound to two clusters", async () => {
    // Prepare
    process.env[VARIABLE] = TOKEN;

    // Act
    const message = await failure(resolveClusterTokens(tokens({ [`env:${VARIABLE}`]: "cluster-a" }, { CLOUDEVENTS_TOKEN: TOKEN }), OWN));

    // Assess
    expect(message).toBe(
      `ingest setting INGEST_TOKENS: CLOUDEVENTS_TOKEN and INGEST_TOKENS entry 1 (env:${VARIABLE}) are the same token for two clusters: a token must name one cluster`,
    );
  });
});

describe("Function: resolveIngestSettings", () => {
  const base = { INGEST_SECRET: "hmac-key-0123456789abcdef", ADMISSION_TOKEN: "admission-token-0123456789", QUEUE_URL: "q", TABLE_NAME: "t" };

  it("returns cloudeventsTokens from INGEST_TOKENS when CLOUDEVENTS_TOKEN is left out", async () => {
    // Act
    const settings = await resolveIngestSettings({ env: { ...base, INGEST_TOKENS: JSON.stringify({ [TOKEN_B]: "cluster-b" }) }, cluster: OWN });

    // Assess
    expect(settings.cloudeventsTokens).toEqual([{ token: TOKEN_B, cluster: "cluster-b" }]);
    expect(settings.cluster).toBe(OWN);
  });

  it("throws when neither CLOUDEVENTS_TOKEN nor INGEST_TOKENS is set", async () => {
    // Act
    const message = await failure(resolveIngestSettings({ env: base, cluster: OWN }));

    // Assess
    expect(message).toContain("CLOUDEVENTS_TOKEN: is not set, and INGEST_TOKENS names no token");
  });
});
