/**
 * The annotations and labels of a CI run, as the tests of its git context
 * and opt-in read them: from a recorded run under test/fixtures, or written
 * out in a case under the key prefixes of the tools that stamp runs with
 * their commit (shared/pipeline/git.ts lists them in order of precedence).
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { GitContext } from "../../shared/pipeline/types";

export type Metadata = Record<string, string>;

/** One row of an `it.each` table: a run's annotations and labels, and what the function returns for them. */
export interface MetadataCase<T> {
  /** The run in words, for the test's title. */
  name: string;
  annotations: Metadata;
  labels: Metadata;
  expected: T;
}

/** The annotations and labels of the recorded run at `test/fixtures/<path>`: YAML, or JSON for a `.json` path. */
export const metadataOf = (path: string): { annotations: Metadata; labels: Metadata } => {
  const text = readFileSync(new URL(`../fixtures/${path}`, import.meta.url), "utf8");
  const obj = path.endsWith(".json") ? JSON.parse(text) : parse(text);
  return { annotations: obj.metadata.annotations ?? {}, labels: obj.metadata.labels ?? {} };
};

/** Ours: `repo-url`, `source-repo-url`, `sha`, `ref`, `pr` and the opt-in `enabled`. */
export const OURS = "commit-status.argoproj.io/";
/**
 * Tekton Pipelines-as-Code's, on every PipelineRun it creates
 * (https://pipelinesascode.com/docs/guide/running/#labels-and-annotations).
 */
export const PAC = "pipelinesascode.tekton.dev/";
/** pipelines-feedback-core's: `https-repo-url`, `commit`, `ref` and `pr-id`. */
export const KESKAD = "pipelinesfeedback.keskad.pl/";

/** The commit of the recorded Pipelines-as-Code push run (tekton/pipelinerun-succeeded.yaml). */
export const SHA = "3f786850e387550fdab836ed7e6dc881de23001b";
/** Another commit, for a value that overrides or contradicts `SHA`. */
export const OTHER_SHA = "0".repeat(40);
/** The repository of the recorded push run, as its git context names it. */
export const SHOP_API: GitContext = {
  repoUrl: "https://github.com/acme/shop-api",
  provider: "github",
  host: "github.com",
  owner: "acme",
  repo: "shop-api",
};
