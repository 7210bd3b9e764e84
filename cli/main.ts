import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../shared/config";
import { logger } from "../shared/log";
import { createReceivers } from "../shared/receivers";
import { runLocal } from "./local/run";

const USAGE = `usage: kube-feedback <command> [options]

commands:
  local    run the whole path on this machine with embedded SQS and DynamoDB
           emulators; watches the cluster in KUBECONFIG, or replays recordings
  relay    watch the configured kinds and send envelopes to QUEUE_URL

options:
  --config FILE        feedback.yaml (default: FEEDBACK_CONFIG, else the embedded default)
  --replay FILE        (local) replay recorded watch events (.ndjson); repeatable
  -h, --help           show this help
`;

// Both the sources (cli/main.ts) and the bundle (dist/cli.mjs) sit one level below the package root.
const RECORDINGS = ["tekton-pipelinerun.ndjson", "job.ndjson"].map((name) =>
  fileURLToPath(new URL(`../recordings/${name}`, import.meta.url)),
);

// The local stack runs on the Node that is installed; Lambda runs Node 22.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const main = async (argv: string[]): Promise<number> => {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: "string" },
      replay: { type: "string", multiple: true },
      help: { type: "boolean", short: "h" },
    },
  });
  const [command] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return command || values.help ? 0 : 2;
  }
  // Validated once at start: a bad key stops here, naming it.
  const config = loadConfig(values.config ?? process.env.FEEDBACK_CONFIG);
  createReceivers(config);
  switch (command) {
    case "local":
      // Logs would drown the console receiver's lines; warnings and errors still show.
      logger.setLogLevel((process.env.POWERTOOLS_LOG_LEVEL as "WARN" | undefined) ?? "WARN");
      return runLocal({
        config,
        replay: values.replay ?? [],
        bundled: RECORDINGS,
        log: logger,
        out: (line) => void process.stdout.write(line),
      });
    case "relay": {
      const { runRelay } = await import("../relay/run");
      const queueUrl = process.env.QUEUE_URL;
      if (!queueUrl) throw new ConfigError("QUEUE_URL", "is not set: the relay needs the FIFO queue's URL");
      await runRelay(config, queueUrl, logger);
      return 0;
    }
    default:
      process.stderr.write(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
};

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`kube-feedback: ${message}\n`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  },
);
