import { fitEnvelope, FitLevel, slimObject, SQS_LIMITS, type Envelope } from "../envelope";
import type { Log } from "../log";

/**
 * What the relay does to a watched object before it ships it, for the
 * objects ingest wraps itself (admission reviews, CloudEvents): slim it
 * (envelope/slim.ts), then cut it down until it fits in one SQS message
 * (envelope/fit.ts), with a warning when more than slimming was needed. Throws
 * EnvelopeTooLargeError when even that is too big: SQS would refuse it forever.
 */
export const shapeForQueue = (envelope: Envelope, log: Log): Envelope => {
  const fitted = fitEnvelope({ ...envelope, object: slimObject(envelope.object) }, SQS_LIMITS.messageBytes);
  if (fitted.level !== FitLevel.Slim) {
    const { namespace, name } = envelope.object.metadata;
    log.warn("envelope cut down to fit in an SQS message", { kind: envelope.kind, namespace, name, level: fitted.level, bytes: fitted.bytes });
  }
  return fitted.envelope;
};
