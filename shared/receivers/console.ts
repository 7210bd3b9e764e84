import { z } from "zod";
import type { PipelineInfo, Stage } from "../pipeline/types";
import type { ReceiverFactory } from "./registry";
import { renderTemplate, templateOption, type MessageTemplate } from "./template";
import { LifecycleEvent, type Receiver, type ReceiverContext } from "../pipeline/receiver";

const ConsoleOptions = z.strictObject({
  /** Print the stage table under progress and finished lines. */
  stages: z.boolean().default(true),
  /** What is printed per callback, in place of the line and the stage table. */
  template: templateOption().optional(),
});

const ICON = {
  [LifecycleEvent.Created]: "○",
  [LifecycleEvent.Started]: "▶",
  [LifecycleEvent.Progress]: "…",
  [LifecycleEvent.Finished]: "■",
} as const;

const duration = (stage: Stage): string => {
  if (!stage.startedAt || !stage.finishedAt) return "";
  const seconds = Math.round((Date.parse(stage.finishedAt) - Date.parse(stage.startedAt)) / 1000);
  return Number.isFinite(seconds) ? `${seconds}s` : "";
};

export const stageTable = (stages: readonly Stage[]): string[] => {
  if (stages.length === 0) return [];
  const width = Math.max(5, ...stages.map((s) => s.name.length));
  return [
    `    ${"stage".padEnd(width)}  ${"phase".padEnd(10)}  duration`,
    ...stages.map((s) => `    ${s.name.padEnd(width)}  ${s.phase.padEnd(10)}  ${duration(s)}`.trimEnd()),
  ];
};

/** Prints one readable line per callback; the local stack's default receiver. */
export class ConsoleReceiver implements Receiver {
  readonly name: string;
  readonly #write: (line: string) => void;
  readonly #stages: boolean;
  readonly #template: MessageTemplate | undefined;

  constructor(name: string, options: z.output<typeof ConsoleOptions>, write = (line: string) => void process.stdout.write(line)) {
    this.name = name;
    this.#stages = options.stages;
    this.#template = options.template;
    this.#write = write;
  }

  #print(ctx: ReceiverContext, event: LifecycleEvent, info: PipelineInfo, withStages: boolean): void {
    const text = renderTemplate(this.#template, ctx, info, { receiver: this.name, option: "template" });
    if (text !== undefined) return this.#write(`${text.replace(/\n$/, "")}\n`);
    const where = `${info.kind} ${info.namespace}/${info.name}`;
    const lines = [`${ICON[event]} ${event.padEnd(8)} ${where} phase=${info.phase}`];
    if (withStages && this.#stages) lines.push(...stageTable(info.stages));
    this.#write(`${lines.join("\n")}\n`);
  }

  async whenCreated(ctx: ReceiverContext, info: PipelineInfo): Promise<void> {
    this.#print(ctx, LifecycleEvent.Created, info, false);
  }

  async whenStarted(ctx: ReceiverContext, info: PipelineInfo): Promise<void> {
    this.#print(ctx, LifecycleEvent.Started, info, false);
  }

  async updateProgress(ctx: ReceiverContext, info: PipelineInfo): Promise<void> {
    this.#print(ctx, LifecycleEvent.Progress, info, true);
  }

  async whenFinished(ctx: ReceiverContext, info: PipelineInfo): Promise<void> {
    this.#print(ctx, LifecycleEvent.Finished, info, false);
  }
}

export const consoleReceiverFactory: ReceiverFactory<typeof ConsoleOptions> = {
  options: ConsoleOptions,
  create: (name, options) => new ConsoleReceiver(name, options),
};
