import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRecording, type RecordedEvent } from "../../cli/local/replay";
import { startLocalStack, type LocalStack } from "../../cli/local/stack";
import { parseConfig } from "../../shared/config";
import { heldMessages } from "../helpers/fauxqs-inspect";
import { startFakeGitLab, type FakeGitLabServer, type RecordedScmRequest } from "../helpers/fake-scm";

const SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
const RECORDING = readRecording(fileURLToPath(new URL("../../recordings/tekton-pipelinerun.ndjson", import.meta.url)));
const WATCH = [
  { group: "tekton.dev", version: "v1", resource: "pipelineruns" },
  { group: "tekton.dev", version: "v1", resource: "taskruns" },
];
const TOKENS = { writer: "glpat-fork-writer", target: "glpat-target-writer", reader: "glpat-reader" } as const;
const PAC = "pipelinesascode.tekton.dev/";

/**
 * The recording as Pipelines-as-Code would have stamped a run of merge
 * request !7 from contributor/shop into example/shop, in its own namespace
 * (so its own status name) and with its own uids.
 */
const forkRun = (gitlabUrl: string, namespace: string): RecordedEvent[] =>
  RECORDING.map(({ type, object }) => {
    const copy = structuredClone(object);
    const meta = copy.metadata as typeof copy.metadata & { uid: string; ownerReferences?: { uid: string }[] };
    copy.metadata.namespace = namespace;
    meta.uid = `${namespace}-${meta.uid}`;
    for (const owner of meta.ownerReferences ?? []) owner.uid = `${namespace}-${owner.uid}`;
    if (copy.kind === "PipelineRun") {
      const { "commit-status.argoproj.io/repo-url": _ours, "commit-status.argoproj.io/ref": _ref, ...rest } = copy.metadata.annotations ?? {};
      copy.metadata.annotations = {
        ...rest,
        [`${PAC}repo-url`]: `${gitlabUrl}/example/shop`,
        [`${PAC}source-repo-url`]: `${gitlabUrl}/contributor/shop`,
        [`${PAC}source-branch`]: "fix-typo",
        [`${PAC}branch`]: "main",
        [`${PAC}pull-request`]: "7",
        [`${PAC}git-provider`]: "gitlab",
      };
    }
    return { type, object: copy };
  });

const replay = async (stack: LocalStack, events: readonly RecordedEvent[]): Promise<void> => {
  for (const { type, object } of events) {
    await stack.relay.ship(type, object);
    await stack.relay.flush();
    await stack.poller.drained(25);
  }
};

const project = (r: RecordedScmRequest) => decodeURIComponent(r.path.split("/")[4]!);
const statusPostsFor = (gitlab: FakeGitLabServer, name: string) =>
  gitlab.requests.filter((r) => r.method === "POST" && r.path.includes("/statuses/") && (r.body as { name?: string }).name === name).map(project);

describe("Integration: scm receiver and GitLab merge requests from forks", () => {
  let gitlab: FakeGitLabServer;
  let stack: LocalStack;

  beforeAll(async () => {
    gitlab = await startFakeGitLab({
      tokens: Object.values(TOKENS),
      projects: [
        { id: 12, path: "example/shop", commits: [], refuseStatusesFor: [TOKENS.reader] },
        { id: 34, path: "contributor/shop", commits: [SHA], refuseStatusesFor: [TOKENS.target, TOKENS.reader] },
      ],
      mergeRequests: [{ projectId: 12, iid: 7, sourceProjectId: 34, sha: SHA }],
    });
    const receivers = (["writer", "target", "reader"] as const).map((who) => {
      process.env[`SCM_FORK_IT_${who.toUpperCase()}`] = TOKENS[who];
      return { name: `gitlab-${who}`, type: "scm", selector: { namespaces: [who] }, options: { provider: "gitlab", host: gitlab.url, token: `env:SCM_FORK_IT_${who.toUpperCase()}` } };
    });
    const config = parseConfig({ cluster: "fork-it", watch: WATCH, receivers, processing: { backoff: { baseSeconds: 1, capSeconds: 2 } } });
    stack = await startLocalStack({ config });
    for (const who of ["writer", "target", "reader"]) await replay(stack, forkRun(gitlab.url, who));
  });

  afterAll(async () => {
    await stack?.stop();
    await gitlab?.stop();
  });

  it("writes the run's statuses on the fork when the token may write there, and nothing on the target", () => {
    // Prepare
    const mine = gitlab.statuses.filter((s) => s.name === "writer/build-and-test");

    // Assess
    expect(new Set(mine.map((s) => `${s.projectId} ${s.ref}`))).toEqual(new Set(["34 fix-typo"]));
    expect(gitlab.latest(34, SHA, "writer/build-and-test")?.status).toBe("success");
    expect(new Set(statusPostsFor(gitlab, "writer/build-and-test"))).toEqual(new Set(["contributor/shop"]));
  });

  it("falls back to the target project once, then writes there directly on every later event", () => {
    // Prepare
    const posts = statusPostsFor(gitlab, "target/build-and-test");
    const mine = gitlab.statuses.filter((s) => s.name === "target/build-and-test");

    // Assess
    expect(posts[0]).toBe("contributor/shop");
    expect(posts.slice(1).length).toBeGreaterThanOrEqual(2);
    expect(new Set(posts.slice(1))).toEqual(new Set(["example/shop"]));
    expect(new Set(mine.map((s) => `${s.projectId} ${s.ref}`))).toEqual(new Set(["12 refs/merge-requests/7/head"]));
    expect(gitlab.latest(12, SHA, "target/build-and-test")?.status).toBe("success");
  });

  it("keeps one note on the merge request when neither project takes the status, and dead-letters nothing", async () => {
    // Prepare
    const notes = gitlab.mergeRequests.notes.filter((n) => n.body.includes("kube-feedback-unwritten:reader/build-and-test"));
    const noteWrites = gitlab.requests.filter((r) => r.path.includes("/notes") && r.method !== "GET").map((r) => `${r.method} ${project(r)}`);

    // Assess
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ projectId: 12, iid: 7 });
    expect(notes[0]!.body).toContain("### ⚠️ Status `reader/build-and-test` could not be written");
    expect(notes[0]!.body).toContain("**succeeded**");
    expect(notes[0]!.body).toMatch(/`contributor\/shop`, the fork the merge request comes from: .*403 Forbidden/);
    expect(notes[0]!.body).toMatch(/`example\/shop`, the merge request's project \(ref `refs\/merge-requests\/7\/head`\): .*403 Forbidden/);
    expect(noteWrites[0]).toBe("POST example/shop");
    expect(new Set(noteWrites.slice(1))).toEqual(new Set(["PUT example/shop"]));
    expect(statusPostsFor(gitlab, "reader/build-and-test")).toEqual(["contributor/shop", "example/shop"]);
    expect(stack.poller.stats.failures).toBe(0);
    expect(await heldMessages(stack.emulators.sqsEndpoint, stack.emulators.dlqUrl)).toEqual([]);
  });
});
