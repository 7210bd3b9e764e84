import { bearerOrQueryToken, isSigned, requireClusterToken, verifySignedRequest, type SignedRequest } from "./auth";
import { parseCloudEvents, type CloudEvent } from "./cloudevents";
import type { IngestDeps } from "./deps";
import { enqueueClaimed, type ReplayClaim } from "./enqueue";
import { ForbiddenError } from "./errors";
import { enqueueSigned } from "./events";
import { jsonResponse, readBody, type HttpRequest, type HttpResponse } from "./http";
import type { QueueEntry } from "./queue";
import { StoreKey } from "../store/keys";
import { tektonEntry } from "./tekton";

/**
 * Who sent a CloudEvents request. The relay signs with the HMAC key, which
 * is trusted for every cluster (its events name theirs with the `cluster`
 * extension); a token is bound to one cluster (INGEST_TOKENS).
 */
type Sender = { signed: SignedRequest } | { tokenCluster: string };

/** A client's value in a message, cut short: ids and sources are any strings the client chose. */
const quoted = (value: string): string => JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);

/**
 * The cluster an event is enqueued for. A token's events always carry the
 * token's cluster: one naming another is refused, never re-labelled, so a
 * token leaked from one cluster cannot write the runs of another (the
 * first terminal phase of a run wins, so one forged "successful" would
 * stick).
 */
const clusterOf = (event: CloudEvent, sender: Sender, ownCluster: string, where: string): string => {
  if ("signed" in sender) return event.cluster ?? ownCluster;
  if (event.cluster !== undefined && event.cluster !== sender.tokenCluster) {
    throw new ForbiddenError(
      `${where}: cluster (extension attribute): ${quoted(event.cluster)} is not the cluster this token is bound to ` +
        `(${quoted(sender.tokenCluster)}); a token posts only its own cluster's events`,
    );
  }
  return sender.tokenCluster;
};

/**
 * `POST /cloudevents`: Tekton's CloudEvents sink. Authenticated by a token
 * bound to a cluster (Bearer or `?token=`, since Tekton's
 * `default-cloud-events-sink` is a bare URL) or by the relay's HMAC headers.
 * Every event of the request is checked before any is enqueued. Replays are
 * answered 409: a signed request by its signature, a token's event by its
 * source and id, remembered for the signature window.
 */
export const handleCloudEvents = async (request: HttpRequest, deps: IngestDeps): Promise<HttpResponse> => {
  const { settings } = deps;
  const body = readBody(request, settings.maxBodyBytes);
  const sender: Sender = isSigned(request)
    ? { signed: verifySignedRequest(request, body.raw, settings.hmacSecret, deps.now(), settings.windowSeconds) }
    : { tokenCluster: requireClusterToken(bearerOrQueryToken(request), settings.cloudeventsTokens, "cloudevents") };
  const events = parseCloudEvents(request, body.text);
  const now = deps.now();
  const expiresAt = Math.floor(now.getTime() / 1000) + settings.windowSeconds;
  const entries: QueueEntry[] = [];
  const claims: ReplayClaim[] = [];
  const ignored: string[] = [];
  events.forEach((event, index) => {
    const where = events.length > 1 ? `CloudEvent [${index}] ${event.id}` : `CloudEvent ${event.id}`;
    const cluster = clusterOf(event, sender, settings.cluster, where);
    const entry = tektonEntry(event, cluster, now, where, deps.log);
    if (!entry) {
      ignored.push(event.type);
      return;
    }
    entries.push(entry);
    claims.push({
      key: StoreKey.cloudEvent(cluster, event.source, event.id),
      expiresAt,
      replayed: `replayed CloudEvent: source ${quoted(event.source)} id ${quoted(event.id)} was already accepted in the last ${settings.windowSeconds} s; a new event needs a new id`,
    });
  });
  if (entries.length > 0) {
    if ("signed" in sender) await enqueueSigned(deps, sender.signed, entries);
    else await enqueueClaimed(deps, claims, entries);
  }
  if (ignored.length > 0) deps.log.info("Tekton events of types not handled were ignored", { types: ignored });
  return jsonResponse(202, { enqueued: entries.length, ignored: ignored.length });
};
