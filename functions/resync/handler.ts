import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import { logger } from "../../shared/log";
import { createResyncHandler } from "../../shared/process/resync";

/**
 * Scheduled resync: lost events and drift. Wiring only: shared/process/resync
 * builds the dependencies once per cold start, and the resync itself is
 * shared/commitstatus/resync.
 */
export const handler = middy(createResyncHandler()).use(injectLambdaContext(logger, { resetKeys: true }));
