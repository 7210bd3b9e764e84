/**
 * Names people look for, through the `scm` receiver and the real provider
 * clients against the fake SCMs: the status of a CronJob's Job, a
 * CronWorkflow's or WorkflowTemplate's Workflow is named after what started
 * it, so it is the same every night; every status and check run names the
 * run it reports in its description, within the provider's limit; a failed
 * run says which stage failed and why; GitHub check runs carry the run's
 * uid as `external_id` and the dashboard as `details_url`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../shared/config";
import type { Log } from "../../shared/log";
import { toPipelineInfo } from "../../shared/pipeline/info";
import { normalise } from "../../shared/pipeline/normalise";
import { isTerminal, PipelinePhase, type PipelineInfo } from "../../shared/pipeline/types";
import { transientMemory, type RunMemory } from "../../shared/pipeline/receiver";
import { createReceivers, LifecycleEvent, type Receiver, type ReceiverContext } from "../../shared/receivers";
import { appKeyPair,
  startFakeBitbucketCloud,
  startFakeBitbucketServer,
  startFakeGitea,
  startFakeGitHub,
  startFakeGitLab,
  type FakeBitbucketCloudServer,
  type FakeBitbucketServer,
  type FakeGiteaServer,
  type FakeGitHubServer,
  type FakeGitLabServer,
} from "../helpers/fake-scm";
import { servedFixture } from "../helpers/recorded-runs";

const APP_ID = 6161;
const TOKEN = "scm-names-token";
const DASHBOARD = "https://dashboard.example.com/{{cluster}}/{{namespace}}/{{kind}}/{{name}}";
const { privateKey, publicKey } = appKeyPair();
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Log;
/** A call's context; calls for one run share its `memory`, as the pipeline handler keeps it in the run item. */
const ctx = (event: LifecycleEvent, memory: RunMemory = transientMemory()): ReceiverContext => ({ log: silent, event, memory });

type Json = Record<string, any>;

interface RunCase {
  readonly case: string;
  readonly fixture: string;
  readonly status: string;
  /** The failed stage and its message, for failed runs. */
  readonly failure?: { stage?: string; reason: string };
  /** Changes to the fixture's status, for states upstream has no object for. */
  readonly patch?: (status: Json) => void;
}

/** A Pod failure policy's message: long enough that a GitHub status has room for it but not for the tally too. */
const POLICY = "Container etl for pod data/etl-nightly-28995360-x7k2p failed with exit code 1 matching FailJob rule at index 0";

const RUNS: readonly RunCase[] = [
  { case: "a CronJob's Job that succeeded", fixture: "jobs/job-complete.yaml", status: "data/etl-nightly" },
  { case: "the next night's Job, failed", fixture: "jobs/job-failed-backoff.yaml", status: "data/etl-nightly", failure: { reason: "Job has reached the specified backoff limit" } },
  { case: "a CronJob's Job that timed out", fixture: "jobs/job-deadline-exceeded.yaml", status: "data/etl-nightly", failure: { reason: "Job was active longer than specified deadline" } },
  {
    case: "a CronJob's Job failed by its pod failure policy",
    fixture: "jobs/job-failed-backoff.yaml",
    status: "data/etl-nightly",
    failure: { reason: POLICY },
    patch: (status) => {
      for (const condition of status.conditions) Object.assign(condition, { reason: "PodFailurePolicy", message: POLICY });
    },
  },
  { case: "a CronWorkflow's Workflow", fixture: "upstream/argo/workflow-pending-cronworkflow.yaml", status: "argo/hello-world" },
  { case: "a WorkflowTemplate's Workflow", fixture: "upstream/argo/workflow-succeeded-workflowtemplateref.yaml", status: "default/workflow-template-submittable-2.9" },
  { case: "a ClusterWorkflowTemplate's Workflow", fixture: "upstream/argo/workflow-clusterworkflowtemplateref.yaml", status: "argo/cluster-workflow-template-submittable" },
  { case: "a Workflow named from generateName, failed", fixture: "upstream/argo/workflow-failed-node-messages.yaml", status: "default/steps", failure: { stage: "fail", reason: "failed with exit code 1" } },
];

/** One commit per run, so that each run's statuses can be read back on their own. */
const shaOf = (index: number): string => (index + 1).toString(16).padStart(40, "a");

/** What a provider recorded for one commit: status name, description and link of every write. */
interface Written {
  readonly name: string;
  readonly description: string;
  readonly url: string;
}

interface ProviderCase {
  readonly label: string;
  readonly limit: number;
  readonly options: () => Record<string, unknown>;
  /** Where the run's repository is, as annotations on the object: on the fake's host, which a receiver posts for. */
  readonly annotations: () => Record<string, string>;
  readonly written: (sha: string) => Written[];
}

