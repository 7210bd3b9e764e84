/**
 * Child process of the relay benchmark's forwarding reference: the same
 * `makeInformer` (job-informer.ts) whose handlers do the relay's per-event
 * job the way a controller written on client-node would, each object
 * slimmed with the relay's own slimming (shared/envelope) and serialised
 * in its envelope. It keeps no known-object set and ships nothing, so it
 * still does less than the relay: what the relay's work costs on top of an
 * informer, beside the informer that only counts.
 */
import { makeEnvelope, slimObject, type KubeObject } from "../../shared/envelope";
import { runJobInformer } from "./job-informer";

/** What the handlers wrote, kept as a sink would take it. */
let forwardedChars = 0;

await runJobInformer((type, job) => {
  forwardedChars += JSON.stringify(makeEnvelope("bench", type, slimObject(job as KubeObject))).length;
});
