/**
 * Child process of the relay benchmark's informer reference: a
 * `makeInformer` on the benchmark's Jobs (job-informer.ts says how it is
 * measured step for step with the relay) whose add and update handlers only
 * count, the floor any controller on client-node starts from.
 */
import { runJobInformer } from "./job-informer";

await runJobInformer(() => undefined);