describe("Integration: scm receiver names runs the way people look for them", () => {
  let github: FakeGitHubServer;
  let gitlab: FakeGitLabServer;
  let bitbucketCloud: FakeBitbucketCloudServer;
  let bitbucketServer: FakeBitbucketServer;
  let gitea: FakeGiteaServer;

  /** Bodies of the check run writes for one commit: its creation and every update of that check run. */
  const checkRunBodies = (sha: string): Json[] => {
    const ids = new Set(github.checkRuns.filter((run) => run.head_sha === sha).map((run) => `/${run.id}`));
    return github.requests
      .filter((r) => r.path.includes("/check-runs") && ((r.method === "POST" && (r.body as Json).head_sha === sha) || (r.method === "PATCH" && ids.has(r.path.slice(r.path.lastIndexOf("/"))))))
      .map((r) => r.body as Json);
  };

  const PROVIDERS: readonly ProviderCase[] = [
    {
      label: "GitHub App (check runs)",
      limit: 65_535,
      options: () => ({ provider: "github", baseUrl: github.apiUrl, app: { appId: APP_ID, privateKey: "env:SCM_NAMES_APP_KEY" } }),
      annotations: () => ({ "commit-status.argoproj.io/repo-url": `${github.url}/acme/shop` }),
      written: (sha) => checkRunBodies(sha).map((b) => ({ name: b.name, description: b.output?.summary ?? "", url: b.details_url ?? "" })),
    },
    {
      label: "GitHub token (commit statuses)",
      limit: 140,
      options: () => ({ provider: "github", baseUrl: github.apiUrl, token: "env:SCM_NAMES_TOKEN" }),
      annotations: () => ({ "commit-status.argoproj.io/repo-url": `${github.url}/acme/shop` }),
      written: (sha) => github.statuses.filter((s) => s.sha === sha).map((s) => ({ name: s.context, description: s.description ?? "", url: s.target_url ?? "" })),
    },
    {
      label: "GitLab",
      limit: 255,
      options: () => ({ provider: "gitlab", host: gitlab.url, token: "env:SCM_NAMES_TOKEN" }),
      annotations: () => ({ "commit-status.argoproj.io/repo-url": `${gitlab.url}/acme/shop`, "commit-status.argoproj.io/ref": "main" }),
      written: (sha) => gitlab.statuses.filter((s) => s.sha === sha).map((s) => ({ name: s.name, description: s.description ?? "", url: s.target_url ?? "" })),
    },
    {
      label: "Bitbucket Cloud",
      limit: 255,
      options: () => ({ provider: "bitbucket-cloud", baseUrl: bitbucketCloud.url, token: "env:SCM_NAMES_TOKEN" }),
      annotations: () => ({ "commit-status.argoproj.io/repo-url": "https://bitbucket.org/acme/shop" }),
      written: (sha) => bitbucketCloud.statuses.filter((s) => s.sha === sha).map((s) => ({ name: s.name ?? s.key, description: s.description ?? "", url: s.url })),
    },
    {
      label: "Bitbucket Server",
      limit: 255,
      options: () => ({ provider: "bitbucket-server", url: bitbucketServer.url, token: "env:SCM_NAMES_TOKEN" }),
      annotations: () => ({ "commit-status.argoproj.io/repo-url": `${bitbucketServer.url}/scm/pay/shop.git`, "pipelinesascode.tekton.dev/git-provider": "bitbucket-datacenter" }),
      written: (sha) => bitbucketServer.statuses.filter((s) => s.sha === sha).map((s) => ({ name: s.name ?? s.key, description: s.description ?? "", url: s.url })),
    },
    {
      label: "Gitea",
      limit: 255,
      options: () => ({ provider: "gitea", url: gitea.url, token: "env:SCM_NAMES_TOKEN" }),
      annotations: () => ({ "commit-status.argoproj.io/repo-url": `${gitea.url}/acme/shop`, "pipelinesascode.tekton.dev/git-provider": "gitea" }),
      written: (sha) => gitea.statuses.filter((s) => s.sha === sha).map((s) => ({ name: s.context, description: s.description, url: s.target_url })),
    },
  ];

  const receiverFor = async (provider: ProviderCase): Promise<Receiver> => {
    const config = parseConfig({
      cluster: "prod",
      watch: [{ group: "batch", version: "v1", resource: "jobs" }],
      processing: { dashboardUrl: DASHBOARD },
      receivers: [{ name: "names", type: "scm", options: provider.options() }],
    });
    const receiver = createReceivers(config)[0]!.receiver;
    const items = new Map<string, Record<string, unknown>>();
    await receiver.initialize?.({ log: silent, config, kube: () => Promise.reject(new Error("not used")), store: { get: async (k) => items.get(k), put: async (k, v) => void items.set(k, v) } });
    return receiver;
  };

  /** The run as the pipeline handler gives it to receivers, on its own commit of the provider's repository. */
  const infoOf = (run: RunCase, index: number, provider: ProviderCase): PipelineInfo => {
    const object = servedFixture(run.fixture);
    run.patch?.(object.status);
    object.metadata.annotations = { ...object.metadata.annotations, ...provider.annotations(), "commit-status.argoproj.io/sha": shaOf(index) };
    return toPipelineInfo("prod", normalise(object), { dashboardUrl: DASHBOARD });
  };

  /** Queued, then running, then the run's own state, as the lifecycle calls them. */
  const report = async (receiver: Receiver, info: PipelineInfo): Promise<void> => {
    const memory = transientMemory();
    await receiver.whenCreated(ctx(LifecycleEvent.Created, memory), { ...info, phase: PipelinePhase.Pending, stages: [] });
    if (info.phase === PipelinePhase.Pending) return;
    await receiver.whenStarted(ctx(LifecycleEvent.Started, memory), { ...info, phase: PipelinePhase.Running, finishedAt: undefined });
    if (isTerminal(info.phase)) await receiver.whenFinished(ctx(LifecycleEvent.Finished, memory), info);
  };

  beforeAll(async () => {
    process.env.SCM_NAMES_APP_KEY = privateKey;
    process.env.SCM_NAMES_TOKEN = TOKEN;
    github = await startFakeGitHub({ repos: ["acme/shop"], tokens: [TOKEN], app: { id: APP_ID, publicKey, installations: [{ id: 9, repos: ["acme/shop"] }] } });
    gitlab = await startFakeGitLab({ projects: [{ id: 21, path: "acme/shop" }], tokens: [TOKEN] });
    bitbucketCloud = await startFakeBitbucketCloud({ repos: ["acme/shop"], tokens: [TOKEN] });
    bitbucketServer = await startFakeBitbucketServer({ repos: ["pay/shop"], tokens: [TOKEN] });
    gitea = await startFakeGitea({ repos: ["acme/shop"], tokens: [TOKEN] });
    for (const provider of PROVIDERS) {
      const receiver = await receiverFor(provider);
      for (const [index, run] of RUNS.entries()) await report(receiver, infoOf(run, index, provider));
    }
  });

  afterAll(async () => {
    await Promise.all([github, gitlab, bitbucketCloud, bitbucketServer, gitea].map((server) => server?.stop()));
  });

  const table = PROVIDERS.flatMap((provider) => RUNS.map((run, index) => ({ provider, run, index, label: provider.label })));

  it.each(table)("$label: names the status of $run.case $run.status, and each write names the run", ({ provider, run, index }) => {
    // Prepare
    const info = infoOf(run, index, provider);

    // Act
    const written = provider.written(shaOf(index));

    // Assess
    expect(written.length).toBeGreaterThan(0);
    for (const write of written) {
      expect(write.name).toBe(run.status);
      expect(write.description.startsWith(`${info.name}: `)).toBe(true);
      expect(write.description.length).toBeLessThanOrEqual(provider.limit);
      expect(write.url).toBe(info.dashboardUrl);
      // Cut where the receiver chose: the tally goes whole, never half of it.
      expect(write.description).not.toMatch(/\([^)]*$/);
    }
    const last = written.at(-1)!;
    if (run.failure) {
      expect(last.description).toContain(`${run.failure.stage ? ` at ${run.failure.stage}` : ""}: ${run.failure.reason}`);
    } else {
      expect(last.description).not.toMatch(/Failed|Errored|Timed out/);
    }
  });

  it.each(RUNS.map((run, index) => ({ run, index })))("GitHub App: the check run of $run.case carries the run's uid, dashboard link and why it failed", ({ run, index }) => {
    // Prepare
    const info = infoOf(run, index, PROVIDERS[0]!);

    // Act
    const checkRun = github.checkRuns.find((candidate) => candidate.head_sha === shaOf(index))!;

    // Assess
    github.assertNoViolations();
    expect(checkRun).toMatchObject({ name: run.status, external_id: info.uid, details_url: info.dashboardUrl });
    expect(checkRun.output.summary?.startsWith(`${info.name}: `)).toBe(true);
    const bodies = checkRunBodies(shaOf(index));
    expect(bodies.length).toBeGreaterThan(0);
    expect(bodies.map((b) => b.external_id)).toEqual(bodies.map(() => info.uid));
    if (run.failure) {
      expect(checkRun.output.text).toContain("### Why it failed");
      expect(checkRun.output.text).toContain(run.failure.reason);
    } else {
      expect(checkRun.output.text ?? "").not.toContain("Why it failed");
    }
  });
});
