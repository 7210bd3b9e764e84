import { describe, expect, it } from "vitest";
import {
  CommitStatusHandler,
  GitRepoCache,
  GitRepoHandler,
  GitRepoPendingError,
  RELAY_ANSWER_DEFAULTS,
  RelayCommitStatusApi,
} from "../../../shared/commitstatus";
import { makeEnvelope, type KubeObject } from "../../../shared/envelope";
import { dispositionOf } from "../../../shared/errors";
import type { Operation, OperationSender } from "../../../shared/operations";
import { decide } from "../../../shared/process/verdict";
import { EventStatus } from "../../../shared/status";
import { StoreKey } from "../../../shared/store";
import { commitStatus, gitRepoSpec, NAMESPACE, syncDeps } from "../../helpers/commit-status-fixtures";
import { finalStatus, handlerContext } from "../../helpers/handler-context";
import { MemoryStateStore } from "../../helpers/memory-state-store";

const CLUSTER = "private";
const T0 = Date.parse("2026-11-20T10:00:00Z");

class RecordingSender implements OperationSender {
  readonly sent: Operation[] = [];
  async send(operation: Operation): Promise<void> {
    this.sent.push(operation);
  }
}

const gitRepo = (name = "shop", resourceVersion = "7"): KubeObject => ({
  apiVersion: "commit-status.argoproj.io/v1alpha1",
  kind: "GitRepo",
  metadata: { name, namespace: NAMESPACE, uid: `gr-${name}`, resourceVersion },
  spec: gitRepoSpec(name),
});

const setup = () => {
  const store = new MemoryStateStore();
  const operations = new RecordingSender();
  const clock = { now: T0 };
  const gitRepos = new GitRepoCache({ store, cluster: CLUSTER, ttlSeconds: 3_600 });
  const api = new RelayCommitStatusApi({ cluster: CLUSTER, operations, gitRepos, now: () => clock.now });
  return { store, operations, clock, gitRepos, api };
};

const pending = async (promise: Promise<unknown>): Promise<GitRepoPendingError> => {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(GitRepoPendingError);
  return error as GitRepoPendingError;
};

