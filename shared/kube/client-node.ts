/**
 * @kubernetes/client-node, loaded on first use. It is about a sixth of the
 * process bundle and most of its import time, and most events (every
 * pipeline run) never touch Kubernetes: the bundles are split
 * (scripts/build.mjs) so that it is a chunk of its own, read only when a
 * CommitStatus or GitRepo needs the API server.
 */
export const loadClientNode = (): Promise<typeof import("@kubernetes/client-node")> => import("@kubernetes/client-node");

/** The HTTP status of a client-node ApiException (its `code`), without loading the library to check the class. */
export const apiErrorCode = (error: unknown): number | undefined => {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === "number" && code >= 100 && code < 600 ? code : undefined;
};
