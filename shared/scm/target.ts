/** Helpers every provider shares: target checks, labels, length limits. */
import { createHash } from "node:crypto";
import { InvalidTargetError } from "./errors";
import type { RepoRef, StatusFields, StatusTarget } from "./types";

const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;

/**
 * `acme/shop`, `group/sub/project`, `PROJ/repo`: how messages and store keys
 * name a repository. A repository's fields are written in the order its
 * provider declares them (every RepoRef is built by a descriptor, or read
 * back from JSON, which keeps that order).
 */
export const repoLabel = (repo: RepoRef): string =>
  Object.entries(repo)
    .filter(([field]) => field !== "kind")
    .map(([, value]) => String(value))
    .join("/");

const nonEmpty = (value: unknown): value is string => typeof value === "string" && value.trim() !== "";

/**
 * Checks a target before any request, so a bad one fails with its field
 * named instead of as a confusing 404 from the SCM. `fields` are the
 * repository fields the provider needs.
 */
export function checkTarget<R extends RepoRef>(target: StatusTarget, kind: R["kind"], fields: readonly (keyof R & string)[]): asserts target is StatusTarget & { repo: R } {
  const repo = target.repo as RepoRef | undefined;
  if (!repo || repo.kind !== kind) {
    throw new InvalidTargetError("repo.kind", `a ${kind} provider cannot write to a ${repo?.kind ?? "missing"} repository`);
  }
  for (const field of fields) {
    const value = repo[field];
    if (!nonEmpty(typeof value === "number" ? String(value) : value)) throw new InvalidTargetError(`repo.${field}`, "cannot be empty");
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
