import { z } from "zod";
import { formatPath } from "../config/schema";
import { CommitStatusPhase, COMMIT_STATUS_PHASES, type ProviderType, type RepoRef } from "../scm";
import { SyncBlockedError } from "./errors";

/**
 * The CommitStatus spec, checked again here although the CRD schema checks
 * it too: an API server without the CRD's validation (or an older version of
 * it) must not make us write garbage to an SCM.
 */
const CommitStatusSpecSchema = z.object({
  gitRepoRef: z.object({ name: z.string().min(1) }),
  sha: z.string().regex(/^([0-9a-f]{40}|[0-9a-f]{64})$/, "must be a full commit id (40 or 64 lower-case hex characters)"),
  name: z.string().min(1).max(255),
  description: z.string().max(255).optional(),
  phase: z.string().refine((p) => (COMMIT_STATUS_PHASES as readonly string[]).includes(p), {
    error: (issue) =>
      // The CRD rejects the British spelling rather than storing two words for one phase.
      issue.input === "cancelled"
        ? `"cancelled" is not a phase; use "canceled"`
        : `must be one of ${COMMIT_STATUS_PHASES.join(", ")}`,
  }),
  url: z.string().regex(/^https:\/\/\S+$/, "must be an https:// URL").optional(),
});
export type CommitStatusSpec = Omit<z.output<typeof CommitStatusSpecSchema>, "phase"> & { phase: CommitStatusPhase };

const GitRepoSpecSchema = z
  .object({
    github: z.object({ owner: z.string().min(1), name: z.string().min(1), apiUrl: z.string().url().optional() }).optional(),
    gitlab: z.object({ host: z.string().url().optional(), project: z.string().min(1) }).optional(),
    bitbucketCloud: z.object({ workspace: z.string().min(1), slug: z.string().min(1) }).optional(),
    bitbucketServer: z.object({ url: z.string().url(), project: z.string().min(1), slug: z.string().min(1) }).optional(),
    gitea: z.object({ url: z.string().url(), owner: z.string().min(1), name: z.string().min(1) }).optional(),
    credentialsRef: z
      .object({ ssmParameter: z.string().min(1).optional(), secretsManagerArn: z.string().min(1).optional() })
      .refine((c) => (c.ssmParameter === undefined) !== (c.secretsManagerArn === undefined), {
        error: "exactly one of ssmParameter or secretsManagerArn",
      }),
    driftPolicy: z.enum(["overwrite", "report"]).default("overwrite"),
  })
  .refine((s) => [s.github, s.gitlab, s.bitbucketCloud, s.bitbucketServer, s.gitea].filter(Boolean).length === 1, {
    error: "exactly one of github, gitlab, bitbucketCloud, bitbucketServer or gitea must be set",
  });

/** A GitRepo resolved into what the provider layer needs. */
export interface ResolvedGitRepo {
  /** The GitRepo resource's name. */
  name: string;
  type: ProviderType;
  repo: RepoRef;
  /** Non-secret provider options (API base URLs); credentials are added from the secret. */
  options: Record<string, string>;
  /** `github.com/owner/name`: how the status and messages name the repository. */
  label: string;
  /** A reference resolvable by shared/secrets (`ssm:…` or an ARN). */
  credentials: string;
  driftPolicy: "overwrite" | "report";
}

const blocked = (prefix: string, error: z.ZodError): SyncBlockedError => {
  const issue = error.issues[0];
  return new SyncBlockedError(formatPath([prefix, ...(issue?.path ?? [])]), issue?.message ?? "is invalid");
};

export const parseCommitStatusSpec = (spec: unknown): CommitStatusSpec => {
  const result = CommitStatusSpecSchema.safeParse(spec ?? {});
  if (!result.success) throw blocked("spec", result.error);
  return result.data as CommitStatusSpec;
};

const hostOf = (url: string | undefined, fallback: string): string => (url ? new URL(url).host : fallback);

export const resolveGitRepo = (label: string, spec: unknown, name: string): ResolvedGitRepo => {
  const result = GitRepoSpecSchema.safeParse(spec ?? {});
  if (!result.success) throw blocked(`GitRepo ${label} spec`, result.error);
  const s = result.data;
  const ref = s.credentialsRef;
  const credentials = ref.ssmParameter
    ? ref.ssmParameter.startsWith("arn:") ? ref.ssmParameter : `ssm:${ref.ssmParameter.startsWith("/") ? "" : "/"}${ref.ssmParameter}`
    : ref.secretsManagerArn!;
  const common = { name, credentials, driftPolicy: s.driftPolicy };
  if (s.github) {
    const apiHost = s.github.apiUrl ? new URL(s.github.apiUrl).host.replace(/^api\./, "") : "github.com";
    return { ...common, type: "github", repo: { kind: "github", owner: s.github.owner, name: s.github.name },
      options: s.github.apiUrl ? { baseUrl: s.github.apiUrl } : {}, label: `${apiHost}/${s.github.owner}/${s.github.name}` };
  }
  if (s.gitlab) {
    return { ...common, type: "gitlab", repo: { kind: "gitlab", project: s.gitlab.project },
      options: s.gitlab.host ? { host: s.gitlab.host } : {}, label: `${hostOf(s.gitlab.host, "gitlab.com")}/${s.gitlab.project}` };
  }
  if (s.bitbucketCloud) {
    return { ...common, type: "bitbucket-cloud", repo: { kind: "bitbucket-cloud", workspace: s.bitbucketCloud.workspace, slug: s.bitbucketCloud.slug },
      options: {}, label: `bitbucket.org/${s.bitbucketCloud.workspace}/${s.bitbucketCloud.slug}` };
  }
  if (s.bitbucketServer) {
    return { ...common, type: "bitbucket-server", repo: { kind: "bitbucket-server", project: s.bitbucketServer.project, slug: s.bitbucketServer.slug },
      options: { url: s.bitbucketServer.url }, label: `${hostOf(s.bitbucketServer.url, "")}/${s.bitbucketServer.project}/${s.bitbucketServer.slug}` };
  }
  const g = s.gitea!;
  return { ...common, type: "gitea", repo: { kind: "gitea", owner: g.owner, name: g.name }, options: { url: g.url },
    label: `${hostOf(g.url, "")}/${g.owner}/${g.name}` };
};

export const ACTIVE_PHASES: ReadonlySet<CommitStatusPhase> = new Set([CommitStatusPhase.Queued, CommitStatusPhase.InProgress]);
