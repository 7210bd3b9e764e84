import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { holds, pack, unpack } from "../../../relay/known/codec";
import { KnownObjects } from "../../../relay/known/objects";
import { tombstoneBody, tombstoneOf } from "../../../relay/known/tombstone";
import { slimObject, validateEnvelope, makeEnvelope, type KubeObject } from "../../../shared/envelope";
import { normalise } from "../../../shared/pipeline/normalise";

const FIXTURES = new URL("../../fixtures/", import.meta.url);

/** Every fixture of a kind the pipeline handler reads, with a uid and namespace if it had none. */
const fixtures = (): Array<[string, KubeObject]> =>
  ["tekton", "jobs", "argo", "upstream/tekton", "upstream/jobs", "upstream/argo"].flatMap((dir) =>
    readdirSync(new URL(dir, FIXTURES))
      .filter((file) => /\.(ya?ml|json)$/.test(file))
      .map((file): [string, KubeObject] => {
        const object = parse(readFileSync(new URL(`${dir}/${file}`, FIXTURES), "utf8")) as KubeObject;
        object.metadata = { ...object.metadata, uid: object.metadata?.uid ?? `uid-${file}`, namespace: object.metadata?.namespace ?? "ci" };
        return [`${dir}/${file}`, object];
      }),
  );

/** What names and routes a run: everything normalise() returns except its progress. */
const identity = (object: KubeObject) => {
  const { phase: _phase, stages: _stages, startedAt: _started, finishedAt: _finished, message: _message, ...rest } = normalise(object);
  return rest;
};

/** A buffer stand-in: the envelope taken last and how far delivery got. */
const cursor = () => {
  const state = { last: 0, delivered: 0 };
  return { state, cursor: { lastSeq: () => state.last, deliveredThrough: () => state.delivered } };
};

const run = (name: string, reason: string, extra: Partial<KubeObject["metadata"]> = {}): KubeObject => ({
  apiVersion: "tekton.dev/v1",
  kind: "PipelineRun",
  metadata: {
    name,
    namespace: "ci",
    uid: `uid-${name}`,
    resourceVersion: String(Math.floor(Math.random() * 1000)),
    annotations: { "commit-status.argoproj.io/sha": "0123456789abcdef0123456789abcdef01234567", "kubectl.kubernetes.io/last-applied-configuration": "{}" },
    ...extra,
  },
  spec: { pipelineRef: { name: "build" } },
  status: { conditions: [{ type: "Succeeded", status: reason === "Succeeded" ? "True" : "Unknown", reason }] },
});

describe("Function: tombstoneBody", () => {
  it.each(fixtures())("returns an object that normalises to the same run identity as the shipped %s", (_name, object) => {
    // Act
    const tombstone = tombstoneBody(object);

    // Assess: the same name, template, labels, annotations and owner as the envelopes before it.
    expect(identity(tombstone)).toEqual(identity(slimObject(object)));
    expect(tombstone).not.toHaveProperty("status");
    expect(tombstone.metadata).not.toHaveProperty("resourceVersion");
    expect(() => validateEnvelope(makeEnvelope("dev", "DELETED", tombstone))).not.toThrow();
  });
});

describe("Function: pack", () => {
  it.each([
    ["a short tombstone, kept as it is", tombstoneOf(run("build-1", "Running"))!],
    ["a long one, deflated", tombstoneOf(run("build-2", "Running", { labels: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`pipelinesascode.tekton.dev/key-${i}`, `value-${i}`])) }))!],
  ])("returns what unpack reads back and holds recognises, for %s", (_what, json) => {
    // Act
    const packed = pack(json);

    // Assess
    expect(unpack(packed)).toBe(json);
    expect(holds(packed, json)).toBe(true);
    expect(holds(packed, json.replace("build", "other"))).toBe(false);
    if (json.length > 1024) expect(packed.length).toBeLessThan(json.length / 2);
  });
});

describe("Function: tombstoneOf", () => {
  it("returns a tombstone for an unfinished PipelineRun, without the last-applied annotation", () => {
    // Act
    const tombstone = tombstoneOf(run("build-1", "Running"));

    // Assess
    expect(JSON.parse(tombstone!)).toEqual({
      apiVersion: "tekton.dev/v1",
      kind: "PipelineRun",
      metadata: { name: "build-1", namespace: "ci", uid: "uid-build-1", annotations: { "commit-status.argoproj.io/sha": "0123456789abcdef0123456789abcdef01234567" } },
      spec: { pipelineRef: { name: "build" } },
    });
  });

  it.each([
    ["a finished run", run("done", "Succeeded")],
    ["a TaskRun of a PipelineRun", { ...run("child", "Running"), kind: "TaskRun", metadata: { ...run("child", "Running").metadata, labels: { "tekton.dev/pipelineRun": "build-1" } } }],
    ["a CommitStatus", { ...run("status", "Running"), apiVersion: "commit-status.argoproj.io/v1alpha1", kind: "CommitStatus" }],
  ])("returns undefined for %s: its DELETED would change nothing", (_what, object) => {
    // Act
    const tombstone = tombstoneOf(object as KubeObject);

    // Assess
    expect(tombstone).toBeUndefined();
  });
});