describe("Class: RelayCommitStatusApi", () => {
  describe("Method: getGitRepo", () => {
    it("returns the spec the relay last sent, with no operation", async () => {
      // Prepare
      const { api, operations } = setup();
      await api.rememberGitRepo(gitRepo("shop", "7"));
      await api.rememberGitRepo({ ...gitRepo("shop", "9"), spec: gitRepoSpec("moved") });

      // Act
      const found = await api.getGitRepo(NAMESPACE, "shop");

      // Assess
      expect(found).toEqual({ spec: gitRepoSpec("moved"), metadata: { resourceVersion: "9" } });
      expect(operations.sent).toEqual([]);
    });

    it("asks the relay for an unknown GitRepo once and makes the event wait a couple of seconds, then until the answer is due", async () => {
      // Prepare
      const { api, operations, clock } = setup();

      // Act
      const first = await pending(api.getGitRepo(NAMESPACE, "shop"));
      clock.now += RELAY_ANSWER_DEFAULTS.firstWaitMs;
      const second = await pending(api.getGitRepo(NAMESPACE, "shop"));

      // Assess
      expect(operations.sent).toEqual([
        { v: 1, cluster: CLUSTER, at: new Date(T0).toISOString(), op: "resendGitRepo", namespace: NAMESPACE, name: "shop" },
      ]);
      expect(dispositionOf(first)).toEqual({ disposition: "retry", notBefore: T0 + RELAY_ANSWER_DEFAULTS.firstWaitMs, backsOff: false });
      expect(dispositionOf(second).notBefore).toBe(T0 + RELAY_ANSWER_DEFAULTS.answerWaitMs);
    });

    it("returns the GitRepo once its event came in while the CommitStatus waited", async () => {
      // Prepare
      const { api, clock } = setup();
      await pending(api.getGitRepo(NAMESPACE, "shop"));
      await api.rememberGitRepo(gitRepo());
      clock.now += RELAY_ANSWER_DEFAULTS.firstWaitMs;

      // Act
      const found = await api.getGitRepo(NAMESPACE, "shop");

      // Assess
      expect(found?.spec).toEqual(gitRepoSpec("shop"));
    });

    it("returns undefined when the relay did not send it by the time the answer was due, and asks again much later", async () => {
      // Prepare
      const { api, operations, clock } = setup();
      await pending(api.getGitRepo(NAMESPACE, "nope"));

      // Act
      clock.now += RELAY_ANSWER_DEFAULTS.answerWaitMs;
      const missing = await api.getGitRepo(NAMESPACE, "nope");
      clock.now += RELAY_ANSWER_DEFAULTS.askAgainMs;
      await pending(api.getGitRepo(NAMESPACE, "nope"));

      // Assess
      expect(missing).toBeUndefined();
      expect(operations.sent.map((o) => o.op)).toEqual(["resendGitRepo", "resendGitRepo"]);
    });

    it("returns undefined at once for a GitRepo the relay sent DELETED", async () => {
      // Prepare
      const { api, operations } = setup();
      await api.rememberGitRepo(gitRepo());
      await api.forgetGitRepo(gitRepo());

      // Act & Assess
      expect(await api.getGitRepo(NAMESPACE, "shop")).toBeUndefined();
      expect(operations.sent).toEqual([]);
    });

    it("records the ask only after it was sent, so a failed send is asked again at the next try", async () => {
      // Prepare
      const { store, gitRepos, clock } = setup();
      const failing: OperationSender = { send: async () => Promise.reject(new Error("SQS unavailable")) };
      const api = new RelayCommitStatusApi({ cluster: CLUSTER, operations: failing, gitRepos, now: () => clock.now });

      // Act
      await expect(api.getGitRepo(NAMESPACE, "shop")).rejects.toThrow("SQS unavailable");

      // Assess
      expect(store.items.has(StoreKey.gitRepo(CLUSTER, NAMESPACE, "shop"))).toBe(false);
    });
  });

  describe("Method: patchStatus", () => {
    it("sends a patchStatus operation for the CommitStatus's uid and calls nothing else", async () => {
      // Prepare
      const { api, operations } = setup();

      // Act
      await api.patchStatus(NAMESPACE, "deploy", { isSynced: true }, { uid: "cs-1", generation: 3 });

      // Assess
      expect(operations.sent).toEqual([
        { v: 1, cluster: CLUSTER, at: new Date(T0).toISOString(), op: "patchStatus", namespace: NAMESPACE, name: "deploy", uid: "cs-1", generation: 3, status: { isSynced: true } },
      ]);
    });
  });
});

