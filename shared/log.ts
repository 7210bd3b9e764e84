import { Logger } from "@aws-lambda-powertools/logger";

/**
 * One Powertools logger for the whole program: JSON lines with the service
 * name, so CloudWatch Logs Insights can query them. Children carry the
 * correlation fields of the event at hand.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "kube-feedback" });

export type Log = Pick<Logger, "debug" | "info" | "warn" | "error">;
