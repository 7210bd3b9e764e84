import type { PipelineInfo } from "../../shared/pipeline/types";
import { LifecycleEvent, type Receiver, type ReceiverContext } from "../../shared/receivers";

export interface RecordedCall {
  receiver: string;
  event: LifecycleEvent;
  run: string;
  phase: string;
  stages: string;
}

/**
 * A receiver that records every call; `failures` makes the next N calls of
 * an event throw, to exercise retries; `hold` keeps a call in flight until
 * the test lets it go.
 */
export class RecordingReceiver implements Receiver {
  readonly name: string;
  readonly calls: RecordedCall[];
  readonly failures = new Map<LifecycleEvent, number>();
  readonly #errors = new Map<LifecycleEvent, () => Error>();
  readonly #holds = new Map<LifecycleEvent, Promise<void>>();
  attempts = 0;

  constructor(name: string, calls: RecordedCall[] = []) {
    this.name = name;
    this.calls = calls;
  }

  /** The next `times` calls of `event` throw `error()` (a plain Error by default). */
  failNext(event: LifecycleEvent, times: number, error?: () => Error): this {
    this.failures.set(event, times);
    if (error) this.#errors.set(event, error);
    return this;
  }

  /** Calls of `event` wait until the returned function is called; the call is recorded when it returns. */
  hold(event: LifecycleEvent): () => void {
    let release!: () => void;
    this.#holds.set(event, new Promise<void>((resolve) => (release = resolve)));
    return () => {
      this.#holds.delete(event);
      release();
    };
  }

  async #record(event: LifecycleEvent, info: PipelineInfo): Promise<void> {
    this.attempts++;
    await this.#holds.get(event);
    const left = this.failures.get(event) ?? 0;
    if (left > 0) {
      this.failures.set(event, left - 1);
      throw this.#errors.get(event)?.() ?? new Error(`${this.name} refused ${event}`);
    }
    this.calls.push({
      receiver: this.name,
      event,
      run: info.id,
      phase: info.phase,
      stages: info.stages.map((s) => `${s.name}=${s.phase}`).join(","),
    });
  }

  async whenCreated(_ctx: ReceiverContext, info: PipelineInfo): Promise<void> {
    await this.#record(LifecycleEvent.Created, info);
  }
  async whenStarted(_ctx: ReceiverContext, info: PipelineInfo): Promise<void> {
    await this.#record(LifecycleEvent.Started, info);
  }
  async updateProgress(_ctx: ReceiverContext, info: PipelineInfo): Promise<void> {
    await this.#record(LifecycleEvent.Progress, info);
  }
  async whenFinished(_ctx: ReceiverContext, info: PipelineInfo): Promise<void> {
    await this.#record(LifecycleEvent.Finished, info);
  }

  /** The lifecycle events (not progress) this receiver saw for one run, in order. */
  lifecycle(run: string): LifecycleEvent[] {
    return this.calls.filter((c) => c.run === run && c.event !== LifecycleEvent.Progress).map((c) => c.event);
  }
}