describe("Class: CommitStatusHandler (via relay)", () => {
  const handlerWith = (api: RelayCommitStatusApi, store: MemoryStateStore) => {
    const { deps } = syncDeps();
    return new CommitStatusHandler({ ...deps, apiFor: (cluster) => (cluster === CLUSTER ? api : undefined), store, processing: { stateTtlDays: 1 }, now: () => new Date(T0) });
  };

  it("asks for Retry at the GitRepo's answer time without using up the retries while the GitRepo is asked for", async () => {
    // Prepare
    const { api, store, operations } = setup();
    const handler = handlerWith(api, store);
    const ctx = handlerContext(commitStatus(), { cluster: CLUSTER, retryCount: 5 });

    // Act
    const status = await finalStatus((ch) => handler.added(ctx, commitStatus(), ch));
    const verdict = decide(status, ctx.retryCount, { maxRetries: 5, backoff: { baseSeconds: 2, capSeconds: 300 } }, () => 0, T0);

    // Assess
    expect(status.status).toBe(EventStatus.Retry);
    expect(verdict).toMatchObject({ action: "retry", delaySeconds: RELAY_ANSWER_DEFAULTS.firstWaitMs / 1000 });
    expect(operations.sent.map((o) => o.op)).toEqual(["resendGitRepo"]);
  });

  it("blocks a GitRepo whose credentials are a Secret in the cluster, which the process side cannot read, without asking the SCM", async () => {
    // Prepare
    const { api, store, operations } = setup();
    await api.rememberGitRepo({ ...gitRepo(), spec: { ...gitRepoSpec("shop"), credentialsRef: { secretKeyRef: { name: "github-app", key: "credentials.json" } } } });
    const { deps, providerRequests } = syncDeps();
    const handler = new CommitStatusHandler({ ...deps, apiFor: () => api, store, processing: { stateTtlDays: 1 }, now: () => new Date(T0) });

    // Act
    await finalStatus((ch) => handler.added(handlerContext(commitStatus(), { cluster: CLUSTER }), commitStatus(), ch));

    // Assess
    expect(providerRequests).toEqual([]);
    expect(operations.sent).toHaveLength(1);
    expect(operations.sent[0]).toMatchObject({ op: "patchStatus", status: { isSynced: false } });
    expect((operations.sent[0] as unknown as { status: { syncFailure: { message: string } } }).status.syncFailure.message).toMatch(
      /spec\.credentialsRef\.secretKeyRef: cannot be read when the cluster is reached via: relay/,
    );
  });

  it("writes the status back as a patchStatus operation naming the resource's uid", async () => {
    // Prepare
    const { api, store, operations } = setup();
    await api.rememberGitRepo(gitRepo());
    const handler = handlerWith(api, store);

    // Act
    const status = await finalStatus((ch) => handler.added(handlerContext(commitStatus(), { cluster: CLUSTER }), commitStatus(), ch));

    // Assess
    expect(status.status).toBe(EventStatus.Completed);
    expect(operations.sent).toHaveLength(1);
    expect(operations.sent[0]).toMatchObject({ op: "patchStatus", cluster: CLUSTER, uid: "cs-1", generation: 1, status: { isSynced: true, phase: "in_progress" } });
  });
});

describe("Class: GitRepoHandler (via relay)", () => {
  const handlerFor = (api: RelayCommitStatusApi) =>
    new GitRepoHandler({ apiFor: () => api, commitStatus: undefined as never, store: new MemoryStateStore(), closeWaitMs: 1_000 });

  it("remembers the GitRepo and asks its relay to send the namespace's CommitStatuses of it again", async () => {
    // Prepare
    const { api, operations } = setup();

    // Act
    const status = await finalStatus((ch) => handlerFor(api).updated(handlerContext(gitRepo(), { cluster: CLUSTER }), gitRepo(), undefined, ch));

    // Assess
    expect(status.status).toBe(EventStatus.Completed);
    expect(operations.sent).toEqual([{ v: 1, cluster: CLUSTER, at: new Date(T0).toISOString(), op: "relist", namespace: NAMESPACE, gitRepo: "shop" }]);
    expect((await api.getGitRepo(NAMESPACE, "shop"))?.spec).toEqual(gitRepoSpec("shop"));
  });

  it("only remembers a GitRepo the relay re-sent on request", async () => {
    // Prepare
    const { api, operations } = setup();
    const ctx = { ...handlerContext(gitRepo(), { cluster: CLUSTER }), envelope: makeEnvelope(CLUSTER, "RESYNC", gitRepo(), new Date(T0), "a".repeat(64)) };

    // Act
    await finalStatus((ch) => handlerFor(api).added(ctx, gitRepo(), ch));

    // Assess
    expect(operations.sent).toEqual([]);
    expect((await api.getGitRepo(NAMESPACE, "shop"))?.spec).toEqual(gitRepoSpec("shop"));
  });

  it("forgets a deleted GitRepo", async () => {
    // Prepare
    const { api } = setup();
    await api.rememberGitRepo(gitRepo());

    // Act
    await finalStatus((ch) => handlerFor(api).deleted(handlerContext(gitRepo(), { cluster: CLUSTER, type: "DELETED" }), gitRepo(), ch));

    // Assess
    expect(await api.getGitRepo(NAMESPACE, "shop")).toBeUndefined();
  });
});
