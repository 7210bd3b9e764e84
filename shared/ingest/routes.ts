import type { Route } from "@middy/http-router";
import { handleAdmission } from "./admission";
import type { IngestDeps } from "./deps";
import { RouteNotFoundError } from "./errors";
import { handleEvents } from "./events";
import { maskPath, type HttpRequest, type HttpResponse } from "./http";
import { handleCloudEvents } from "./cloudevents-route";
import { handleOperationsAck, handleOperationsReceive } from "./operations-route";

export const IngestPath = {
  Events: "/events",
  CloudEvents: "/cloudevents",
  Admission: "/admission/{token}",
  /** Relays on the webhook sink fetch their cluster's operations here (`kubernetes.via: relay`). */
  OperationsReceive: "/operations/receive",
  OperationsAck: "/operations/ack",
} as const;

/** The routes of the ingest function; the same paths serverless.yml declares. */
export const ingestRoutes = (deps: () => Promise<IngestDeps>): Array<Route<HttpRequest, HttpResponse>> => [
  { method: "POST", path: IngestPath.Events, handler: async (event: HttpRequest) => handleEvents(event, await deps()) },
  { method: "POST", path: IngestPath.CloudEvents, handler: async (event: HttpRequest) => handleCloudEvents(event, await deps()) },
  { method: "POST", path: IngestPath.Admission, handler: async (event: HttpRequest) => handleAdmission(event, await deps()) },
  { method: "POST", path: IngestPath.OperationsReceive, handler: async (event: HttpRequest) => handleOperationsReceive(event, await deps()) },
  { method: "POST", path: IngestPath.OperationsAck, handler: async (event: HttpRequest) => handleOperationsAck(event, await deps()) },
];

/** The 404's message is logged and answered: a mistyped admission URL still holds the token. */
export const routeNotFound = ({ method, path }: { method: string; path: string }): never => {
  throw new RouteNotFoundError(method, maskPath(path));
};
