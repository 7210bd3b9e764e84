/**
 * When each fault strikes, as a share of the writes: SCM 5xx and 429
 * storms, 409s on CommitStatus write-back, watch history expiring under the
 * relay (410 Gone on reconnect, then a re-list), a relay restart, and
 * malformed messages on the queue (the one permanent fault: only these may
 * end in the DLQ).
 */
import { eventually } from "../eventually";
import type { ChaosRig } from "./rig";

export interface InjectedFaults {
  scm5xx: number;
  scm429: number;
  kube409: number;
  expired: number;
  relayRestarts: number;
}

export interface FaultSchedule {
  /** Faults to inject before the write of each step index. */
  at: ReadonlyMap<number, () => Promise<void>>;
  injected: InjectedFaults;
  /** Names of the malformed messages sent. */
  poisoned: string[];
}

export const scheduleFaults = (rig: ChaosRig, steps: number, stormSize: number, say: (line: string) => void): FaultSchedule => {
  const injected: InjectedFaults = { scm5xx: 0, scm429: 0, kube409: 0, expired: 0, relayRestarts: 0 };
  const poisoned: string[] = [];
  const at = new Map<number, () => Promise<void>>();
  const when = (share: number, fault: () => Promise<void> | void) => at.set(Math.floor(steps * share), async () => fault());

  const storm = (kind: "5xx" | "429") => {
    if (kind === "5xx") {
      rig.github.failNext({ status: 502, body: { message: "Server Error" }, times: stormSize });
      injected.scm5xx += stormSize;
    } else {
      rig.github.rateLimitNext({ status: 429, retryAfterSeconds: 1, method: "POST", times: stormSize });
      injected.scm429 += stormSize;
    }
    say(`  SCM ${kind} storm (${stormSize} requests)`);
  };
  const conflicts = () => {
    const times = Math.max(2, Math.round(stormSize / 2));
    rig.kube.failNext({ verb: "patch", plural: "commitstatuses", subresource: "status", code: 409, times });
    injected.kube409 += times;
    say(`  409 on the next ${times} CommitStatus status write-backs`);
  };

  when(0.15, () => storm("5xx"));
  when(0.3, conflicts);
  when(0.35, () => storm("429"));
  when(0.45, async () => {
    const listsOf = (plural: string) => rig.kube.requests.filter((r) => r.verb === "list" && r.path.endsWith(`/${plural}`)).length;
    const plurals = rig.config.watch.map((w) => w.resource);
    const before = plurals.map(listsOf);
    rig.kube.expireHistory();
    rig.kube.breakWatches();
    injected.expired++;
    say("  watch history expired and streams broken (410 Gone on reconnect)");
    // The relay's reconnect backs off; the later relay stop must not overtake
    // the re-list this fault is for, however slow the machine is.
    await eventually(() => plurals.every((plural, i) => listsOf(plural) > before[i]!), 30_000);
  });
  when(0.55, () => storm("5xx"));
  when(0.6, async () => {
    await rig.relay.stop();
    say("  relay stopped");
  });
  when(0.66, async () => {
    await rig.restartRelay();
    injected.relayRestarts++;
    say("  relay started again (re-list)");
  });
  when(0.5, async () => {
    const name = `poison-${poisoned.length + 1}`;
    await rig.sendPoison(name);
    poisoned.push(name);
    say(`  malformed message ${name} on the queue`);
  });
  when(0.7, conflicts);
  when(0.8, () => storm("429"));
  return { at, injected, poisoned };
};
