import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../../shared/config";
import type { Log } from "../../../shared/log";
import { PipelinePhase, type GitContext, type PipelineInfo } from "../../../shared/pipeline/types";
import { createReceivers, LifecycleEvent, type ReceiverContext, type ServiceContext } from "../../../shared/receivers";
import type { ScmReceiver } from "../../../shared/receivers/scm";
import { RateLimitedError, TransientScmError } from "../../../shared/scm";
import { StoreKey } from "../../../shared/store";
import { startFakeGitLab, type FakeGitLabServer, type RecordedScmRequest } from "../../helpers/fake-scm";
import { MemoryReceiverStore } from "../../helpers/memory-receiver-store";

const SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
const MAIN_SHA = "3f786850e387550fdab836ed7e6dc881de23001b";
const STATUS = "ci/build-and-test";
/** Target project 12 takes statuses from `writer` and `target`; the fork 34 only from `writer`; `reader` may only comment. */
const TOKENS = { writer: "glpat-writer", target: "glpat-target", reader: "glpat-reader", outsider: "glpat-outsider" } as const;

const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Log;
const ctx = (event: LifecycleEvent): ReceiverContext => ({ log, event });

/** Refusals the tests change while a fake runs (access granted later). */
const forkRefuses: string[] = [];

const startGitLab = () => {
  forkRefuses.splice(0, forkRefuses.length, TOKENS.target, TOKENS.reader);
  return startFakeGitLab({
    tokens: Object.values(TOKENS),
    projects: [
      { id: 12, path: "example/shop", commits: [MAIN_SHA], refuseStatusesFor: [TOKENS.reader] },
      { id: 34, path: "contributor/shop", commits: [SHA], refuseStatusesFor: forkRefuses, hiddenFrom: [TOKENS.outsider] },
    ],
    mergeRequests: [{ projectId: 12, iid: 7, sourceProjectId: 34, sha: SHA }],
  });
};

const build = async (gitlab: FakeGitLabServer, token: keyof typeof TOKENS, extra: Record<string, unknown> = {}, store = new MemoryReceiverStore()) => {
  process.env.SCM_FORK_TEST_TOKEN = TOKENS[token];
  const config = parseConfig({
    cluster: "prod",
    watch: [{ group: "tekton.dev", version: "v1", resource: "pipelineruns" }],
    receivers: [{ name: "mr-status", type: "scm", options: { provider: "gitlab", host: gitlab.url, token: "env:SCM_FORK_TEST_TOKEN", statusName: STATUS, ...extra } }],
  });
  const receiver = createReceivers(config)[0]!.receiver as ScmReceiver;
  const sc: ServiceContext = { log, config, kube: () => Promise.reject(new Error("not used")), store };
  await receiver.initialize(sc);
  return { receiver, store };
};

/** A Pipelines-as-Code run of merge request !7 from the fork contributor/shop into example/shop. */
const forkRun = (gitlab: FakeGitLabServer, phase: PipelinePhase, uid = "uid-1", git: Partial<GitContext> = {}): PipelineInfo => ({
  id: "prod/ci/build-and-test-x7k2p",
  uid,
  cluster: "prod",
  apiVersion: "tekton.dev/v1",
  kind: "PipelineRun",
  name: "build-and-test-x7k2p",
  namespace: "ci",
  phase,
  stages: [],
  labels: {},
  annotations: {},
  git: {
    repoUrl: `${gitlab.url}/example/shop`,
    host: new URL(gitlab.url).host,
    owner: "example",
    repo: "shop",
    sha: SHA,
    ref: "fix-typo",
    pr: "7",
    sourceRepoUrl: `${gitlab.url}/contributor/shop`,
    ...git,
  },
});

const statusPosts = (gitlab: FakeGitLabServer): string[] =>
  gitlab.requests.filter((r) => r.method === "POST" && r.path.includes("/statuses/")).map((r) => decodeURIComponent(r.path.split("/")[4]!));
const noteCalls = (gitlab: FakeGitLabServer): string[] =>
  gitlab.requests.filter((r: RecordedScmRequest) => r.path.includes("/notes")).map((r) => `${r.method} ${decodeURIComponent(r.path.split("/")[4]!)}`);
const routeKey = StoreKey.forkRoute("mr-status", "example/shop", 7, STATUS);

