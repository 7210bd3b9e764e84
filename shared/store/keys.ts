import { createHash } from "node:crypto";

/**
 * Every key format of the state table. One table holds every kind of item
 * (string hash key `pk`, attributes `version`, `data`, `ttl`); what an item
 * is follows from the prefix of its key, up to and including the first `#`:
 *
 * - `obj#<cluster>/<uid>`: a watched object's state (a run's fold, the last
 *   version handled, a CommitStatus sync record).
 * - `rcv#<key>`: a receiver's memory, under the receiver's own key.
 * - `sig#<hex>`: a signed ingest request already accepted (replay guard).
 * - `ce#<sha256>`: a CloudEvent already accepted, by cluster, source and id.
 * - `pause#<host>#<credential>`: a credential's rate-limit mark; it is stored
 *   through the receivers' view, so the table key is `rcv#pause#…`.
 * - `scm/<receiver>/fork/<repo>!<request>/<status name>`: where an `scm`
 *   receiver's status for a merge request from a fork goes; a receiver's
 *   key too, so the table key is `rcv#scm/…`.
 * - `chat/<receiver>/message/<cluster>/<uid>`: the one message a chat
 *   receiver keeps per run (its ids, what it shows, the stages replied to);
 *   a receiver's key too, so the table key is `rcv#chat/…`.
 * - `scm/<receiver>/deployment/<repo>/<environment>/<uid>`: the deployment an
 *   `scm` receiver made for a run and the last status it gave it; a
 *   receiver's key too, so the table key is `rcv#scm/…`.
 * - `fin#<sha256>`: the last finished run of one pipeline (cluster and status
 *   name), the `previous` of a receiver's `when` condition.
 * - `git#<cluster>/<namespace>/<name>`: a GitRepo as its relay last sent it,
 *   for clusters reached `via: relay` (the process side cannot read it).
 *
 * Nothing else builds a key or tests a prefix by hand: the ops CLI, the
 * bench meter and the tests read these too.
 */
export const KeyPrefix = {
  object: "obj#",
  receiver: "rcv#",
  signature: "sig#",
  cloudEvent: "ce#",
  pause: "pause#",
  finished: "fin#",
  gitRepo: "git#",
} as const;

export type KeyPrefix = (typeof KeyPrefix)[keyof typeof KeyPrefix];

export const StoreKey = {
  /** A watched object's item: the run a PipelineRun folds into, the object a route remembers. */
  object: (cluster: string, uid: string): string => `${KeyPrefix.object}${cluster}/${uid}`,
  /** What every object key of `cluster` (or of every cluster) starts with: the ops CLI's scan. */
  objectPrefix: (cluster?: string): string => (cluster ? `${KeyPrefix.object}${cluster}/` : KeyPrefix.object),
  /** A receiver's item, under the key the receiver chose (its view of the table adds the prefix). */
  receiver: (key: string): string => `${KeyPrefix.receiver}${key}`,
  /** A signed ingest request's claim. */
  signature: (signatureHex: string): string => `${KeyPrefix.signature}${signatureHex}`,
  /**
   * A CloudEvent's claim. Its source and id are any strings a client chose,
   * of any length, so they are hashed to fit a DynamoDB key; the cluster is
   * part of the hash so that one cluster's events can never make another's
   * look replayed.
   */
  cloudEvent: (cluster: string, source: string, id: string): string =>
    `${KeyPrefix.cloudEvent}${createHash("sha256").update([cluster, source, id].join("\u0000")).digest("hex")}`,
  /**
   * A credential's pause mark, in the receivers' view. `host` is the SCM's
   * web host (`github.com`, `gitlab.example.com`); `credential` names what
   * the SCM counts requests against without containing it:
   * `installation-<id>`, `app-<appId>@<owner>` or `token-<16 hex digits>`.
   */
  pause: (host: string, credential: string): string => `${KeyPrefix.pause}${host.toLowerCase()}#${credential}`,
  /**
   * Where an `scm` receiver's status for a merge request from a fork was
   * accepted (the source project, the target project, or neither and a note
   * on the request), in the receivers' view: per receiver, target repository
   * (`group/project`), request number and status name.
   */
  forkRoute: (receiver: string, repo: string, request: number, statusName: string): string => `scm/${receiver}/fork/${repo}!${request}/${statusName}`,
  /**
   * The deployment an `scm` receiver made for a run (GitHub Deployments),
   * in the receivers' view: per receiver, repository (`owner/name`),
   * environment and run uid (a rerun is a new run, with a new deployment).
   */
  deployment: (receiver: string, repo: string, environment: string, uid: string): string => `scm/${receiver}/deployment/${repo}/${environment}/${uid}`,
  /**
   * The one message a chat receiver (Slack with a bot token, Discord,
   * Matrix) keeps for a run and edits as the run moves, in the receivers'
   * view: per receiver, cluster and run uid (a rerun is a new run, with a
   * new message).
   */
  runMessage: (receiver: string, cluster: string, uid: string): string => `chat/${receiver}/message/${cluster}/${uid}`,
  /**
   * The last finished run of one pipeline: its runs share the cluster and the
   * status name (`{{namespace}}/{{name}}` or the run's status-name
   * annotation). An annotation is any string of any length, so the two are
   * hashed to fit a DynamoDB key.
   */
  lastFinished: (cluster: string, statusName: string): string =>
    `${KeyPrefix.finished}${createHash("sha256").update([cluster, statusName].join("\u0000")).digest("hex")}`,
  /**
   * A GitRepo of a cluster reached through its relay, as the relay last sent
   * it (or the ask for it): names are Kubernetes names, so the key is plain.
   */
  gitRepo: (cluster: string, namespace: string, name: string): string => `${KeyPrefix.gitRepo}${cluster}/${namespace}/${name}`,
} as const;

/** The prefix of a table key (through its first `#`), or undefined for a key of no known kind. */
export const prefixOf = (key: string): KeyPrefix | undefined => {
  const at = key.indexOf("#");
  if (at < 0) return undefined;
  const prefix = key.slice(0, at + 1);
  return (Object.values(KeyPrefix) as string[]).includes(prefix) ? (prefix as KeyPrefix) : undefined;
};
