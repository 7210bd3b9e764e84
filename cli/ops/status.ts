import { parseArgs } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { Mark } from "../../shared/pipeline/lifecycle";
import { changedSinceFilter, runStateOf, updatedAtOf, type RunRecord } from "../../shared/pipeline/run-record";
import { redactText } from "../../shared/log";
import { StoreKey } from "../../shared/store/keys";
import { age, cell, renderTable } from "./format";
import { parseDuration, parsePositiveInt, setting, type OpsIo } from "./options";

export const STATUS_USAGE = `usage: kube-feedback status [options]

Recent runs, newest first, with what each receiver was told.

options:
  --cluster C        only runs of this cluster
  --namespace N      only runs in this namespace
  --since D          only runs changed within D (30m, 1h, 2d)
  --limit N          at most N runs (default 50)
  --table NAME       state table (default: TABLE_NAME)
  --region R         AWS region (default: the SDK's own settings)
  --json             print JSON instead of a table
`;

/** One run as `status` shows it. */
export interface RunSummary {
  key: string;
  id: string;
  kind: string;
  namespace: string;
  phase: string;
  updatedAt?: string;
  receivers: Record<string, { created: string; started: string; finished: string; progress: number; lastError?: string }>;
}

interface RunItem {
  pk: string;
  data?: RunRecord;
}

/** A claim whose lease ended is shown apart from one in flight: its call is made again by the run's next attempt, as a possible repeat. */
const markState = (mark: Mark | undefined, now: number): string => (mark?.s === "claimed" && (mark.exp ?? 0) <= now ? "expired" : (mark?.s ?? "open"));

// ✓ delivered, ✗ given up (permanent error), … claimed by a call in flight, ↻ claimed by a call whose lease ended, · not yet, – not heard (its `when` was false).
const SYMBOL: Record<string, string> = { done: "✓", failed: "✗", claimed: "…", expired: "↻", open: "·", skipped: "–" };

const summarise = (item: RunItem, now: number): RunSummary | undefined => {
  const { info, deliveries } = runStateOf(item.data ? { data: item.data } : undefined);
  if (!info) return undefined;
  const updatedAt = updatedAtOf(item.data);
  return {
    key: item.pk,
    id: info.id,
    kind: info.kind,
    namespace: info.namespace,
    phase: info.phase,
    ...(updatedAt ? { updatedAt } : {}),
    receivers: Object.fromEntries(
      Object.entries(deliveries)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, d]) => [
          name,
          {
            created: markState(d.created, now),
            started: markState(d.started, now),
            finished: markState(d.finished, now),
            progress: d.pc ?? 0,
            // Written by another process, so registered secrets are unknown here; known shapes are still masked.
            ...(d.lastError ? { lastError: redactText(d.lastError) } : {}),
          },
        ]),
    ),
  };
};

export interface RunFilter {
  cluster?: string;
  namespace?: string;
  /** ISO 8601: only runs updated at or after. */
  since?: string;
}

/**
 * Reads run items with a Scan and a filter. An ops command run by hand now
 * and then: a Scan reads the whole table (cost grows with the table, which
 * TTL keeps bounded), and a GSI on updatedAt would cost a write on every
 * state change to save reads nobody makes on the hot path.
 */