describe("Class: KnownSet", () => {
  describe("Method: vanished", () => {
    it("returns the remembered objects a list no longer has, and only those", () => {
      // Prepare
      const known = new KnownObjects(cursor().cursor).forTarget("/apis/tekton.dev/v1/namespaces/ci/pipelineruns");
      for (const name of ["a", "b", "c"]) known.observe("RESYNC", run(name, "Running"));
      known.observe("MODIFIED", run("d", "Succeeded"));

      // Act
      const gone = known.vanished(new Set(["uid-b"]));

      // Assess
      expect(gone.map((o) => o.metadata.uid)).toEqual(["uid-a", "uid-c"]);
      expect(known.size).toBe(3);
    });

    it("returns nothing for an object forgotten when it finished or was deleted", () => {
      // Prepare
      const known = new KnownObjects(cursor().cursor).forTarget("t");
      known.observe("ADDED", run("a", "Running"));
      known.observe("ADDED", run("b", "Running"));

      // Act
      known.observe("MODIFIED", run("a", "Succeeded"));
      known.observe("DELETED", run("b", "Running"));

      // Assess
      expect(known.vanished(new Set())).toEqual([]);
      expect(known.size).toBe(0);
    });
  });

  describe("Method: settle", () => {
    it("keeps a forgotten object on the persisted copy until its envelope was delivered", () => {
      // Prepare
      const { state, cursor: at } = cursor();
      const objects = new KnownObjects(at);
      const known = objects.forTarget("t");
      known.observe("ADDED", run("a", "Running"));
      state.last = 7;
      known.observe("DELETED", run("a", "Running"));
      const persisted = () => [...known.persisted()].map((t) => JSON.parse(t).metadata.uid);

      // Act
      state.delivered = 6;
      const early = known.settle();
      const before = persisted();
      state.delivered = 7;
      const late = known.settle();

      // Assess
      expect([early, late]).toEqual([false, true]);
      expect(before).toEqual(["uid-a"]);
      expect(persisted()).toEqual([]);
    });
  });
});

describe("Class: KnownSet (without a persister)", () => {
  describe("Method: observe", () => {
    it("drops delivered leaving entries when it forgets the next object, so they do not pile up", () => {
      // Prepare
      const { state, cursor: at } = cursor();
      const known = new KnownObjects(at).forTarget("t");
      for (const name of ["a", "b"]) known.observe("ADDED", run(name, "Running"));
      state.last = 1;
      known.observe("DELETED", run("a", "Running"));
      state.delivered = 1;
      state.last = 2;

      // Act
      known.observe("DELETED", run("b", "Running"));

      // Assess
      expect([...known.persisted()].map((t) => JSON.parse(t).metadata.name)).toEqual(["b"]);
    });
  });
});

describe("Class: KnownObjects", () => {
  describe("Method: encode", () => {
    it("returns a payload that restores the same objects per target, and none for targets no longer watched", () => {
      // Prepare
      const first = new KnownObjects(cursor().cursor);
      first.forTarget("runs").observe("RESYNC", run("a", "Running"));
      first.forTarget("runs").observe("RESYNC", run("b", "Pending"));
      first.forTarget("gone").observe("RESYNC", run("c", "Running"));
      const { payload, saved, total } = first.encode(1024 * 1024);

      // Act
      const second = new KnownObjects(cursor().cursor);
      const summary = second.restore(payload);
      const runs = second.forTarget("runs");

      // Assess
      expect({ saved, total }).toEqual({ saved: 3, total: 3 });
      expect(summary).toEqual({ entries: 3, targets: 2 });
      expect(runs.vanished(new Set()).map((o) => o.metadata.name)).toEqual(["a", "b"]);
      expect(second.orphaned).toBe(1);
    });

    it("returns a payload within the limit by keeping the oldest share of each target when all do not fit", () => {
      // Prepare
      const objects = new KnownObjects(cursor().cursor);
      const known = objects.forTarget("runs");
      for (let i = 0; i < 2000; i++) known.observe("RESYNC", run(`run-${i}-${Math.random().toString(36).slice(2)}`, "Running"));

      // Act
      const { payload, saved, total } = objects.encode(8 * 1024);

      // Assess
      expect(payload.length).toBeLessThanOrEqual(8 * 1024);
      expect(total).toBe(2000);
      expect(saved).toBeGreaterThan(0);
      expect(saved).toBeLessThan(2000);
    });
  });

  describe("Method: restore", () => {
    it("throws UnreadableSnapshotError for a payload that is not a snapshot", () => {
      // Prepare
      const objects = new KnownObjects(cursor().cursor);

      // Act
      const act = () => objects.restore(Buffer.from("not gzip"));

      // Assess
      expect(act).toThrow(/known-object snapshot is unreadable/);
    });
  });
});
