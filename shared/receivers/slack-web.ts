/**
 * Slack with a bot token: one message per run, posted with
 * `chat.postMessage` on the run's first callback and edited with
 * `chat.update` on the later ones (https://api.slack.com/methods/chat.postMessage,
 * https://api.slack.com/methods/chat.update); each stage that finishes gets
 * one reply in the message's thread (`thread_ts`). The channel and `ts` of
 * the message, and the stages replied to, are the run's receiver memory
 * (run-message.ts).
 */
import type { ChatPostMessageArguments, ChatUpdateArguments, Logger, LogLevel, WebClient } from "@slack/web-api";
import { z } from "zod";
import type { Log } from "../log";
import { PipelinePhase, type PipelineInfo, type Stage } from "../pipeline/types";
import type { LifecycleEvent, ReceiverContext, ServiceContext } from "../pipeline/receiver";
import { resolveSecret, secretReference } from "../secrets";
import { ReceiverError } from "./errors";
import { escapeMrkdwn, FAILED_PHASES, oneLine, stageStatus, truncate } from "./format";
import { RunMessages, type MessageWriter, type RunMessageRecord } from "./run-message";
import { slackApiError } from "./slack-web-errors";
import { httpUrl } from "./webhook";

export const SLACK_API_URL = "https://slack.com/api/";

/** The options of the bot-token form, beside the incoming webhook's `url`. */
export const slackWebOptions = {
  /** A bot token (`xoxb-…`) with `chat:write`, by reference: posts and edits one message per run. */
  token: secretReference().optional(),
  /** Where the token posts: a channel ID (`C0123ABCD`) or name (`#ci`); edits use the ID Slack answers with. */
  channel: z.string().trim().min(1, "cannot be empty").optional(),
  /** The Web API base: Slack's own unless GovSlack (`https://slack-gov.com/api/`) or a proxy. */
  apiUrl: httpUrl().optional(),
};

type TargetOptions = { url?: string | undefined; token?: string | undefined; channel?: string | undefined; apiUrl?: string | undefined };

/** Exactly one of an incoming webhook (`url`) or a bot token (`token` and `channel`): an error at start otherwise. */
export const oneSlackTarget = (options: TargetOptions, ctx: z.RefinementCtx): void => {
  const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
  if (options.url === undefined && options.token === undefined) issue("url", "is required: an incoming webhook URL, or else token and channel for a bot token");
  if (options.url !== undefined && options.token !== undefined) issue("token", "set url (an incoming webhook) or token (a bot token), not both");
  if (options.token !== undefined && options.channel === undefined) issue("channel", "is required with token: the channel the bot posts to");
  if (options.token === undefined && options.channel !== undefined) issue("channel", "goes with token: an incoming webhook posts to the channel it was made for");
  if (options.token === undefined && options.apiUrl !== undefined) issue("apiUrl", "goes with token: an incoming webhook URL is complete");
};

/** Phases a stage is told in the thread in: it finished, one way or another. */
const TOLD_PHASES: ReadonlySet<PipelinePhase> = new Set([
  PipelinePhase.Succeeded,
  PipelinePhase.Failed,
  PipelinePhase.Errored,
  PipelinePhase.Cancelled,
  PipelinePhase.TimedOut,
]);
const REASON_MAX = 500;

/**
 * A thread reply for one stage: `*test* ❌ Failed · 1m 53s`, the name
 * linked to the stage (processing.stageUrl) when it has a link, and why on
 * a quoted line when it failed.
 */
export const stageReply = (stage: Stage): string => {
  // `|` and `>` would end a mrkdwn link early (api.slack.com/reference/surfaces/formatting#linking-urls).
  const name = stage.url ? `<${stage.url.replace(/[|<>]/g, encodeURIComponent)}|${escapeMrkdwn(stage.name)}>` : escapeMrkdwn(stage.name);
  const line = `*${name}* ${stageStatus(stage)}`;
  const reason = FAILED_PHASES.has(stage.phase) && stage.message ? oneLine(stage.message) : "";
  return reason ? `${line}\n> ${escapeMrkdwn(truncate(reason, REASON_MAX))}` : line;
};

/** The client's log, into ours: its warnings repeat what the errors we throw say. */
const clientLogger = (log: Log): Logger => ({
  debug: () => undefined,
  info: () => undefined,
  warn: (...msg: unknown[]) => log.debug(`@slack/web-api: ${msg.map(String).join(" ")}`),
  error: (...msg: unknown[]) => log.warn(`@slack/web-api: ${msg.map(String).join(" ")}`),
  setLevel: () => undefined,
  getLevel: () => "warn" as LogLevel,
  setName: () => undefined,
});

