import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { MetricsOptions } from "@aws-lambda-powertools/metrics/types";

/** CloudWatch namespace of every metric (POWERTOOLS_METRICS_NAMESPACE overrides it). */
export const DEFAULT_METRICS_NAMESPACE = "KubeFeedback";

export const MetricName = {
  /** Every SQS message handled, by kind and the status it ended with. */
  EventsProcessed: "EventsProcessed",
  /** Messages handed back to SQS to be retried after a backoff. */
  EventRetries: "EventRetries",
  /** Messages the process function moved to the DLQ. */
  DeadLettered: "DeadLettered",
  /** Receiver callbacks, by receiver, lifecycle event and outcome. */
  Deliveries: "Deliveries",
  /** Calls to an SCM API, by provider, operation and outcome. */
  ScmCalls: "ScmCalls",
  ScmLatency: "ScmLatency",
} as const;
export type MetricName = (typeof MetricName)[keyof typeof MetricName];

export const DeliveryOutcome = {
  Delivered: "delivered",
  /** Failed; the call is retried with the message. */
  Failed: "failed",
  /** Failed with an error retrying will not fix; not called again. */
  FailedPermanently: "failed_permanently",
} as const;
export type DeliveryOutcome = (typeof DeliveryOutcome)[keyof typeof DeliveryOutcome];

export const ScmOutcome = {
  Success: "success",
  /** The SCM answered 429 or a secondary rate limit. */
  Throttled: "throttled",
  Failure: "failure",
} as const;
export type ScmOutcome = (typeof ScmOutcome)[keyof typeof ScmOutcome];

/** Stands in for the kind of a message whose envelope could not be read. */
export const UNPARSED_KIND = "unparsed";

type Dimensions = Record<string, string>;

/** A dimension value as published: CloudWatch refuses an empty one. */
const dimensionValue = (value: string): string => value.trim() || "-";

/**
 * Powertools metrics with one buffer per set of dimension values.
 *
 * An EMF object carries one value per dimension, while one batch holds
 * events of several kinds, verdicts and receivers. `singleMetric()` would
 * print a line per data point; here each distinct set of dimension values
 * gets its own Powertools buffer, all flushed together by
 * `publishStoredMetrics()` (which the middy `logMetrics` middleware calls), so
 * a batch costs one line per set. The instance's own buffer holds the
 * service-wide totals.
 */
export class FeedbackMetrics extends Metrics {
  readonly #options: Pick<MetricsOptions, "namespace" | "serviceName">;
  readonly #buckets = new Map<string, Metrics>();

  constructor(options: Pick<MetricsOptions, "namespace" | "serviceName">) {
    super(options);
    this.#options = options;
  }

  /** The buffer for one set of dimension values (values must be non-empty). */
  dimensioned(dimensions: Dimensions): Metrics {
    // Called for every message: the key is built by hand, the clean copy only for a new bucket.
    let key = "";
    for (const name of Object.keys(dimensions).sort()) key += `${name}\u0000${dimensionValue(dimensions[name]!)}\u0001`;
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      const clean = Object.fromEntries(Object.entries(dimensions).map(([k, v]) => [k, dimensionValue(v)]));
      bucket = new Metrics({ ...this.#options, defaultDimensions: clean });
      this.#buckets.set(key, bucket);
    }
    return bucket;
  }

  override publishStoredMetrics(): this {
    for (const bucket of this.#buckets.values()) if (bucket.hasStoredMetrics()) bucket.publishStoredMetrics();
    // The base class warns about an empty flush; the totals are empty only
    // when no record was handled (a failed cold start), which the logs say.
    if (super.hasStoredMetrics()) super.publishStoredMetrics();
    return this;
  }
}

export const metrics = new FeedbackMetrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || DEFAULT_METRICS_NAMESPACE,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME || "kube-feedback",
});

const count = (name: MetricName, dimensions: Dimensions, value = 1): void => {
  metrics.addMetric(name, MetricUnit.Count, value);
  metrics.dimensioned(dimensions).addMetric(name, MetricUnit.Count, value);
};

/** One SQS message handled: its object kind and the status it ended with. */
export const recordVerdict = (kind: string, status: string): void => count(MetricName.EventsProcessed, { kind, verdict: status });

/** One message handed back to SQS for a retry. */
export const recordRetry = (kind: string): void => count(MetricName.EventRetries, { kind });

/** One message moved to the DLQ, with the status that sent it there (Failure, MaxRetryReached). */
export const recordDeadLetter = (kind: string, status: string): void => count(MetricName.DeadLettered, { kind, status });

/** One receiver callback and how it went. */
export const recordDelivery = (receiver: string, event: string, outcome: DeliveryOutcome): void =>
  count(MetricName.Deliveries, { receiver, event, outcome });

/** One SCM API call: how long it took and how it ended. Latency is per provider and operation. */
export const recordScmCall = (provider: string, operation: string, ms: number, outcome: ScmOutcome): void => {
  metrics.dimensioned({ provider, operation, outcome }).addMetric(MetricName.ScmCalls, MetricUnit.Count, 1);
  metrics.dimensioned({ provider, operation }).addMetric(MetricName.ScmLatency, MetricUnit.Milliseconds, Math.max(0, ms));
};
