/**
 * The note an `scm` receiver leaves on a merge request from a fork when
 * neither the fork nor the target project took the run's status
 * (scm-fork.ts): which status, where it was refused and why, and what the
 * status would have said, so the request's readers still see the run. One
 * note per (request, status name), found by its own hidden marker and
 * edited in place as the run goes on.
 */
import type { PipelineInfo } from "../pipeline/types";
import type { StatusFields } from "../scm";
import { PHASE_EMOJI, PHASE_LABEL } from "./format";
import { unwrittenMarker } from "./scm-comment";

/** One project that refused the status. */
export interface Refusal {
  /** `group/project`. */
  readonly project: string;
  /** What it is to the merge request: its source (the fork) or its target. */
  readonly role: "source" | "target";
  /** The ref the status was filed under, when one was given. */
  readonly ref?: string;
  /** The SCM's answer, with the permission it probably lacks (shared/scm/classify.ts). */
  readonly reason: string;
}

export const isRefusal = (value: unknown): value is Refusal => {
  const refusal = value as Partial<Refusal> | undefined;
  return (
    typeof refusal?.project === "string" &&
    (refusal.role === "source" || refusal.role === "target") &&
    (refusal.ref === undefined || typeof refusal.ref === "string") &&
    typeof refusal.reason === "string"
  );
};

const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``;

const where = (refusal: Refusal): string =>
  refusal.role === "source"
    ? `${code(refusal.project)}, the fork the merge request comes from`
    : `${code(refusal.project)}, the merge request's project${refusal.ref ? ` (ref ${code(refusal.ref)})` : ""}`;

/** What the status would have said, in one line. */
const statusLine = (info: PipelineInfo, status: StatusFields): string => {
  const facts = [`${PHASE_EMOJI[info.phase]} **${PHASE_LABEL[info.phase].toLowerCase()}**`];
  if (status.description) facts.push(status.description);
  if (status.url) facts.push(`[View run](${status.url})`);
  return facts.join(" · ");
};

/** The note's markdown: marker, heading, the status as it would have been, one line per refusal. */
export const unwrittenNoteBody = (statusName: string, info: PipelineInfo, status: StatusFields, refusals: readonly Refusal[]): string =>
  [
    unwrittenMarker(statusName),
    `### ⚠️ Status ${code(statusName)} could not be written`,
    "",
    `The commit status would read: ${statusLine(info, status)}`,
    "",
    ...refusals.map((refusal) => `- on ${where(refusal)}: ${refusal.reason}`),
    "",
    "A token with at least the Developer role on either project lets the status through; until then this note is kept up to date instead.",
    "",
  ].join("\n");

/** The same note once a later write went through, so that it no longer says the status is missing. */
export const writtenNoteBody = (statusName: string, project: string): string =>
  [
    unwrittenMarker(statusName),
    `### ✅ Status ${code(statusName)} is written again`,
    "",
    `It is set on ${code(project)} now; an earlier write of it was refused.`,
    "",
  ].join("\n");