export interface SlackWebSettings {
  /** The token's secret reference. */
  readonly token: string;
  readonly channel: string;
  readonly apiUrl?: string | undefined;
  readonly timeoutSeconds: number;
}

/** What slack.ts builds: `text` (the notification) and Block Kit `blocks`, the same for both forms of the receiver. */
export interface SlackMessage {
  readonly text?: string | undefined;
  readonly blocks?: readonly unknown[];
}

/** The message's content as the client's arguments: the webhook's and the Web API's Block Kit types are separate packages. */
const asArguments = <T extends ChatPostMessageArguments | ChatUpdateArguments>(target: Record<string, string>, message: SlackMessage): T =>
  ({ ...target, ...message }) as unknown as T;

/** A Slack bot's one message per run, and its thread of stage replies. */
export class SlackRunThread {
  readonly #client: WebClient;
  readonly #channel: string;
  readonly #host: string;
  readonly #messages: RunMessages;

  private constructor(client: WebClient, channel: string, host: string, messages: RunMessages) {
    this.#client = client;
    this.#channel = channel;
    this.#host = host;
    this.#messages = messages;
  }

  static async start(receiver: string, settings: SlackWebSettings, sc: ServiceContext): Promise<SlackRunThread> {
    const token = await resolveSecret(settings.token, { field: `receiver ${receiver}: options.token` });
    const apiUrl = settings.apiUrl ?? SLACK_API_URL;
    // Loaded here so deployments without a Slack bot never load the client (the cold start is measured).
    const { WebClient } = await import("@slack/web-api");
    const client = new WebClient(token, {
      slackApiUrl: apiUrl,
      timeout: settings.timeoutSeconds * 1000,
      // No retries in the client: a failed call fails the callback, and the queue's retry decides when to
      // try again (after the Retry-After Slack named, else with backoff) and for this receiver only. The
      // client's default, ten retries in about thirty minutes, would hold the function for that long and
      // retry what the verdict would give up on; a 429 is thrown with its Retry-After instead of slept through.
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      logger: clientLogger(sc.log),
    });
    return new SlackRunThread(client, settings.channel, new URL(apiUrl).host, new RunMessages(receiver, sc.store));
  }

  async post(ctx: ReceiverContext, event: LifecycleEvent, info: PipelineInfo, message: SlackMessage, takeRateSlot: () => void): Promise<void> {
    const record = await this.#messages.show(ctx.log, info, event, message, this.#writer(message));
    if (record) await this.#reply(info, record, takeRateSlot);
  }

  async #call<T>(method: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw slackApiError(this.#host, method, error);
    }
  }

  #writer(message: SlackMessage): MessageWriter {
    return {
      post: async () => {
        const posted = await this.#call("chat.postMessage", () => this.#client.chat.postMessage(asArguments<ChatPostMessageArguments>({ channel: this.#channel }, message)));
        // chat.update takes the channel's ID, which chat.postMessage answers with even when given a name.
        if (typeof posted.channel !== "string" || typeof posted.ts !== "string") {
          throw new ReceiverError(`slack ${this.#host} chat.postMessage answered without the message's channel and ts`);
        }
        return { channel: posted.channel, ts: posted.ts };
      },
      edit: async (ref) => {
        await this.#call("chat.update", () => this.#client.chat.update(asArguments<ChatUpdateArguments>({ channel: ref.channel!, ts: ref.ts! }, message)));
      },
    };
  }

  /**
   * One reply per finished stage, in the run's thread, each once: what was
   * sent is remembered even when a later reply fails, so the retry sends
   * only the rest. Every reply takes a slot of the receiver's rateLimit.
   */
  async #reply(info: PipelineInfo, record: RunMessageRecord, takeRateSlot: () => void): Promise<void> {
    const due = info.stages.filter((stage) => TOLD_PHASES.has(stage.phase) && !record.replied.includes(stage.name));
    if (due.length === 0) return;
    const replied = [...record.replied];
    try {
      for (const stage of due) {
        takeRateSlot();
        const thread = { channel: record.ref.channel!, thread_ts: record.ref.ts! };
        await this.#call("chat.postMessage", () => this.#client.chat.postMessage({ ...thread, text: stageReply(stage) }));
        replied.push(stage.name);
      }
    } finally {
      if (replied.length > record.replied.length) await this.#messages.remember(info, { ...record, replied });
    }
  }
}