describe("Class: ScmReceiver, merge requests from forks on GitLab", () => {
  let gitlab: FakeGitLabServer;

  beforeEach(async () => {
    gitlab = await startGitLab();
  });
  afterEach(async () => {
    await gitlab.stop();
  });

  describe("Method: whenStarted", () => {
    it("posts to the fork under the source branch when the token may write there", async () => {
      // Prepare
      const { receiver, store } = await build(gitlab, "writer");

      // Act
      await receiver.whenStarted(ctx(LifecycleEvent.Started), forkRun(gitlab, PipelinePhase.Running));

      // Assess
      expect(statusPosts(gitlab)).toEqual(["contributor/shop"]);
      expect(gitlab.statuses.map((s) => [s.projectId, s.ref, s.status])).toEqual([[34, "fix-typo", "running"]]);
      expect(store.items.get(routeKey)).toMatchObject({ uid: "uid-1", route: "source" });
      expect(noteCalls(gitlab)).toEqual([]);
    });

    it("posts to the target project under refs/merge-requests/7/head when the fork refuses with 403", async () => {
      // Prepare
      const { receiver, store } = await build(gitlab, "target");

      // Act
      await receiver.whenStarted(ctx(LifecycleEvent.Started), forkRun(gitlab, PipelinePhase.Running));

      // Assess
      expect(statusPosts(gitlab)).toEqual(["contributor/shop", "example/shop"]);
      expect(gitlab.statuses.map((s) => [s.projectId, s.sha, s.ref, s.status, s.name])).toEqual([[12, SHA, "refs/merge-requests/7/head", "running", STATUS]]);
      expect(store.items.get(routeKey)).toMatchObject({ route: "target" });
      expect(noteCalls(gitlab)).toEqual([]);
    });

    it("posts to the target project when the token cannot see the fork (404)", async () => {
      // Prepare
      const { receiver } = await build(gitlab, "outsider");

      // Act
      await receiver.whenStarted(ctx(LifecycleEvent.Started), forkRun(gitlab, PipelinePhase.Running));

      // Assess
      expect(statusPosts(gitlab)).toEqual(["contributor/shop", "example/shop"]);
      expect(gitlab.statuses.map((s) => [s.projectId, s.ref])).toEqual([[12, "refs/merge-requests/7/head"]]);
    });

    it("notes on the merge request which status could not be written where and why, and completes", async () => {
      // Prepare
      const { receiver, store } = await build(gitlab, "reader");

      // Act
      await receiver.whenStarted(ctx(LifecycleEvent.Started), forkRun(gitlab, PipelinePhase.Running));

      // Assess
      expect(statusPosts(gitlab)).toEqual(["contributor/shop", "example/shop"]);
      expect(gitlab.statuses).toHaveLength(0);
      expect(noteCalls(gitlab)).toEqual(["GET example/shop", "POST example/shop"]);
      const [note] = gitlab.mergeRequests.notes;
      expect(note).toMatchObject({ projectId: 12, iid: 7 });
      expect(note!.body.startsWith(`<!-- kube-feedback-unwritten:${STATUS} -->`)).toBe(true);
      expect(note!.body).toContain(`### ⚠️ Status \`${STATUS}\` could not be written`);
      expect(note!.body).toContain("**running** · build-and-test-x7k2p:");
      expect(note!.body).toMatch(/- on `contributor\/shop`, the fork the merge request comes from: .*403: 403 Forbidden; access denied/);
      expect(note!.body).toMatch(/- on `example\/shop`, the merge request's project \(ref `refs\/merge-requests\/7\/head`\): .*403: 403 Forbidden/);
      expect(store.items.get(routeKey)).toMatchObject({ uid: "uid-1", route: "note", noteId: note!.id });
    });
  });

  describe("Method: whenFinished", () => {
    it("goes straight to the target project after the first fallback: one request per event", async () => {
      // Prepare
      const { receiver } = await build(gitlab, "target");
      await receiver.whenStarted(ctx(LifecycleEvent.Started), forkRun(gitlab, PipelinePhase.Running));
      gitlab.clearRequests();

      // Act
      await receiver.whenFinished(ctx(LifecycleEvent.Finished), forkRun(gitlab, PipelinePhase.Succeeded));

      // Assess
      expect(statusPosts(gitlab)).toEqual(["example/shop"]);
      expect(gitlab.requests).toHaveLength(1);
      expect(gitlab.latest(12, SHA, STATUS)).toMatchObject({ status: "success", ref: "refs/merge-requests/7/head" });
    });

    it("updates the one note in place on the run's next event, without trying the refused projects again", async () => {
      // Prepare
      const { receiver } = await build(gitlab, "reader");
      await receiver.whenStarted(ctx(LifecycleEvent.Started), forkRun(gitlab, PipelinePhase.Running));
      const [note] = gitlab.mergeRequests.notes;
      gitlab.clearRequests();

      // Act
      await receiver.whenFinished(ctx(LifecycleEvent.Finished), forkRun(gitlab, PipelinePhase.Succeeded));

      // Assess
      expect(statusPosts(gitlab)).toEqual([]);
      expect(gitlab.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`PUT /api/v4/projects/example%2Fshop/merge_requests/7/notes/${note!.id}`]);
      expect(gitlab.mergeRequests.notes).toHaveLength(1);
      expect(gitlab.mergeRequests.notes[0]!.body).toContain("**succeeded** · build-and-test-x7k2p:");
      expect(gitlab.mergeRequests.notes[0]!.body).toContain("403: 403 Forbidden");
    });

    it("sends nothing when the same finished event comes again after a note", async () => {
      // Prepare
      const { receiver } = await build(gitlab, "reader");
      await receiver.whenFinished(ctx(LifecycleEvent.Finished), forkRun(gitlab, PipelinePhase.Succeeded));
      gitlab.clearRequests();

      // Act
      await receiver.whenFinished(ctx(LifecycleEvent.Finished), forkRun(gitlab, PipelinePhase.Succeeded));

      // Assess
      expect(gitlab.requests).toHaveLength(0);
      expect(gitlab.mergeRequests.notes).toHaveLength(1);
    });
  });

  describe("Method: whenCreated", () => {
    it("tries both projects again for a new run and keeps the same note when they still refuse", async () => {
      // Prepare
      const { receiver } = await build(gitlab, "reader");
      await receiver.whenFinished(ctx(LifecycleEvent.Finished), forkRun(gitlab, PipelinePhase.Failed));
      gitlab.clearRequests();

      // Act
      await receiver.whenCreated(ctx(LifecycleEvent.Created), forkRun(gitlab, PipelinePhase.Pending, "uid-2"));

      // Assess
      expect(statusPosts(gitlab)).toEqual(["contributor/shop", "example/shop"]);
      expect(noteCalls(gitlab)).toEqual(["PUT example/shop"]);
      expect(gitlab.mergeRequests.notes).toHaveLength(1);
      expect(gitlab.mergeRequests.notes[0]!.body).toContain("**pending**");
    });

    it("writes to the fork once access is granted, and the note then says the status is written", async () => {
      // Prepare
      const { receiver, store } = await build(gitlab, "target");
      gitlab.failNext({ method: "POST", path: "/projects/example%2Fshop/statuses/", status: 403, body: { message: "403 Forbidden" } });
      await receiver.whenFinished(ctx(LifecycleEvent.Finished), forkRun(gitlab, PipelinePhase.Failed));
      forkRefuses.length = 0;
      gitlab.clearRequests();

      // Act
      await receiver.whenCreated(ctx(LifecycleEvent.Created), forkRun(gitlab, PipelinePhase.Pending, "uid-2"));

      // Assess
      expect(statusPosts(gitlab)).toEqual(["contributor/shop"]);
      expect(gitlab.statuses.map((s) => [s.projectId, s.status])).toEqual([[34, "pending"]]);
      expect(gitlab.mergeRequests.notes).toHaveLength(1);
      expect(gitlab.mergeRequests.notes[0]!.body).toContain(`### ✅ Status \`${STATUS}\` is written again`);
      expect(store.items.get(routeKey)).toMatchObject({ uid: "uid-2", route: "source", noteId: gitlab.mergeRequests.notes[0]!.id });
    });

    it("rethrows a server error on the fork without trying the target: the message is retried", async () => {
      // Prepare
      const { receiver, store } = await build(gitlab, "target");
      gitlab.failNext({ method: "POST", path: "/projects/contributor%2Fshop/statuses/", status: 502, body: { message: "502 Bad Gateway" } });

      // Act
      const error = await receiver.whenCreated(ctx(LifecycleEvent.Created), forkRun(gitlab, PipelinePhase.Pending)).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(TransientScmError);
      expect(statusPosts(gitlab)).toEqual(["contributor/shop"]);
      expect(store.items.has(routeKey)).toBe(false);
    });

    it("rethrows a rate limit on the fork (a 429 is no refusal) without trying the target", async () => {
      // Prepare
      const { receiver } = await build(gitlab, "target");
      gitlab.failNext({ method: "POST", path: "/statuses/", status: 429, headers: { "retry-after": "30" }, body: { message: "Retry later" } });

      // Act
      const error = await receiver.whenCreated(ctx(LifecycleEvent.Created), forkRun(gitlab, PipelinePhase.Pending)).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(RateLimitedError);
      expect(statusPosts(gitlab)).toEqual(["contributor/shop"]);
    });
  });

  describe("Runs that are not from a fork", () => {
    it("posts a merge request from a branch of the same project to that project under its branch, as before", async () => {
      // Prepare
      const { receiver, store } = await build(gitlab, "target");
      const run = forkRun(gitlab, PipelinePhase.Running, "uid-1", { sha: MAIN_SHA, ref: "main" });
      delete run.git!.sourceRepoUrl;

      // Act
      await receiver.whenStarted(ctx(LifecycleEvent.Started), run);

      // Assess
      expect(statusPosts(gitlab)).toEqual(["example/shop"]);
      expect(gitlab.statuses.map((s) => [s.projectId, s.ref])).toEqual([[12, "main"]]);
      expect(store.items.has(routeKey)).toBe(false);
    });

    it("posts a fork's run to the receiver's fixed repo only, with no fork routing", async () => {
      // Prepare
      const { receiver, store } = await build(gitlab, "target", { repo: "example/shop" });

      // Act
      await receiver.whenStarted(ctx(LifecycleEvent.Started), forkRun(gitlab, PipelinePhase.Running));

      // Assess
      expect(statusPosts(gitlab)).toEqual(["example/shop"]);
      expect(gitlab.statuses.map((s) => [s.projectId, s.ref])).toEqual([[12, "fix-typo"]]);
      expect(store.items.has(routeKey)).toBe(false);
    });
  });
});
