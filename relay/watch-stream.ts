import { request as httpRequest, type IncomingMessage, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";

/** Called once per watch event, in order: `type` and `object` as the API server wrote them. */
export type WatchEventHandler = (type: string, object: unknown) => void;

/** Called once when the stream ends: `null` for a clean end, otherwise the error (with `statusCode` for an HTTP answer). */
export type WatchDone = (error: unknown) => void;

export interface WatchCallbacks {
  /** The server answered 200: called before the first event. */
  onOpen(): void;
  onEvent: WatchEventHandler;
  done: WatchDone;
}

export interface OpenedWatch {
  abort(): void;
}

/**
 * One watch request (https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes),
 * read as newline-delimited JSON. It does what client-node's `Watch` does
 * (same URL, same authentication and TLS from the KubeConfig, same callbacks)
 * with fewer layers: client-node reads the body through node-fetch's stream
 * and `node:readline`, which cost about as much CPU per event as JSON.parse
 * itself and kept the relay below a plain `makeInformer` on the same stream
 * (`npm run bench`). No maintained library reads a Kubernetes watch without
 * one of those layers (client-node's Watch, kubernetes-fluent-client and
 * ndjson readers all sit on fetch streams or readline), so this one splits
 * the body on "\n" itself. Authentication stays client-node's:
 * `applyToHTTPSOptions` sets the token or exec credential headers and the
 * agent (client certificates, CA, proxies) exactly as its own Watch gets them.
 *
 * Like client-node's Watch, the promise resolves once the server answered
 * (or failed: `done` was then called), a line that is not JSON is skipped,
 * and `done` is called exactly once. Unlike it, `onOpen` says when the
 * stream is open: events may be handed over before the promise's callbacks run.
 */
export const openWatch = async (
  kc: KubeConfig,
  path: string,
  query: Record<string, string | number | boolean | undefined>,
  { onOpen, onEvent, done }: WatchCallbacks,
): Promise<OpenedWatch> => {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("No currently active cluster");
  const url = new URL(cluster.server + path);
  url.searchParams.set("watch", "true");
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
  const options: RequestOptions & { auth?: string } = {};
  await kc.applyToHTTPSOptions(options);

  let finished = false;
  const finish = (error: unknown): void => {
    if (finished) return;
    finished = true;
    req.destroy();
    done(error);
  };
  const req = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, { ...options, method: "GET" });
  req.on("socket", (socket) => socket.setKeepAlive(true, 30_000));
  req.on("error", finish);
  await new Promise<void>((resolve) => {
    req.on("response", (response) => {
      resolve();
      if (response.statusCode === 200) {
        onOpen();
        readLines(response, onEvent, finish, () => finished);
      } else {
        response.resume();
        const error = new Error(response.statusMessage || `HTTP ${response.statusCode}`) as Error & { statusCode?: number };
        error.statusCode = response.statusCode;
        finish(error);
      }
    });
    req.on("close", resolve);
    req.end();
  });
  return { abort: () => finish(null) };
};

/** Splits the body into lines and hands each parsed event over; `finish(null)` at the body's end. */
const readLines = (response: IncomingMessage, onEvent: WatchEventHandler, finish: WatchDone, finished: () => boolean): void => {
  let pending = "";
  const line = (text: string): void => {
    // Aborted by the consumer: the rest of the chunk in hand is not handed over.
    if (text.length === 0 || finished()) return;
    let event: { type?: unknown; object?: unknown };
    try {
      event = JSON.parse(text) as typeof event;
    } catch {
      // As client-node's Watch: a line that is not JSON is skipped.
      return;
    }
    if (event === null || typeof event !== "object") return;
    try {
      onEvent(String(event.type), event.object);
    } catch (error) {
      // client-node's Watch swallows this and loses the event; ending the stream makes the watcher resume at it.
      finish(error);
    }
  };
  response.setEncoding("utf8");
  response.on("data", (chunk: string) => {
    let start = 0;
    let end = chunk.indexOf("\n");
    if (end === -1) {
      pending += chunk;
      return;
    }
    line(pending + chunk.slice(0, end));
    pending = "";
    for (start = end + 1; (end = chunk.indexOf("\n", start)) !== -1; start = end + 1) line(chunk.slice(start, end));
    pending = chunk.slice(start);
  });
  response.on("end", () => {
    line(pending);
    finish(null);
  });
  response.on("error", finish);
  // A connection dropped mid-body emits `error` first; a close without `end` otherwise is still not a clean end.
  response.on("close", () => finish(response.complete ? null : new Error("watch stream closed before its end")));
};
