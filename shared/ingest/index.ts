export {
  EnqueueError,
  ForbiddenError,
  IngestError,
  IngestSettingError,
  InvalidRequestError,
  PayloadTooLargeError,
  ReplayedRequestError,
  RouteNotFoundError,
  UnauthorizedError,
  UnauthorizedReason,
  type ItemProblem,
} from "./errors";
export { admissionEnvelope, allowed, handleAdmission, parseAdmissionReview } from "./admission";
export { parseCloudEvents, CloudEventsMedia, type CloudEvent } from "./cloudevents";
export { createIngestDeps, lazyIngestDeps, type EnvelopeSender, type IngestDeps, type IngestOptions, type SignatureLedger } from "./deps";
export { enqueueSigned, handleEvents, parseEnvelopeBatch } from "./events";
export { header, jsonResponse, readBody, type HttpRequest, type HttpResponse } from "./http";
export { ingestErrors } from "./middleware";
export { EnvelopeQueue, type QueueEntry } from "./queue";
export { ReplayGuard } from "./replay";
export { shapeForQueue } from "./shape";
export { IngestPath, ingestRoutes, routeNotFound } from "./routes";
export { INGEST_DEFAULTS, resolveIngestSettings, type IngestSettings } from "./settings";
export { handleCloudEvents } from "./cloudevents-route";
export { enqueueClaimed, type ReplayClaim } from "./enqueue";
export { TEKTON_EVENT_TYPES, tektonEntry } from "./tekton";
export { resolveClusterTokens, TOKENS_SETTING, type ClusterToken } from "./tokens";
