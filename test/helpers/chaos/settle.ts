/** Waiting for a chaos run to come to rest, with a deadline that never outlives its use. */
import type { ChaosRig } from "./rig";

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** True when `work` finished before the deadline; the timer does not outlive the race. */
const beforeDeadline = async (work: Promise<unknown>, deadline: number): Promise<boolean> => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()))));
  try {
    return await Promise.race([work.then(() => true, () => false), late]);
  } finally {
    clearTimeout(timer);
  }
};

/**
 * Waits until the relay has seen every write (a bookmark at the current
 * revision reached each watch), shipped it, and the queue is empty (and
 * the operations queue, under via: relay); again while write-backs keep
 * producing events. False when the deadline came first.
 */
export const settle = async (rig: ChaosRig, deadline: number): Promise<boolean> => {
  let sent = -1;
  while (Date.now() < deadline) {
    const revision = Number(rig.kube.resourceVersion);
    while (rig.relay.watchers.some((w) => Number(w.resourceVersion ?? 0) < revision) && Date.now() < deadline) {
      rig.kube.sendBookmarks();
      await sleep(25);
    }
    await rig.relay.flush();
    await rig.sink.release();
    if (!(await beforeDeadline(rig.stack.poller.drained(50), deadline))) return false;
    // Under via: relay a write-back waits on the operations queue until the relay applies it.
    if ((await rig.operationsPending()) > 0) {
      await sleep(100);
      continue;
    }
    if (rig.sink.stats.messages === sent && Number(rig.kube.resourceVersion) === revision) return true;
    sent = rig.sink.stats.messages;
  }
  return false;
};
