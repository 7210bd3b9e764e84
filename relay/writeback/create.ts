import { ConfigError, KubernetesVia, type FeedbackConfig } from "../../shared/config";
import { SqsOperationSource, type OperationSource } from "../../shared/operations";
import type { RelaySettings } from "../settings";
import { SinkType } from "../sinks/types";
import { IngestOperationSource } from "./ingest-source";

/**
 * Where this relay receives its cluster's operations, when the config
 * reaches the cluster `via: relay`: the operations queue itself beside the
 * sqs sink, the ingest function beside the webhook sink (same URL host,
 * same HMAC key). Undefined when the process side reaches the API server
 * itself. A setting that cannot work stops the start, naming it.
 */
export const createOperationSource = (config: FeedbackConfig, settings: Pick<RelaySettings, "sink" | "operationsQueueUrl">): OperationSource | undefined => {
  if (config.kubernetes.via !== KubernetesVia.Relay) return undefined;
  const sink = settings.sink;
  switch (sink.type) {
    case SinkType.Sqs:
      if (!settings.operationsQueueUrl) {
        throw new ConfigError("OPERATIONS_QUEUE_URL", "is not set: kubernetes.via is relay, and beside the sqs sink the relay receives its cluster's operations from that queue");
      }
      return new SqsOperationSource({ queueUrl: settings.operationsQueueUrl });
    case SinkType.Webhook:
      return new IngestOperationSource({ eventsUrl: sink.url, secret: sink.secret, cluster: config.cluster });
    case SinkType.Stdout:
      throw new ConfigError("RELAY_SINK", "kubernetes.via is relay: the stdout sink has nowhere to receive operations from; use sqs or webhook");
  }
};
