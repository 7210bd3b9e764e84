import { loadConfig } from "../shared/config";
import { logger } from "../shared/log";
import { runRelay } from "./run";

/** Entry of the relay image: config from FEEDBACK_CONFIG, everything else from the environment (settings.ts). */
const main = async (): Promise<void> => {
  const config = loadConfig(process.env.FEEDBACK_CONFIG);
  await runRelay(config, process.env.QUEUE_URL, logger);
};

main().then(
  () => process.exit(0),
  (error: unknown) => {
    logger.error("relay stopped", { error: (error as Error).message });
    process.exit(1);
  },
);
