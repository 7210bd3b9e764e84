import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import { createBatchHandler } from "../../shared/process/handler";
import { logger } from "../../shared/log";

/** SQS FIFO → partial batch response. Wiring only; the logic is in shared/process. */
export const handler = middy(createBatchHandler()).use(injectLambdaContext(logger, { resetKeys: true }));
