import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import httpRouterHandler from "@middy/http-router";
import {
  ingestErrors,
  ingestRoutes,
  lazyIngestDeps,
  routeNotFound,
  type HttpRequest,
  type HttpResponse,
  type IngestOptions,
} from "../../shared/ingest";
import { logger } from "../../shared/log";

/**
 * The ingest function: API Gateway HTTP API (payload 2.0) in, JSON out.
 * `POST /events` (relay webhook sink, HMAC), `POST /cloudevents` (Tekton),
 * `POST /admission/{token}` (the API server's validating webhook). Wiring
 * only; the logic is in shared/ingest. Settings and clients are built on the
 * first request of a container. The event is never logged, whatever
 * POWERTOOLS_LOGGER_LOG_EVENT says: its path, query and headers carry the
 * tokens.
 */
export const createHandler = (options: IngestOptions = {}) =>
  middy<HttpRequest, HttpResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use(ingestErrors(options.log ?? logger))
    .handler(httpRouterHandler({ routes: ingestRoutes(lazyIngestDeps(options)), notFoundResponse: routeNotFound }));

export const handler = createHandler();
