import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import { logger } from "../../shared/log";
import { createResyncHandler } from "../../shared/process/resync";

/** Scheduled resync: lost events and drift. Wiring only; the logic is in shared/commitstatus. */
export const handler = middy(createResyncHandler()).use(injectLambdaContext(logger, { resetKeys: true }));
