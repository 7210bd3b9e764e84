import { redactText } from "../../shared/log";
import { DLQ_LIST_USAGE, runDlqList } from "./dlq-list";
import { DLQ_REDRIVE_USAGE, runDlqRedrive } from "./dlq-redrive";
import { UsageError } from "./errors";
import { processIo, type OpsIo } from "./options";
import { runStatus } from "./status";

export { processIo, type OpsIo } from "./options";

/** The commands this module answers (`kube-feedback <command> …`). */
export const OPS_COMMANDS = ["status", "dlq"] as const;

export const isOpsCommand = (command: string | undefined): boolean => (OPS_COMMANDS as readonly (string | undefined)[]).includes(command);

const DLQ_USAGE = `${DLQ_LIST_USAGE}\n${DLQ_REDRIVE_USAGE}`;

const dispatch = (argv: string[], io: OpsIo): Promise<number> => {
  const [command, sub, ...rest] = argv;
  if (command === "status") return runStatus(argv.slice(1), io);
  if (sub === "list") return runDlqList(rest, io);
  if (sub === "redrive") return runDlqRedrive(rest, io);
  if (sub === undefined || sub === "-h" || sub === "--help") {
    io.out(DLQ_USAGE);
    return Promise.resolve(sub === undefined ? 2 : 0);
  }
  throw new UsageError("dlq", `unknown subcommand "${sub}" (list, redrive)`);
};

/**
 * Runs `status` or `dlq …` against AWS or local endpoints (the SDK's own
 * AWS_ENDPOINT_URL_* variables). Returns the exit code: 2 for a usage error,
 * 1 when the command could not do all it was asked.
 */
export const runOps = async (argv: string[], io: OpsIo = processIo()): Promise<number> => {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    // parseArgs throws TypeErrors with an ERR_PARSE_ARGS_* code for unknown or malformed flags.
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") === true;
    io.err(`kube-feedback: ${redactText(error.message)}\n`);
    const sub = argv[0] === "dlq" && (argv[1] === "list" || argv[1] === "redrive") ? ` ${argv[1]}` : "";
    if (usage) io.err(`(see: kube-feedback ${argv[0]}${sub} --help)\n`);
    return usage ? 2 : 1;
  }
};
