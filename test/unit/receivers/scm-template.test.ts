import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../../shared/config";
import type { Log } from "../../../shared/log";
import { PipelinePhase, type PipelineInfo } from "../../../shared/pipeline/types";
import { createReceivers, LifecycleEvent, type ReceiverContext, type ReceiverStore, type ServiceContext } from "../../../shared/receivers";
import type { ScmReceiver } from "../../../shared/receivers/scm";
import { GITHUB_STATUS_DESCRIPTION_LIMIT } from "../../../shared/scm/github/provider";
import { appKeyPair, startFakeGitHub, startFakeGitLab, type FakeGitHubServer, type FakeGitLabServer } from "../../helpers/fake-scm";

const SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
const APP_ID = 4343;
const { privateKey, publicKey } = appKeyPair();

const memoryStore = (): ReceiverStore => {
  const items = new Map<string, Record<string, unknown>>();
  return { get: async (key) => structuredClone(items.get(key)), put: async (key, value) => void items.set(key, structuredClone(value)) };
};

const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Log;
const ctx = (event: LifecycleEvent): ReceiverContext => ({ log, event });

/** Where the fakes listen: a receiver posts only for runs on its own host. */
const hosts = { github: "github.com", gitlab: "gitlab.com" };

const run = (phase: PipelinePhase, git: Partial<NonNullable<PipelineInfo["git"]>> = {}): PipelineInfo => ({
  id: "prod/ci/build-and-test-x7k2p",
  uid: "uid-template",
  cluster: "prod",
  apiVersion: "tekton.dev/v1",
  kind: "PipelineRun",
  name: "build-and-test-x7k2p",
  namespace: "ci",
  phase,
  stages: [{ name: "build", phase }],
  labels: { "tekton.dev/pipeline": "build-and-test" },
  annotations: {},
  git: { provider: "github", host: hosts.github, owner: "example", repo: "shop", sha: SHA, ...git },
});

const build = async (options: Record<string, unknown>) => {
  const config = parseConfig({
    cluster: "prod",
    watch: [{ group: "tekton.dev", version: "v1", resource: "pipelineruns" }],
    receivers: [{ name: "shop-checks", type: "scm", options }],
  });
  const receiver = createReceivers(config)[0]!.receiver as ScmReceiver;
  const sc: ServiceContext = { log, config, kube: () => Promise.reject(new Error("not used")), store: memoryStore() };
  await receiver.initialize(sc);
  return receiver;
};

describe("Class: ScmReceiver, options.template", () => {
  let github: FakeGitHubServer;
  let gitlab: FakeGitLabServer;

  beforeAll(async () => {
    process.env.SCM_TEMPLATE_APP_KEY = privateKey;
    process.env.SCM_TEMPLATE_TOKEN = "ghp_template";
    process.env.SCM_TEMPLATE_GITLAB_TOKEN = "glpat-template";
    github = await startFakeGitHub({
      repos: ["example/shop"],
      tokens: ["ghp_template"],
      app: { id: APP_ID, publicKey, installations: [{ id: 9, repos: ["example/shop"] }] },
    });
    gitlab = await startFakeGitLab({ projects: [{ id: 12, path: "example/shop" }], tokens: ["glpat-template"] });
    hosts.github = new URL(github.url).host;
    hosts.gitlab = new URL(gitlab.url).host;
  });
  afterEach(() => {
    github.assertNoViolations();
  });
  afterAll(async () => {
    for (const name of ["SCM_TEMPLATE_APP_KEY", "SCM_TEMPLATE_TOKEN", "SCM_TEMPLATE_GITLAB_TOKEN"]) delete process.env[name];
    await github.stop();
    await gitlab.stop();
  });

  it("writes a check run's summary and text from their templates", async () => {
    // Prepare
    const receiver = await build({
      provider: "github",
      baseUrl: github.apiUrl,
      app: { appId: APP_ID, privateKey: "env:SCM_TEMPLATE_APP_KEY", installationId: 9 },
      template: {
        description: "description {{ pipeline.name }}",
        summary: "{{ pipeline.name }} is {{ pipeline.phase }}",
        text: "{% for s in pipeline.stages %}* {{ s.name }} ({{ s.phase }}){% endfor %} after {{ event }}",
      },
    });

    // Act
    await receiver.whenFinished(ctx(LifecycleEvent.Finished), run(PipelinePhase.Failed));

    // Assess
    expect(github.checkRuns).toHaveLength(1);
    expect(github.checkRuns[0]!.output).toEqual({ title: "ci/build-and-test", summary: "build-and-test-x7k2p is failed", text: "* build (failed) after finished" });
  });

  it("writes a commit status's description from its template, cut to GitHub's limit; summary is for check runs", async () => {
    // Prepare
    const receiver = await build({
      provider: "github",
      baseUrl: github.apiUrl,
      token: "env:SCM_TEMPLATE_TOKEN",
      template: { description: "{{ pipeline.name }} {% for i in (1..40) %}long {% endfor %}", summary: "not a commit status's" },
    });

    // Act
    await receiver.whenStarted(ctx(LifecycleEvent.Started), run(PipelinePhase.Running, { sha: "1111111111111111111111111111111111111111" }));

    // Assess
    const [status] = github.statuses.filter((s) => s.sha === "1111111111111111111111111111111111111111");
    expect(status!.description).toHaveLength(GITHUB_STATUS_DESCRIPTION_LIMIT);
    expect(status!.description).toMatch(/^build-and-test-x7k2p long long .*…$/);
  });

  it("writes the pull request comment from its template under the marker that finds it again", async () => {
    // Prepare
    const receiver = await build({
      provider: "github",
      baseUrl: github.apiUrl,
      token: "env:SCM_TEMPLATE_TOKEN",
      comment: { enabled: true },
      template: { comment: "**{{ pipeline.name }}**: {{ pipeline.phase }}" },
    });

    // Act
    await receiver.whenStarted(ctx(LifecycleEvent.Started), run(PipelinePhase.Running, { pr: "77" }));
    await receiver.whenFinished(ctx(LifecycleEvent.Finished), run(PipelinePhase.Succeeded, { pr: "77" }));

    // Assess
    const comments = github.issues.comments.filter((c) => c.issue_number === 77);
    expect(comments.map((c) => c.body)).toEqual(["<!-- kube-feedback:ci/build-and-test -->\n**build-and-test-x7k2p**: succeeded\n"]);
  });

  it("writes a GitLab commit status's description from its template", async () => {
    // Prepare
    const receiver = await build({ provider: "gitlab", host: gitlab.url, token: "env:SCM_TEMPLATE_GITLAB_TOKEN", template: { description: "{{ event }}: {{ pipeline.phase }}" } });

    // Act
    await receiver.whenFinished(ctx(LifecycleEvent.Finished), run(PipelinePhase.Succeeded, { provider: "gitlab", host: hosts.gitlab, ref: "refs/heads/main" }));

    // Assess
    expect(gitlab.statuses.map((s) => [s.status, s.description])).toEqual([["success", "finished: succeeded"]]);
  });
});
