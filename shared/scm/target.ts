/** Helpers every provider shares: target checks, labels, length limits. */
import { createHash } from "node:crypto";
import { InvalidTargetError } from "./errors";
import type { RepoRef, StatusFields, StatusTarget } from "./types";

const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;

/** `acme/shop`, `group/sub/project`, `PROJ/repo`: how messages name a repository. */
export const repoLabel = (repo: RepoRef): string => {
  switch (repo.kind) {
    case "github":
    case "gitea":
      return `${repo.owner}/${repo.name}`;
    case "gitlab":
      return String(repo.project);
    case "bitbucket-cloud":
      return `${repo.workspace}/${repo.slug}`;
    case "bitbucket-server":
      return `${repo.project}/${repo.slug}`;
    case "fake":
      return repo.name;
  }
};

const nonEmpty = (value: unknown): value is string => typeof value === "string" && value.trim() !== "";

/**
 * Checks a target before any request, so a bad one fails with its field
 * named instead of as a confusing 404 from the SCM.
 */
export function checkTarget<K extends RepoRef["kind"]>(
  target: StatusTarget,
  kind: K,
): asserts target is StatusTarget & { repo: Extract<RepoRef, { kind: K }> } {
  const repo = target.repo as RepoRef | undefined;
  if (!repo || repo.kind !== kind) {
    throw new InvalidTargetError("repo.kind", `a ${kind} provider cannot write to a ${repo?.kind ?? "missing"} repository`);
  }
  const fields: Record<string, unknown> =
    repo.kind === "github" || repo.kind === "gitea"
      ? { owner: repo.owner, name: repo.name }
      : repo.kind === "bitbucket-cloud"
        ? { workspace: repo.workspace, slug: repo.slug }
        : repo.kind === "bitbucket-server"
          ? { project: repo.project, slug: repo.slug }
          : repo.kind === "gitlab"
            ? { project: typeof repo.project === "number" ? String(repo.project) : repo.project }
            : { name: repo.name };
  for (const [field, value] of Object.entries(fields)) {
    if (!nonEmpty(value)) throw new InvalidTargetError(`repo.${field}`, "cannot be empty");
  }
  if (typeof target.sha !== "string" || !FULL_SHA.test(target.sha)) {
    throw new InvalidTargetError("sha", `${JSON.stringify(target.sha)} is not a full commit id (40 or 64 hex characters)`);
  }
  if (!nonEmpty(target.name)) throw new InvalidTargetError("name", "the status name cannot be empty");
}

/** Cuts text to a provider's limit, marking the cut with an ellipsis so readers know. */
export const truncate = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;

/**
 * A key of at most `max` characters that is the name itself when it fits,
 * and otherwise a readable prefix plus a hash of the whole name: the same
 * name always gives the same key (so the SCM overwrites instead of adding),
 * and two long names that share a prefix still differ.
 */
export const stableKey = (name: string, max: number): string => {
  if (name.length <= max) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 12);
  return `${name.slice(0, max - hash.length - 1)}-${hash}`;
};

/** The short form used in messages. */
export const shortSha = (sha: string): string => sha.slice(0, 7);

/** Empty and missing mean the same to every SCM. */
export const text = (value: string | null | undefined): string => value ?? "";

/** Default `render`: description cut to `descriptionLimit`, details kept only where the SCM shows them. */
export const renderFields = (
  status: StatusFields,
  limits: { description?: number; details?: number | false },
): Required<Omit<StatusFields, "details">> & Pick<StatusFields, "details"> => {
  const description = text(status.description);
  const rendered = {
    phase: status.phase,
    description: limits.description ? truncate(description, limits.description) : description,
    url: text(status.url),
  };
  if (limits.details === false || !status.details) return rendered;
  return { ...rendered, details: limits.details ? truncate(status.details, limits.details) : status.details };
};
