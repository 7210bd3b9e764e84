import { describe, expect, it } from "vitest";
import { Disposition, dispositionOf } from "../../../shared/errors";
import { PermanentReceiverError, ReceiverError } from "../../../shared/receivers";
import { deliveryId, responseError, signatureOf } from "../../../shared/receivers/webhook";
import { pipelineInfo } from "../../helpers/fake-chat";

const NOW = Date.parse("2024-05-01T10:00:00Z");

describe("Function: responseError", () => {
  it.each([
    { status: 429, retryAfter: 12, kind: ReceiverError, disposition: Disposition.Retry, waitMs: 12_000 },
    { status: 503, retryAfter: 5, kind: ReceiverError, disposition: Disposition.Retry, waitMs: 5_000 },
    { status: 429, retryAfter: undefined, kind: ReceiverError, disposition: Disposition.Retry, waitMs: undefined },
    { status: 502, retryAfter: 5, kind: ReceiverError, disposition: Disposition.Retry, waitMs: undefined },
    { status: 408, retryAfter: undefined, kind: ReceiverError, disposition: Disposition.Retry, waitMs: undefined },
    { status: 400, retryAfter: undefined, kind: PermanentReceiverError, disposition: Disposition.Permanent, waitMs: undefined },
    { status: 404, retryAfter: 5, kind: PermanentReceiverError, disposition: Disposition.Permanent, waitMs: undefined },
    { status: 302, retryAfter: undefined, kind: PermanentReceiverError, disposition: Disposition.Permanent, waitMs: undefined },
  ])("returns a $disposition $kind.name for $status (retry after $retryAfter s)", ({ status, retryAfter, kind, disposition, waitMs }) => {
    // Act
    const error = responseError("webhook", "ci.example.com", status, { ...(retryAfter === undefined ? {} : { retryAfter }), detail: "why" }, NOW);

    // Assess
    expect(error).toBeInstanceOf(kind);
    const failure = dispositionOf(error);
    expect(failure.disposition).toBe(disposition);
    expect(failure.notBefore === undefined ? undefined : failure.notBefore - NOW).toBe(waitMs);
    expect(error.message).toBe(`webhook ci.example.com answered ${status}: why`);
  });

  it("returns a retry after the reset when a GitHub-style limit answers 403 with its headers", () => {
    // Prepare
    const headers = new Headers({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(NOW / 1000 + 40) });

    // Act
    const error = responseError("webhook", "ci.example.com", 403, { headers }, NOW);

    // Assess
    expect(dispositionOf(error)).toEqual({ disposition: Disposition.Retry, notBefore: NOW + 40_000, backsOff: false });
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
