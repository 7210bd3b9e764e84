import { Logger } from "@aws-lambda-powertools/logger";
import { afterEach, describe, expect, it, vi } from "vitest";
import { withKeys } from "../../../shared/log";

describe("Function: withKeys", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("writes the keys as fields of every line, beside the line's own fields", () => {
    // Prepare
    // With POWERTOOLS_DEV set (vitest.config.ts), Powertools writes through the global console.
    const lines: string[] = [];
    for (const level of ["debug", "info", "warn", "error"] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void lines.push(String(args[0])));
    }
    const base = new Logger({ serviceName: "with-keys-test", logLevel: "DEBUG" });
    const log = withKeys({ messageId: "m-1", cluster: "prod" }, base);

    // Act
    log.warn("receiver failed", { receiver: "slack" });
    log.debug("event handled");

    // Assess
    const written = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(written).toHaveLength(2);
    expect(written[0]).toMatchObject({ level: "WARN", message: "receiver failed", messageId: "m-1", cluster: "prod", receiver: "slack" });
    expect(written[1]).toMatchObject({ level: "DEBUG", message: "event handled", messageId: "m-1", cluster: "prod" });
  });
});
