/**
 * What a failed Slack Web API call means for the callback that made it.
 *
 * The Web API answers HTTP 200 with `{"ok": false, "error": "<code>"}` for
 * almost every refusal (https://api.slack.com/web#evaluating_responses) and
 * HTTP 429 with `Retry-After` for a rate limit
 * (https://api.slack.com/apis/rate-limits). The codes are read as the HTTP
 * status they stand for, so the one HTTP classifier (shared/http) decides
 * here as it does for every other service: a rate limit waits the time
 * Slack named, an outage retries with backoff, a refusal (bad token,
 * unknown channel, bot not in the channel, a malformed message) is
 * permanent until someone fixes the configuration.
 *
 * `message_not_found` on `chat.update` is not a failure: the message was
 * deleted, and the caller posts it anew (ReceiverTargetGoneError).
 */
import type { WebAPICallError } from "@slack/web-api";
import { Disposition } from "../errors";
import { classifyHttp, type HttpHeaders } from "../http";
import { PermanentReceiverError, ReceiverError, ReceiverTargetGoneError } from "./errors";
import { networkError } from "./webhook";

/**
 * Error codes of chat.postMessage and chat.update
 * (https://api.slack.com/methods/chat.postMessage#errors,
 * https://api.slack.com/methods/chat.update#errors) and the common ones of
 * every method, as the HTTP status each stands for. Any other code is a
 * request Slack will refuse again: 400.
 */
const CODE_STATUS: Readonly<Record<string, number>> = {
  ratelimited: 429,
  rate_limited: 429,
  not_authed: 401,
  invalid_auth: 401,
  account_inactive: 401,
  token_revoked: 401,
  token_expired: 401,
  missing_scope: 403,
  not_in_channel: 403,
  is_archived: 403,
  restricted_action: 403,
  cant_update_message: 403,
  channel_not_found: 404,
  message_not_found: 404,
  request_timeout: 408,
  internal_error: 500,
  fatal_error: 500,
  service_unavailable: 503,
};

/** What to do about the codes a person has to act on, named in the error. */
const ADVICE: Readonly<Record<string, string>> = {
  not_in_channel: "invite the app to the channel (/invite @app) or give it chat:write.public",
  channel_not_found: "check options.channel; a private channel needs the app invited first",
  invalid_auth: "options.token is not a valid bot token",
  not_authed: "options.token is empty",
  missing_scope: "the app needs the chat:write scope",
};

/** The `code` of each error `@slack/web-api` throws (its ErrorCode enum, not loaded before the client). */
const SlackErrorCode = {
  Platform: "slack_webapi_platform_error",
  Http: "slack_webapi_http_error",
  RateLimited: "slack_webapi_rate_limited_error",
  Request: "slack_webapi_request_error",
} as const;

const failure = (message: string, status: number, hint: { headers?: HttpHeaders; retryAfterSeconds?: number }, now: number): ReceiverError => {
  const answer = classifyHttp({ status, message, ...hint }, now);
  if (answer.disposition !== Disposition.Retry) return new PermanentReceiverError(message);
  return new ReceiverError(message, answer.notBefore === undefined ? {} : { notBefore: answer.notBefore, now });
};

/** Maps what `@slack/web-api` threw for `method` to the receiver error the process function acts on. */
export const slackApiError = (host: string, method: string, error: unknown, now: number = Date.now()): Error => {
  const what = `slack ${host} ${method}`;
  const coded = error as Partial<WebAPICallError> & { code?: string };
  switch (coded.code) {
    case SlackErrorCode.Platform: {
      const code = String((coded as { data?: { error?: unknown } }).data?.error ?? "unknown_error");
      const status = CODE_STATUS[code] ?? 400;
      const message = `${what} refused: ${code}${ADVICE[code] ? ` (${ADVICE[code]})` : ""}`;
      if (code === "message_not_found") return new ReceiverTargetGoneError(message, status);
      return failure(message, status, {}, now);
    }
    case SlackErrorCode.RateLimited: {
      const seconds = (coded as { retryAfter?: unknown }).retryAfter;
      return failure(`${what} answered 429: ratelimited`, 429, typeof seconds === "number" ? { retryAfterSeconds: seconds } : {}, now);
    }
    case SlackErrorCode.Http: {
      const http = coded as { statusCode?: unknown; headers?: Record<string, string>; body?: unknown };
      const status = typeof http.statusCode === "number" ? http.statusCode : 500;
      const detail = typeof http.body === "string" ? `: ${http.body.replace(/\s+/g, " ").trim().slice(0, 200)}` : "";
      return failure(`${what} answered ${status}${detail}`, status, http.headers ? { headers: http.headers } : {}, now);
    }
    case SlackErrorCode.Request:
      return networkError("slack", host, (coded as { original?: unknown }).original ?? error);
    default:
      // With rejectRateLimitedCalls, a 429 whose Retry-After the client cannot read is a plain Error.
      if (error instanceof Error && /Retry header did not contain a valid timeout/.test(error.message)) {
        return failure(`${what} answered 429 without a usable Retry-After`, 429, {}, now);
      }
      return networkError("slack", host, error);
  }
};
