import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import { logger } from "../../shared/log";
import { createBatchHandler, type ProcessHandlerOptions } from "../../shared/process/handler";

/**
 * The process function: SQS FIFO batch in, partial batch response out.
 * Wiring only; the logic is in shared/process. The local stack builds its
 * handler with this same factory.
 */
export const createHandler = (options: ProcessHandlerOptions = {}) =>
  middy(createBatchHandler(options)).use(injectLambdaContext(logger, { resetKeys: true }));

export const handler = createHandler();
