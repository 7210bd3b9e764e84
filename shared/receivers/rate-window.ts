/**
 * Chat receivers keep to their service's documented pace on their own
 * (`rateLimit: { perMinute: N }`): a post beyond it is not sent and not
 * dropped, it fails with the wait until the window has room, and the message
 * comes back after exactly that wait (the SQS visibility is set to it).
 */
import { z } from "zod";

/**
 * Defaults per service, in posts per minute per webhook or room:
 * - Slack incoming webhooks: 1 message per second, short bursts allowed
 *   (https://api.slack.com/docs/rate-limits).
 * - Discord webhooks: 30 messages a minute per channel, below the per-webhook
 *   bucket that its `X-RateLimit-*` headers announce
 *   (https://discord.com/developers/docs/topics/rate-limits).
 * - Teams incoming webhooks: 4 a second, 60 in 30 seconds, 100 an hour
 *   (https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using#rate-limiting-for-connectors);
 *   60 a minute keeps to the 30-second tier whichever half of the minute the
 *   posts fall in. The hourly tier cannot be kept with a one-minute window:
 *   there Teams throttles and the post is retried.
 * - Matrix: Synapse's default `rc_message` (0.2 a second with a burst of 10:
 *   12 a minute sustained,
 *   https://element-hq.github.io/synapse/latest/usage/configuration/config_documentation.html#rc_message);
 *   homeservers that exempt the bot allow more, so raise it there.
 * - Google Chat: 60 writes a minute per space, shared by every app and
 *   incoming webhook in it (https://developers.google.com/workspace/chat/limits).
 * - Telegram: at most 20 messages a minute in a group, about one a second in
 *   a private chat (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this).
 */
export const CHAT_RATE_DEFAULTS = { slack: 60, discord: 30, teams: 60, matrix: 12, googlechat: 60, telegram: 20 } as const;

export interface RateLimit {
  readonly perMinute: number;
}

/** The `rateLimit` option: strict, so a typo such as `perMinutes` is an error at start. */
export const rateLimitOption = (perMinute: number) =>
  z
    .strictObject({
      perMinute: z
        .number({ error: (issue) => (issue.input === undefined ? "is required: how many posts a minute" : "must be a number") })
        .int("must be a whole number")
        .positive("must be at least 1")
        .max(6000, "at most 6000"),
    })
    .default({ perMinute });

const WINDOW_MS = 60_000;

/**
 * At most `perMinute` posts in any 60 seconds (a sliding window).
 *
 * Counted in this process's memory, and that is enough for the process
 * function: Lambda serves each FIFO message group (one run) from one
 * instance at a time and an instance handles one batch at a time, so within
 * an instance the count is exact and costs nothing. Instances running side
 * by side each count their own posts, so a burst spread over several of them
 * can pass the limit by that factor; the service's own 429 and `Retry-After`,
 * which are honoured, are the backstop. A shared count in DynamoDB would
 * cost a write per post, more than the post it guards.
 */
export class RateWindow {
  readonly perMinute: number;
  readonly #now: () => number;
  /** When the posts of the last minute were sent, oldest first. */
  #sent: number[] = [];

  constructor(limit: RateLimit, now: () => number = () => Date.now()) {
    this.perMinute = limit.perMinute;
    this.#now = now;
  }

  /**
   * Takes a slot for a post now and returns undefined, or returns the whole
   * seconds until a slot frees (at least 1) and takes nothing.
   */
  take(): number | undefined {
    const now = this.#now();
    this.#sent = this.#sent.filter((at) => at > now - WINDOW_MS);
    if (this.#sent.length < this.perMinute) {
      this.#sent.push(now);
      return undefined;
    }
    // Room returns when the oldest post of the window leaves it.
    return Math.max(1, Math.ceil((this.#sent[0]! + WINDOW_MS - now) / 1000));
  }
}
