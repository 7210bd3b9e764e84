/**
 * "Never post the same status twice" (DESIGN §6: GitHub keeps at most 1000
 * statuses per context, and every write costs rate limit). Callers compare
 * the desired status with what their store remembers writing and skip the
 * write when nothing visible would change — no GET in the steady state.
 * The same comparison against a `getStatus` result finds drift.
 */
import { createHash } from "node:crypto";
import type { ObservedStatus, StatusFields, StatusView } from "./types";

export const StatusField = {
  Phase: "phase",
  Description: "description",
  Url: "url",
  Details: "details",
} as const;
export type StatusField = (typeof StatusField)[keyof typeof StatusField];

const isObserved = (status: StatusFields | ObservedStatus): status is ObservedStatus => "state" in status;

const stateOf = (status: StatusFields | ObservedStatus, view: StatusView | undefined): string | undefined => {
  if (!view) return status.phase;
  if (isObserved(status)) return status.state;
  return view.stateOf(status.phase);
};

const shown = (status: StatusFields | ObservedStatus, view: StatusView | undefined) => {
  if (isObserved(status)) return { description: status.description, url: status.url, details: status.details ?? "" };
  if (!view) return { description: status.description ?? "", url: status.url ?? "", details: status.details ?? "" };
  const rendered = view.render(status);
  return { description: rendered.description, url: rendered.url, details: rendered.details ?? "" };
};

/**
 * The fields in which `expected` and `actual` differ, as the SCM would show
 * them. With a provider's view, phases are compared by provider state (on
 * GitHub commit statuses `queued` and `in_progress` are both `pending`),
 * descriptions after the provider's truncation, and details only where the
 * provider shows them. An observed status is compared by its raw state, so
 * an SCM state with no phase counts as different.
 */
export const statusDiff = (
  expected: StatusFields | ObservedStatus,
  actual: StatusFields | ObservedStatus,
  view?: StatusView,
): StatusField[] => {
  const diff: StatusField[] = [];
  if (stateOf(expected, view) !== stateOf(actual, view)) diff.push(StatusField.Phase);
  const a = shown(expected, view);
  const b = shown(actual, view);
  if (a.description !== b.description) diff.push(StatusField.Description);
  if (a.url !== b.url) diff.push(StatusField.Url);
  if (a.details !== b.details) diff.push(StatusField.Details);
  return diff;
};

/** True when writing `desired` over `remembered` would change nothing the SCM shows. */
export const sameStatus = (
  desired: StatusFields | ObservedStatus | undefined,
  remembered: StatusFields | ObservedStatus | undefined,
  view?: StatusView,
): boolean => {
  if (!desired || !remembered) return false;
  return statusDiff(desired, remembered, view).length === 0;
};

/**
 * A short digest of what the SCM would show for `status`: two statuses with
 * the same digest are the same to `sameStatus` under this view. What a
 * receiver keeps in a run's memory instead of the fields, so the run item
 * stays small.
 */
export const shownDigest = (status: StatusFields, view: StatusView): string => {
  const { description, url, details } = shown(status, view);
  return createHash("sha256").update(JSON.stringify([view.stateOf(status.phase), description, url, details])).digest("base64url").slice(0, 12);
};
