import "./ops/defaults";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../shared/config";
import { logger, redactText } from "../shared/log";
import { createReceivers } from "../shared/receivers";
import { runCheck } from "./check";
import { runLocal } from "./local/run";
import { STATE_DIR_ENV, StateDirError } from "./local/state-dir";
import { isOpsCommand, runOps } from "./ops";
import { RunSetupError } from "./run/errors";
import { DEFAULT_RESYNC_SECONDS } from "./run/resync-schedule";

const USAGE = `usage: kube-feedback <command> [options]

commands:
  check    validate the config and resolve every secret reference it names
           (exit 0, or 2 with each problem listed): for CI and before a deploy
  local    run the whole path on this machine with embedded SQS and DynamoDB
           emulators; watches the cluster in KUBECONFIG, or replays recordings
  relay    watch the configured kinds and send envelopes to QUEUE_URL
  run      relay, process and resync in one process, for a cluster without AWS:
           an embedded queue, the state table kept in --state-dir (required)
  status   recent runs and what each receiver was told (TABLE_NAME or --table)
  dlq list | dlq redrive
           what is in the dead-letter queue, and moving it back (DLQ_URL, QUEUE_URL;
           --operations: the relay operations' ones, OPERATIONS_DLQ_URL, OPERATIONS_QUEUE_URL)

  status and dlq work against AWS or the emulators (AWS_ENDPOINT_URL_SQS,
  AWS_ENDPOINT_URL_DYNAMODB); see kube-feedback <command> --help.

options:
  --config FILE        feedback.yaml (default: FEEDBACK_CONFIG, else the embedded default)
  --replay FILE        (local) replay recorded watch events (.ndjson); repeatable
  --state-dir DIR      (local) keep the state table in DIR (also KUBE_FEEDBACK_STATE_DIR),
                       so a restart remembers what it told whom; one process per DIR.
                       Default: in memory
  --kubeconfig FILE    (run) the cluster to watch and write back to
                       (default: KUBECONFIG, ~/.kube/config, else the pod's service account)
  --resync-interval S  (run) seconds between resyncs of CommitStatuses (default ${DEFAULT_RESYNC_SECONDS})
  -h, --help           show this help
`;

// Both the sources (cli/main.ts) and the bundle (dist/cli.mjs) sit one level below the package root.
const RECORDINGS = ["tekton-pipelinerun.ndjson", "job.ndjson"].map((name) =>
  fileURLToPath(new URL(`../recordings/${name}`, import.meta.url)),
);

// The local stack runs on the Node that is installed; Lambda runs Node 22.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/** The flag wins over the variable; an empty value of either means in memory. */
const stateDirOf = (flag: string | undefined): { stateDir?: string } => {
  const dir = flag ?? process.env[STATE_DIR_ENV];
  return dir ? { stateDir: dir } : {};
};

const resyncIntervalOf = (flag: string | undefined): number => {
  if (flag === undefined) return DEFAULT_RESYNC_SECONDS;
  const seconds = Number(flag);
  if (!Number.isInteger(seconds) || seconds < 1) throw new RunSetupError("--resync-interval", `must be a whole number of seconds, at least 1 (got "${flag}")`);
  return seconds;
};

const main = async (argv: string[]): Promise<number> => {
  // Ops commands read the queues and the table, not feedback.yaml, and have flags of their own.
  if (isOpsCommand(argv[0])) return runOps(argv);
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: "string" },
      replay: { type: "string", multiple: true },
      "state-dir": { type: "string" },
      kubeconfig: { type: "string" },
      "resync-interval": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [command] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return command || values.help ? 0 : 2;
  }
  if (command === "check") return runCheck({ file: values.config ?? process.env.FEEDBACK_CONFIG, out: (line) => void process.stdout.write(line) });
  // Validated once at start: a bad key stops here, naming it.
  const config = loadConfig(values.config ?? process.env.FEEDBACK_CONFIG);
  createReceivers(config);
  switch (command) {
    case "local":
      return runLocal({
        config,
        replay: values.replay ?? [],
        bundled: RECORDINGS,
        ...stateDirOf(values["state-dir"]),
        log: logger,
        out: (line) => void process.stdout.write(line),
      });
    case "run": {
      const { stateDir } = stateDirOf(values["state-dir"]);
      if (!stateDir) throw new RunSetupError("--state-dir", `is required (or ${STATE_DIR_ENV}): the state must outlive the process`);
      const { runStandalone } = await import("./run/run");
      return runStandalone({
        config,
        stateDir,
        ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
        resyncIntervalSeconds: resyncIntervalOf(values["resync-interval"]),
        log: logger,
      });
    }
    case "relay": {
      // The relay's settings (sink, queue or ingest URL, lease) come from its environment and are checked there.
      const { runRelay } = await import("../relay/run");
      await runRelay(config, process.env.QUEUE_URL, logger);
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
    process.stderr.write(`kube-feedback: ${redactText(message)}\n`);
    process.exit(error instanceof ConfigError || error instanceof StateDirError || error instanceof RunSetupError ? 2 : 1);
  },
);
