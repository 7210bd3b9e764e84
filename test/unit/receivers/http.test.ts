import { describe, expect, it } from "vitest";
import { PermanentReceiverError, ReceiverError } from "../../../shared/receivers";
import { deliveryId, responseError, signatureOf } from "../../../shared/receivers/webhook";
import { RetryAfterError, retryAfterOf } from "../../../shared/status";
import { pipelineInfo } from "../../helpers/fake-chat";

describe("Function: responseError", () => {
  it.each([
    { status: 429, retryAfter: 12, kind: RetryAfterError, retryable: true, hint: 12 },
    { status: 503, retryAfter: 5, kind: RetryAfterError, retryable: true, hint: 5 },
    { status: 429, retryAfter: undefined, kind: ReceiverError, retryable: true, hint: undefined },
    { status: 502, retryAfter: 5, kind: ReceiverError, retryable: true, hint: undefined },
    { status: 408, retryAfter: undefined, kind: ReceiverError, retryable: true, hint: undefined },
    { status: 400, retryAfter: undefined, kind: PermanentReceiverError, retryable: false, hint: undefined },
    { status: 404, retryAfter: 5, kind: PermanentReceiverError, retryable: false, hint: undefined },
    { status: 302, retryAfter: undefined, kind: PermanentReceiverError, retryable: false, hint: undefined },
  ])("returns $kind.name for $status (Retry-After $retryAfter)", ({ status, retryAfter, kind, retryable, hint }) => {
    // Act
    const error = responseError("webhook", "ci.example.com", status, { ...(retryAfter === undefined ? {} : { retryAfter }), detail: "why" });

    // Assess
    expect(error).toBeInstanceOf(kind);
    expect((error as { retryable?: boolean }).retryable !== false).toBe(retryable);
    expect(retryAfterOf(error)).toBe(hint);
    expect(error.message).toBe(`webhook ci.example.com answered ${status}: why`);
  });
});

describe("Function: deliveryId", () => {
  it("is stable per run and callback and differs per progress state", () => {
    // Prepare
    const info = pipelineInfo();
    const later = pipelineInfo({ stages: [{ name: "fetch", phase: "failed" }] });

    // Assess
    expect(deliveryId(info, "finished")).toBe(deliveryId(pipelineInfo(), "finished"));
    expect(deliveryId(info, "finished")).toBe(deliveryId(later, "finished"));
    expect(deliveryId(info, "finished")).not.toBe(deliveryId(info, "started"));
    expect(deliveryId(info, "progress")).not.toBe(deliveryId(later, "progress"));
    expect(deliveryId(info, "finished")).not.toBe(deliveryId(pipelineInfo({ uid: "other" }), "finished"));
  });
});

describe("Function: signatureOf", () => {
  it("returns GitHub-style sha256=<hex> of the body", () => {
    // Assess — RFC 4231 test case 2
    expect(signatureOf("Jefe", "what do ya want for nothing?")).toBe("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  });
});