export const scanRuns = async (
  doc: DynamoDBDocumentClient,
  table: string,
  filter: RunFilter,
  now: number,
  onPage?: (scanned: number, matched: number) => void,
): Promise<RunSummary[]> => {
  const names: Record<string, string> = { "#pk": "pk", "#data": "data", "#run": "run", "#ttl": "ttl", "#updated": "updatedAt", "#u": "u" };
  const values: Record<string, unknown> = { ":prefix": StoreKey.objectPrefix(filter.cluster), ":now": Math.floor(now / 1000) };
  const conditions = [
    "begins_with(#pk, :prefix)",
    "attribute_exists(#data.#run)",
    // TTL deletion lags expiry by up to a few days: expired runs are not shown.
    "(attribute_not_exists(#ttl) OR #ttl > :now)",
  ];
  if (filter.since !== undefined) {
    const since = changedSinceFilter("#data", filter.since);
    Object.assign(names, since.names);
    Object.assign(values, since.values);
    conditions.push(since.expression);
  }
  const runs: RunSummary[] = [];
  let scanned = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: conditions.join(" AND "),
        ProjectionExpression: "#pk, #data.#run, #data.#updated, #data.#u",
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    scanned += page.ScannedCount ?? 0;
    for (const item of (page.Items ?? []) as RunItem[]) {
      // The namespace is read here, not filtered on: where the run item keeps it is run-record.ts's business.
      const summary = summarise(item, Date.now());
      if (summary && (filter.namespace === undefined || summary.namespace === filter.namespace)) runs.push(summary);
    }
    startKey = page.LastEvaluatedKey;
    onPage?.(scanned, runs.length);
  } while (startKey);
  // ISO 8601 strings in UTC sort as time; runs written before updatedAt existed go last.
  return runs.sort((a, b) => (b.updatedAt ?? "").localeCompare(a.updatedAt ?? ""));
};

const render = (runs: readonly RunSummary[], now: number): string => {
  const rows: string[][] = [];
  for (const run of runs) {
    const head = [run.id, run.kind, run.phase, run.updatedAt ? `${age(Date.parse(run.updatedAt), now)} ago` : "-"];
    const receivers = Object.entries(run.receivers);
    if (receivers.length === 0) rows.push([...head, "-", "", "", "", "", ""]);
    receivers.forEach(([name, r], i) => {
      const sym = (s: string) => SYMBOL[s] ?? s;
      rows.push([
        ...(i === 0 ? head : ["", "", "", ""]),
        name,
        sym(r.created),
        sym(r.started),
        sym(r.finished),
        String(r.progress),
        cell(r.lastError),
      ]);
    });
  }
  return renderTable(["RUN", "KIND", "PHASE", "UPDATED", "RECEIVER", "CREATED", "STARTED", "FINISHED", "PROGRESS", "LAST ERROR"], rows);
};

/** `kube-feedback status`: returns the exit code. */
export const runStatus = async (argv: string[], io: OpsIo): Promise<number> => {
  const { values } = parseArgs({
    args: argv,
    options: {
      cluster: { type: "string" },
      namespace: { type: "string" },
      since: { type: "string" },
      limit: { type: "string" },
      table: { type: "string" },
      region: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    io.out(STATUS_USAGE);
    return 0;
  }
  const now = io.now?.() ?? Date.now();
  const table = setting(io, "table", values.table, "TABLE_NAME", "the state table");
  const limit = parsePositiveInt("limit", values.limit, 50);
  const filter: RunFilter = {
    ...(values.cluster ? { cluster: values.cluster } : {}),
    ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
    ...(values.since ? { since: new Date(now - parseDuration("since", values.since)).toISOString() } : {}),
  };
  const client = new DynamoDBClient(values.region ? { region: values.region } : {});
  try {
    const doc = DynamoDBDocumentClient.from(client);
    let pages = 0;
    const runs = await scanRuns(doc, table, filter, now, (scanned, matched) => {
      // A one-page table answers at once; a big one says it is still reading.
      if (++pages > 1) io.err(`${io.isTTY ? "\r" : ""}scanned ${scanned} items, ${matched} runs${io.isTTY ? "" : "\n"}`);
    });
    if (pages > 1 && io.isTTY) io.err("\n");
    const shown = runs.slice(0, limit);
    if (values.json) {
      io.out(`${JSON.stringify(shown, null, 2)}\n`);
      return 0;
    }
    if (shown.length === 0) {
      io.out("no runs found\n");
      return 0;
    }
    io.out(render(shown, now));
    io.out(`\n${shown.length} of ${runs.length} runs   (✓ delivered, · not yet, … in flight, ↻ lease ended, ✗ failed permanently)\n`);
    return 0;
  } finally {
    client.destroy();
  }
};
