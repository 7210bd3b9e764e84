import type { MiddlewareObj } from "@middy/core";
import type { Log } from "../log";
import { IngestError } from "./errors";
import { jsonResponse, routeForLog, type HttpRequest, type HttpResponse } from "./http";

/**
 * Turns the ingest errors into their HTTP answers; anything else is a 500
 * that says nothing about internals. Written here because it is this small
 * and @middy/http-error-handler is not a dependency; it also picks the log
 * level: a client's mistake is a warning, our failure an error. The route it
 * logs has the admission token masked (routeForLog).
 */
export const ingestErrors = (log: Log): MiddlewareObj<HttpRequest, HttpResponse> => ({
  name: "ingestErrors",
  onError: (request) => {
    const { error } = request;
    const route = routeForLog(request.event);
    if (error instanceof IngestError) {
      const fields = { route, status: error.statusCode, error: error.message };
      if (error.statusCode >= 500) log.error("ingest request failed", fields);
      else log.warn("ingest request refused", fields);
      request.response = jsonResponse(error.statusCode, error.toBody());
      return;
    }
    log.error("ingest request failed unexpectedly", { route, error: error instanceof Error ? error.message : String(error) });
    request.response = jsonResponse(500, { error: "InternalError", message: "internal error; see the function's logs" });
  },
});
