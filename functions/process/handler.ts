import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import { logger } from "../../shared/log";
import { metrics } from "../../shared/metrics";
import { createBatchHandler, type ProcessHandlerOptions } from "../../shared/process/batch";

/**
 * The process function: SQS FIFO batch in, partial batch response out.
 * Wiring only; the logic is in shared/process. The local stack builds its
 * handler with this same factory. Metrics are flushed once per invocation,
 * also when the handler throws.
 */
export const createHandler = (options: ProcessHandlerOptions = {}) => {
  const batch = createBatchHandler(options);
  const handler = middy(batch)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
  return Object.assign(handler, { warm: batch.warm });
};

export const handler = createHandler();
