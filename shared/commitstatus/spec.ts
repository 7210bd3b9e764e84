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

type GitRepoSpec = z.output<typeof GitRepoSpecSchema>;
type Coordinates = Pick<ResolvedGitRepo, "type" | "repo" | "options" | "label">;

/** The one provider block a GitRepo names, in the provider layer's terms. */
const coordinatesOf = (s: GitRepoSpec): Coordinates => {
  if (s.github) {
    const { owner, name, apiUrl } = s.github;
    // api.github.com and ghe.example.com/api/v3 both label as the web host.
    const host = apiUrl ? new URL(apiUrl).host.replace(/^api\./, "") : "github.com";
    return { type: "github", repo: { kind: "github", owner, name }, options: apiUrl ? { baseUrl: apiUrl } : {}, label: `${host}/${owner}/${name}` };
  }
  if (s.gitlab) {
    const { host, project } = s.gitlab;
    return { type: "gitlab", repo: { kind: "gitlab", project }, options: host ? { host } : {}, label: `${hostOf(host, "gitlab.com")}/${project}` };
  }
  if (s.bitbucketCloud) {
    const { workspace, slug } = s.bitbucketCloud;
    return { type: "bitbucket-cloud", repo: { kind: "bitbucket-cloud", workspace, slug }, options: {}, label: `bitbucket.org/${workspace}/${slug}` };
  }
  if (s.bitbucketServer) {
    const { url, project, slug } = s.bitbucketServer;
    return { type: "bitbucket-server", repo: { kind: "bitbucket-server", project, slug }, options: { url }, label: `${hostOf(url, "")}/${project}/${slug}` };
  }
  const { url, owner, name } = s.gitea!;
  return { type: "gitea", repo: { kind: "gitea", owner, name }, options: { url }, label: `${hostOf(url, "")}/${owner}/${name}` };
};

/** An SSM parameter name or ARN, or a Secrets Manager ARN, as a shared/secrets reference. */
const credentialsReference = ({ ssmParameter, secretsManagerArn }: GitRepoSpec["credentialsRef"]): string => {
  if (!ssmParameter) return secretsManagerArn!;
  if (ssmParameter.startsWith("arn:")) return ssmParameter;
  return `ssm:${ssmParameter.startsWith("/") ? "" : "/"}${ssmParameter}`;
};

export const resolveGitRepo = (label: string, spec: unknown, name: string): ResolvedGitRepo => {
  const result = GitRepoSpecSchema.safeParse(spec ?? {});
  if (!result.success) throw blocked(`GitRepo ${label} spec`, result.error);
  const s = result.data;
  return { name, credentials: credentialsReference(s.credentialsRef), driftPolicy: s.driftPolicy, ...coordinatesOf(s) };
};

export const ACTIVE_PHASES: ReadonlySet<CommitStatusPhase> = new Set([CommitStatusPhase.Queued, CommitStatusPhase.InProgress]);
