import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { slimObject, type KubeObject } from "../../../shared/envelope";
import { normalise, standingOf } from "../../../shared/pipeline/normalise";
import { isTerminal } from "../../../shared/pipeline/types";

const FIXTURES = new URL("../../fixtures/upstream/", import.meta.url);

/** Every object under test/fixtures/upstream, by its path there. */
const fixtures: Array<[string, Record<string, any>]> = readdirSync(FIXTURES, { recursive: true, encoding: "utf8" })
  .filter((path) => path.endsWith(".yaml"))
  .sort()
  .map((path) => [path, parse(readFileSync(new URL(path, FIXTURES), "utf8"))]);

/**
 * The fixture as it stands (some have no namespace: both must refuse it
 * alike), with one, slimmed as the relay reads it, without its status, with
 * its labels gone or not a map, and with its conditions cut to their first.
 */
const variants = (object: Record<string, any>): Array<[string, unknown]> => {
  const placed: Record<string, any> = { ...object, metadata: { namespace: "default", ...object.metadata } };
  const conditions = placed.status?.conditions;
  return [
    ["as upstream wrote it", object],
    ["in a namespace", placed],
    ["slimmed", slimObject(placed as KubeObject)],
    ["without status", { ...placed, status: undefined }],
    ["without labels", { ...placed, metadata: { ...placed.metadata, labels: undefined } }],
    ["with labels that are not a map", { ...placed, metadata: { ...placed.metadata, labels: ["tekton.dev/pipelineRun"] } }],
    ["with its first condition only", { ...placed, status: { ...placed.status, conditions: Array.isArray(conditions) ? conditions.slice(0, 1) : conditions } }],
    ["with its conditions turned False", { ...placed, status: { ...placed.status, conditions: Array.isArray(conditions) ? conditions.map((c: object) => ({ ...c, status: "False" })) : conditions } }],
  ];
};

/** What normalise says of the run's end and parent, or the error it throws, in the shape standingOf answers. */
const fromNormalise = (object: unknown) => {
  try {
    const run = normalise(object);
    return run.parent === undefined ? { finished: isTerminal(run.phase) } : { finished: isTerminal(run.phase), parent: run.parent.name };
  } catch (error) {
    return { threw: `${(error as Error).name}: ${(error as Error).message}` };
  }
};

const fromStanding = (object: unknown) => {
  try {
    return standingOf(object);
  } catch (error) {
    return { threw: `${(error as Error).name}: ${(error as Error).message}` };
  }
};

describe("Function: standingOf (beside normalise, on every upstream fixture)", () => {
  it("reads every fixture of test/fixtures/upstream", () => {
    expect(fixtures.map(([path]) => path.split("/")[0])).toEqual(expect.arrayContaining(["argo", "jobs", "tekton"]));
    expect(fixtures.length).toBeGreaterThanOrEqual(29);
  });

  it.each(fixtures)("%s: says what normalise says of its end and parent, in every variant", (_path, object) => {
    for (const [variant, input] of variants(object)) {
      expect({ variant, ...fromStanding(input) }).toEqual({ variant, ...fromNormalise(input) });
    }
  });

  it("finds unfinished runs, finished ones and children among the fixtures", () => {
    const answers = fixtures.map(([, object]) => standingOf({ ...object, metadata: { namespace: "default", ...object.metadata } }));
    expect(answers.filter((a) => a.finished).length).toBeGreaterThan(0);
    expect(answers.filter((a) => !a.finished).length).toBeGreaterThan(0);
    expect(answers.filter((a) => a.parent !== undefined).length).toBeGreaterThan(0);
  });

  it.each([
    ["not an object", null],
    ["a kind it does not read", { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "ci", uid: "u" } }],
    ["a version it does not read", { apiVersion: "batch/v2", kind: "Job", metadata: { name: "j", namespace: "ci", uid: "u" } }],
    ["no uid", { apiVersion: "batch/v1", kind: "Job", metadata: { name: "j", namespace: "ci" } }],
    ["metadata that is not an object", { apiVersion: "tekton.dev/v1", kind: "PipelineRun", metadata: "x" }],
    ["a name that is not a string", { apiVersion: "argoproj.io/v1alpha1", kind: "Workflow", metadata: { name: 3, namespace: "ci", uid: "u" } }],
  ])("refuses %s as normalise does", (_case, object) => {
    const refused = fromStanding(object);
    expect(refused).toHaveProperty("threw");
    expect(refused).toEqual(fromNormalise(object));
  });
});
