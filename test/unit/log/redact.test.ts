import { Logger } from "@aws-lambda-powertools/logger";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  clearSecretValues,
  isSensitiveKey,
  logger,
  REDACTED,
  redact,
  redactReplacer,
  redactText,
  registerSecretValue,
} from "../../../shared/log";

/** Everything the Powertools logger prints (POWERTOOLS_DEV: it writes through the global console). */
const captureConsole = () => {
  const lines: string[] = [];
  for (const method of ["debug", "info", "warn", "error", "log"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
  }
  return lines;
};

describe("Function: redactText", () => {
  afterEach(() => clearSecretValues());

  it("masks every occurrence of a registered secret", () => {
    // Prepare
    registerSecretValue("hunter2-hunter2");

    // Act
    const out = redactText("a hunter2-hunter2 b hunter2-hunter2");

    // Assess
    expect(out).toBe(`a ${REDACTED} b ${REDACTED}`);
  });

  it("masks the longer of two overlapping secrets whole", () => {
    // Prepare
    registerSecretValue("abcdef");
    registerSecretValue("abcdef-ghijkl");

    // Act
    const out = redactText("x abcdef-ghijkl y");

    // Assess
    expect(out).toBe(`x ${REDACTED} y`);
  });

  it("does not register values shorter than six characters", () => {
    // Prepare
    registerSecretValue("abc");

    // Act
    const out = redactText("abc abc");

    // Assess
    expect(out).toBe("abc abc");
  });

  it.each([
    ["Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc", `Authorization: Bearer ${REDACTED}`],
    ["POST https://bot:pa55word@hooks.example.com/x", `POST https://${REDACTED}@hooks.example.com/x`],
    ["token ghp_abcdefghijklmnopqrstuvwxyz0123456789", `token ${REDACTED}`],
    ["glpat-abcdefghijklmnopqrstu failed", `${REDACTED} failed`],
    ["https://hooks.slack.com/services/T000/B000/XXXXXXXX", `https://hooks.slack.com/services/${REDACTED}`],
    ["GET /x?access_token=abc123&page=2", `GET /x?access_token=${REDACTED}&page=2`],
    ['body {"token":"abc123","ok":true}', `body {"token":"${REDACTED}","ok":true}`],
    ["-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----", REDACTED],
  ])("masks credential shapes in %j", (input, expected) => {
    // Act
    const out = redactText(input);

    // Assess
    expect(out).toBe(expected);
  });

  it("leaves ordinary operator messages alone", () => {
    // Prepare
    const message = "receiver hook: options.secret: environment variable HOOK_SECRET is not set; token expired";

    // Act
    const out = redactText(message);

    // Assess
    expect(out).toBe(message);
  });
});

describe("Function: isSensitiveKey", () => {
  it.each(["token", "accessToken", "webhook_secret", "password", "privateKey", "private-key", "Authorization", "x-api-key", "credentials"])(
    "treats %s as sensitive",
    (key) => {
      // Act & Assess
      expect(isSensitiveKey(key)).toBe(true);
    },
  );

  it.each(["messageId", "secretRef", "tokenExpiresAt", "reason", "error", "name"])("treats %s as ordinary", (key) => {
    // Act & Assess
    expect(isSensitiveKey(key)).toBe(false);
  });
});

describe("Function: redact", () => {
  afterEach(() => clearSecretValues());

  it("masks sensitive keys at any depth and registered values in any string", () => {
    // Prepare
    registerSecretValue("s3cr3t-value");
    const value = { headers: { authorization: "anything", accept: "json" }, note: "uses s3cr3t-value", list: ["s3cr3t-value"] };

    // Act
    const out = redact(value);

    // Assess
    expect(out).toEqual({ headers: { authorization: REDACTED, accept: "json" }, note: `uses ${REDACTED}`, list: [REDACTED] });
  });

  it("keeps an empty sensitive value visible as empty", () => {
    // Act
    const out = redactReplacer("token", "");

    // Assess
    expect(out).toBe("");
  });
});

describe("Class: Logger (with redaction)", () => {
  let lines: string[];
  const secret = "sk-live-0123456789abcdef";

  beforeEach(() => {
    lines = captureConsole();
    registerSecretValue(secret);
    logger.setLogLevel("DEBUG");
  });

  afterEach(() => {
    vi.restoreAllMocks();
    clearSecretValues();
    logger.setLogLevel("WARN");
  });

  describe("Method: createChild", () => {
    it("masks secrets in the message, attributes and errors of a child logger's lines", () => {
      // Prepare
      const child = logger.createChild({ persistentKeys: { messageId: "m-1" } });

      // Act
      child.info(`calling with ${secret}`, { password: "pw", nested: { url: `https://x/?k=${secret}` } });
      child.error("failed", new Error(`denied for ${secret}`));
      child.debug("headers", { headers: { Authorization: `Bearer ${secret}` } });

      // Assess
      expect(lines).toHaveLength(3);
      for (const line of lines) expect(line).not.toContain(secret);
      const [first, second, third] = lines.map((l) => JSON.parse(l));
      expect(first.message).toBe(`calling with ${REDACTED}`);
      expect(first.password).toBe(REDACTED);
      expect(first.messageId).toBe("m-1");
      expect(second.error.message).toBe(`denied for ${REDACTED}`);
      expect(third.headers.Authorization).toBe(REDACTED);
    });

    it("masks a secret registered after the child was created", () => {
      // Prepare
      const child = logger.createChild();
      registerSecretValue("late-registered-secret");

      // Act
      child.warn("value late-registered-secret");

      // Assess
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!).message).toBe(`value ${REDACTED}`);
    });
  });

  it("leaves a logger built without the replacer unmasked (the safeguard is the replacer)", () => {
    // Prepare
    const plain = new Logger({ serviceName: "plain", logLevel: "INFO" });

    // Act
    plain.info(`calling with ${secret}`);

    // Assess
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(secret);
  });
});
