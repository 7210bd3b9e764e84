import { StatusChannel } from "./channel";
import { UnclosedChannelError } from "./errors";
import { EventStatus, newEventProcessStatus, type EventProcessStatus } from "./event-status";
import type { Log } from "../log";

export interface RunOptions {
  /** Names the handler and the event in the warning about an unclosed channel. */
  handler: string;
  event: string;
  log: Log;
  /** Bounded wait for the channel to be closed after the handler returned. */
  closeWaitMs: number;
  capacity?: number;
}

export interface RunOutcome {
  /** The last status sent, or the runner's verdict when the handler did not say. */
  final: EventProcessStatus;
  /** Every status the handler sent, in order. */
  statuses: EventProcessStatus[];
}

/**
 * Runs one handler call against a fresh channel and drains it. A handler that
 * throws, or returns without closing its channel, is a retryable failure:
 * the event is not lost, and the runner never hangs on it.
 */
export const runWithChannel = async (
  call: (ch: StatusChannel) => Promise<void>,
  options: RunOptions,
): Promise<RunOutcome> => {
  const channel = new StatusChannel(options.capacity);
  const statuses: EventProcessStatus[] = [];
  const drained = (async () => {
    for await (const status of channel) statuses.push(status);
  })();

  let threw = false;
  let thrown: unknown;
  try {
    await call(channel);
  } catch (error) {
    threw = true;
    thrown = error;
  }

  let unclosed: UnclosedChannelError | undefined;
  if (threw) {
    // Nothing more will come from a handler that threw: no reason to wait.
    if (!channel.closed) channel.close();
  } else if (!channel.closed) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      channel.whenClosed(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, options.closeWaitMs);
      }),
    ]);
    clearTimeout(timer);
    if (!channel.closed) {
      channel.close();
      unclosed = new UnclosedChannelError(options.handler, options.event, options.closeWaitMs);
      options.log.warn(unclosed.message, { handler: options.handler, event: options.event });
    }
  }
  await drained;

  if (threw) {
    return { statuses, final: newEventProcessStatus().withStatus(EventStatus.Retry).withError(thrown).build(true) };
  }
  if (unclosed) {
    return { statuses, final: newEventProcessStatus().withStatus(EventStatus.Retry).withError(unclosed).build(true) };
  }
  const last = statuses.at(-1);
  return { statuses, final: last ?? newEventProcessStatus().build(true) };
};
