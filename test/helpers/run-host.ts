/**
 * Moves a run's repository onto a fake SCM's host. An `scm` receiver posts
 * only for runs whose repository host is its own, and a receiver pointed at
 * a fake through `baseUrl` / `url` has the fake's `127.0.0.1:port` as its
 * host; recordings and generated workloads name github.com, so tests that
 * want the fake to receive those runs move them there first.
 */
import type { KubeObject } from "../../shared/envelope";

const REPO_URL = "commit-status.argoproj.io/repo-url";

/** The object with its repo-url annotation on `webUrl`'s host, same path; unchanged without one. */
export const onHost = <T extends Pick<KubeObject, "metadata">>(object: T, webUrl: string): T => {
  const current = object.metadata.annotations?.[REPO_URL];
  if (!current) return object;
  const moved = new URL(new URL(current).pathname, webUrl).toString();
  return { ...object, metadata: { ...object.metadata, annotations: { ...object.metadata.annotations, [REPO_URL]: moved } } };
};

/** Every event's object moved with `onHost`. */
export const eventsOnHost = <E extends { object: Pick<KubeObject, "metadata"> }>(events: readonly E[], webUrl: string): E[] =>
  events.map((event) => ({ ...event, object: onHost(event.object, webUrl) }));
