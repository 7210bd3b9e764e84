import { randomUUID } from "node:crypto";
import { FakeHttpServer, type Answer, type RecordedRequest } from "../fake-chat/server";
import { AWS_TEST_REGION } from "./env";

/** A mail the fake accepted. */
export interface SentEmail {
  readonly messageId: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly charset: { subject?: string; text?: string };
}

interface Content {
  Simple?: {
    Subject?: { Data?: unknown; Charset?: string };
    Body?: { Text?: { Data?: unknown; Charset?: string }; Html?: { Data?: unknown } };
  };
}

interface SendEmailRequest {
  FromEmailAddress?: unknown;
  Destination?: { ToAddresses?: unknown; CcAddresses?: unknown; BccAddresses?: unknown };
  Content?: Content;
}

const list = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);

/**
 * Amazon SES v2 `SendEmail` over its REST-JSON protocol
 * (`POST /v2/email/outbound-emails`,
 * https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html):
 * a simple message from a verified identity (an address, or any address of
 * a verified domain) to 1–50 recipients answers `{ MessageId }`; an
 * unverified sender is `MessageRejected` (400), a malformed request
 * `BadRequestException` (400). Errors carry their name in
 * `x-amzn-ErrorType`, as SES sends them. `answerNext` scripts throttles
 * (`TooManyRequestsException` 429) and outages (500).
 */
export class FakeSes extends FakeHttpServer {
  readonly sent: SentEmail[] = [];
  /** Verified identities: `ci@example.com` or a domain, `example.com`. */
  readonly identities = new Set<string>();

  override reset(): void {
    super.reset();
    this.sent.length = 0;
  }

  /** SendEmail calls received, whatever their answer. */
  get sendEmailCalls(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === "POST" && r.path === "/v2/email/outbound-emails");
  }

  #verified(address: string): boolean {
    return this.identities.has(address) || this.identities.has(address.split("@")[1] ?? "");
  }

  protected handle(request: RecordedRequest): Answer {
    if (request.method !== "POST" || request.path !== "/v2/email/outbound-emails") {
      return sesError(404, "NotFoundException", "Resource not found by the fake");
    }
    const input = (request.json ?? {}) as SendEmailRequest;
    const from = typeof input.FromEmailAddress === "string" ? input.FromEmailAddress : "";
    const to = list(input.Destination?.ToAddresses);
    const recipients = to.length + list(input.Destination?.CcAddresses).length + list(input.Destination?.BccAddresses).length;
    const simple = input.Content?.Simple;
    const subject = simple?.Subject?.Data;
    const text = simple?.Body?.Text?.Data;
    if (recipients < 1 || recipients > 50) return sesError(400, "BadRequestException", "Recipient count must be between 1 and 50.");
    if (typeof subject !== "string" || (typeof text !== "string" && simple?.Body?.Html === undefined)) {
      return sesError(400, "BadRequestException", "Simple content needs a subject and a text or HTML body.");
    }
    if (!this.#verified(from)) {
      return sesError(
        400,
        "MessageRejected",
        `Email address is not verified. The following identities failed the check in region ${AWS_TEST_REGION.toUpperCase()}: ${from}`,
      );
    }
    const messageId = `0100${randomUUID().replace(/-/g, "")}-000000`;
    this.sent.push({
      messageId,
      from,
      to,
      subject,
      text: typeof text === "string" ? text : "",
      charset: { subject: simple?.Subject?.Charset, text: simple?.Body?.Text?.Charset },
    });
    return { status: 200, headers: { "content-type": "application/json" }, body: { MessageId: messageId } };
  }
}

/** A REST-JSON error answer: the SDK reads the error's name from `x-amzn-ErrorType` (up to a colon). */
export const sesError = (status: number, type: string, message: string, headers: Record<string, string> = {}): Answer => ({
  status,
  headers: { "content-type": "application/json", "x-amzn-errortype": `${type}:http://internal.amazon.com/coral/com.amazonaws.sesv2/`, ...headers },
  body: { message },
});
