import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { DROPPED_ANNOTATIONS, slimObject, type KubeObject } from "../../shared/envelope";
import { toPipelineInfo } from "../../shared/pipeline/info";
import { normalise } from "../../shared/pipeline/normalise";
import { FUZZ, mutationOf } from "../fuzz/arbitraries";
import { jobArb, pipelineRunArb, taskRunArb, workflowArb } from "../fuzz/ci-objects";
import { namedFields } from "../helpers/slim-named-fields";

const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));
/** CRD manifests and CloudEvents are not watched objects. */
const NOT_OBJECTS = /^(crds|cloudevents)\//;

/** Every object under test/fixtures, by `file` or `file#n` when a file holds several. */
const fixtures = (): Array<[string, KubeObject]> =>
  readdirSync(FIXTURES, { recursive: true, encoding: "utf8" })
    .filter((file) => /\.(ya?ml|json)$/.test(file) && !NOT_OBJECTS.test(file))
    .sort()
    .flatMap((file): Array<[string, KubeObject]> => {
      const text = readFileSync(`${FIXTURES}${file}`, "utf8");
      if (file.endsWith(".json")) return [[file, JSON.parse(text) as KubeObject]];
      const documents = parseAllDocuments(text) as Array<{ toJS(): unknown }>;
      return documents.map((doc, i) => [documents.length > 1 ? `${file}#${i}` : file, doc.toJS() as KubeObject]);
    })
    // Objects from upstream unit tests may lack a namespace, which the API server always sets.
    .map(([file, object]) => [file, { ...object, metadata: { namespace: "default", ...object.metadata } }]);

/** The envelope is JSON on the wire: what the process function reads is the parsed body. */
const wire = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * What the normalisers make of an object: the run and the PipelineInfo
 * receivers get, or the error it is refused with.
 */
const readAs = (object: unknown) => {
  try {
    const run = normalise(object);
    const info = toPipelineInfo("prop", run, { dashboardUrl: "https://ci.example.com/{{cluster}}/{{kind}}/{{namespace}}/{{name}}/{{uid}}" });
    return { run, info };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
};

/**
 * The normalisers copy every annotation into the run; slimming drops, on
 * purpose, only the few named in DROPPED_ANNOTATIONS. Nothing else may differ.
 */
const withoutDropped = (read: ReturnType<typeof readAs>) => {
  const strip = <T extends { annotations: Record<string, string> }>(run: T): T => ({
    ...run,
    annotations: Object.fromEntries(Object.entries(run.annotations).filter(([key]) => !DROPPED_ANNOTATIONS.has(key))),
  });
  return "error" in read ? read : { run: strip(read.run), info: strip(read.info) };
};

const expectSameReading = (object: KubeObject): void => {
  const before = structuredClone(object);
  const slim = wire(slimObject(object));
  expect(readAs(slim)).toEqual(withoutDropped(readAs(object)));
  // What issue 19 has the normalisers read next must survive too, read or not today.
  expect(namedFields(slim)).toEqual(namedFields(object));
  expect(object).toEqual(before);
};

describe("Function: slimObject", () => {
  describe("Property: normalise(slimObject(x)) equals normalise(x)", () => {
    const all = fixtures();

    it("finds the fixtures of every watched kind", () => {
      // Assess: a moved folder must not leave this suite testing nothing.
      const kinds = new Set(all.map(([, object]) => `${object.apiVersion}/${object.kind}`));
      for (const kind of ["batch/v1/Job", "tekton.dev/v1/PipelineRun", "tekton.dev/v1beta1/PipelineRun", "tekton.dev/v1/TaskRun", "argoproj.io/v1alpha1/Workflow"]) {
        expect(kinds, kind).toContain(kind);
      }
      expect(all.filter(([file]) => file.startsWith("upstream/")).length).toBeGreaterThanOrEqual(25);
    });

    it.each(all)("reads %s the same after slimming", (_file, object) => {
      expectSameReading(object);
    });

    it("reads the same after slimming when one field of a fixture's spec or status is deleted, replaced or added", () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...all).chain(([file, object]) =>
            mutationOf({ spec: object.spec, status: object.status }).map((mutated) => ({ file, object, mutated })),
          ),
          ({ object, mutated }) => {
            const { spec, status } = mutated.value as { spec?: unknown; status?: unknown };
            expectSameReading({ ...object, spec, status } as KubeObject);
          },
        ),
        FUZZ,
      );
    });

    it.each([
      ["Tekton PipelineRuns with childReferences, taskRuns and runs maps, skipped and finally tasks", pipelineRunArb],
      ["Tekton TaskRuns with steps and retries", taskRunArb],
      ["Jobs with conditions and a CronJob owner", jobArb],
      ["Argo Workflows with nodes", workflowArb],
    ] as const)("reads generated %s the same after slimming", (_name, arbitrary) => {
      fc.assert(fc.property(arbitrary, expectSameReading), FUZZ);
    });
  });
});
