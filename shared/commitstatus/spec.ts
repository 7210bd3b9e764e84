import { z } from "zod";
import { formatPath } from "../config/path";
import { CommitStatusPhase, COMMIT_STATUS_PHASES, registeredScms, type RepoRef } from "../scm";
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

/**
 * The GitRepo spec: exactly one provider block, each checked by its SCM's
 * descriptor (`spec.github`, `spec.bitbucketCloud`), plus the credentials and
 * the drift policy. Built from the registry on first use, so every
 * registered SCM has its block.
 */
const gitRepoSpecSchema = () =>
  z
    .object({
      ...Object.fromEntries(registeredScms().map((scm) => [scm.gitRepo.key, scm.gitRepo.schema.optional()])),
      credentialsRef: z
        .object({
          ssmParameter: z.string().min(1).optional(),
          secretsManagerArn: z.string().min(1).optional(),
          secretKeyRef: z.object({ name: z.string().min(1), key: z.string().min(1) }).optional(),
        })
        .refine((c) => [c.ssmParameter, c.secretsManagerArn, c.secretKeyRef].filter((v) => v !== undefined).length === 1, {
          error: "exactly one of ssmParameter, secretsManagerArn or secretKeyRef",
        }),
      driftPolicy: z.enum(["overwrite", "report"]).default("overwrite"),
    })
    .superRefine((spec, ctx) => {
      const keys = registeredScms().map((scm) => scm.gitRepo.key);
      if (keys.filter((key) => (spec as Record<string, unknown>)[key] !== undefined).length !== 1) {
        ctx.addIssue({ code: "custom", message: `exactly one of ${keys.slice(0, -1).join(", ")} or ${keys.at(-1)} must be set` });
      }
    });

/** A GitRepo resolved into what the provider layer needs. */
export interface ResolvedGitRepo {
  /** The GitRepo resource's name. */
  name: string;
  /** The SCM's type (the registry's name for it). */
  type: string;
  repo: RepoRef;
  /** Non-secret provider options (API base URLs); credentials are added from the secret. */
  options: Record<string, string>;
  /** `github.com/owner/name`: how the status and messages name the repository. */
  label: string;
  /** A reference resolvable by shared/secrets (`ssm:…`, an ARN, or `k8s:` for a Secret of the GitRepo's namespace). */
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

type CredentialsRef = { ssmParameter?: string; secretsManagerArn?: string; secretKeyRef?: { name: string; key: string } };
type GitRepoSpec = { credentialsRef: CredentialsRef; driftPolicy: "overwrite" | "report" } & Record<string, unknown>;
type Coordinates = Pick<ResolvedGitRepo, "type" | "repo" | "options" | "label">;

/** The one provider block a GitRepo names, in the provider layer's terms. */
const coordinatesOf = (spec: GitRepoSpec): Coordinates => {
  const scm = registeredScms().find((d) => spec[d.gitRepo.key] !== undefined)!;
  const { repo, options, label } = scm.gitRepo.coordinates(spec[scm.gitRepo.key] as Record<string, unknown>);
  return { type: scm.type, repo, options: Object.fromEntries(Object.entries(options).filter((e): e is [string, string] => e[1] !== undefined)), label };
};

/**
 * An SSM parameter name or ARN, a Secrets Manager ARN, or a Secret of the
 * GitRepo's own namespace, as a shared/secrets reference. A GitRepo names no
 * other namespace: whoever may create one in a namespace can point the sync
 * at that namespace's Secrets only (Flux's providers take the same rule).
 */
const credentialsReference = ({ ssmParameter, secretsManagerArn, secretKeyRef }: CredentialsRef, label: string, namespace: string | undefined): string => {
  if (secretKeyRef) {
    if (namespace === undefined) throw new SyncBlockedError(`GitRepo ${label} spec.credentialsRef.secretKeyRef`, "needs the GitRepo's namespace");
    return `k8s:${namespace}/${secretKeyRef.name}#${secretKeyRef.key}`;
  }
  if (!ssmParameter) return secretsManagerArn!;
  if (ssmParameter.startsWith("arn:")) return ssmParameter;
  return `ssm:${ssmParameter.startsWith("/") ? "" : "/"}${ssmParameter}`;
};

/** Built again when an SCM is registered after the first use. */
let gitRepoSchema: { readonly scms: number; readonly schema: ReturnType<typeof gitRepoSpecSchema> } | undefined;

/** `namespace` is the GitRepo's: a `secretKeyRef` is read there. */
export const resolveGitRepo = (label: string, spec: unknown, name: string, namespace?: string): ResolvedGitRepo => {
  if (gitRepoSchema?.scms !== registeredScms().length) gitRepoSchema = { scms: registeredScms().length, schema: gitRepoSpecSchema() };
  const result = gitRepoSchema.schema.safeParse(spec ?? {});
  if (!result.success) throw blocked(`GitRepo ${label} spec`, result.error);
  const s = result.data as GitRepoSpec;
  return { name, credentials: credentialsReference(s.credentialsRef, label, namespace), driftPolicy: s.driftPolicy, ...coordinatesOf(s) };
};

export const ACTIVE_PHASES: ReadonlySet<CommitStatusPhase> = new Set([CommitStatusPhase.Queued, CommitStatusPhase.InProgress]);
