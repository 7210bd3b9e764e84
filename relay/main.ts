import { loadConfig } from "../shared/config";
import { logger } from "../shared/log";
import { runRelay } from "./run";

/** Entry of the relay image: config from FEEDBACK_CONFIG, queue from QUEUE_URL. */
const main = async (): Promise<void> => {
  const config = loadConfig(process.env.FEEDBACK_CONFIG);
  const queueUrl = process.env.QUEUE_URL;
  if (!queueUrl) throw new Error("QUEUE_URL is not set: the relay needs the FIFO queue's URL");
  await runRelay(config, queueUrl, logger);
};

main().catch((error: unknown) => {
  logger.error("relay stopped", { error: (error as Error).message });
  process.exit(1);
});
