import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../shared/config";
import type { Log } from "../../shared/log";
import { toPipelineInfo, withStageLinks } from "../../shared/pipeline/info";
import { advance, advanceStage, emptyRunState } from "../../shared/pipeline/lifecycle";
import { normalise, stageOfTaskRun } from "../../shared/pipeline/normalise";
import type { PipelineInfo } from "../../shared/pipeline/types";
import { createReceivers, LifecycleEvent, type ServiceContext } from "../../shared/receivers";
import type { ScmReceiver } from "../../shared/receivers/scm";
import { slackMessage } from "../../shared/receivers/slack";
import { appKeyPair, startFakeGitHub, type FakeGitHubServer } from "../helpers/fake-scm";
import { MemoryReceiverStore } from "../helpers/memory-receiver-store";
import { servedFixture } from "../helpers/recorded-runs";

const SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
const APP_ID = 6161;
/** The Tekton Dashboard's page of a PipelineRun, opened at one of its tasks. */
const STAGE_URL = "https://tekton.example.com/#/namespaces/{{namespace}}/pipelineruns/{{name}}?pipelineTask={{stage}}";
const { privateKey, publicKey } = appKeyPair();

const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Log;

/**
 * A failed upstream PipelineRun whose task `dagtask1` is the upstream
 * TaskRun whose step `build-and-push` exited with code 1, folded as the
 * pipeline handler folds them, with the stage links it adds.
 */
const tektonRun = (): PipelineInfo => {
  const child = servedFixture("upstream/tekton/taskrun-v1beta1-failed-step-exit-code.yaml");
  child.metadata.labels["tekton.dev/pipelineTask"] = "dagtask1";
  const parent = toPipelineInfo("prod", normalise(servedFixture("upstream/tekton/pipelinerun-v1-failed-finally-skippedtasks.yaml")));
  const ended = advance(emptyRunState(), parent);
  const folded = advanceStage(ended.state, stageOfTaskRun(normalise(child), child));
  return withStageLinks(folded.state.info!, STAGE_URL);
};

const finished = (path: string): PipelineInfo => toPipelineInfo("prod", normalise(servedFixture(path)));

describe("Integration: why a run failed, on GitHub and in Slack", () => {
  let github: FakeGitHubServer;
  let host: string;
  const onGitHub = (info: PipelineInfo, pr?: string): PipelineInfo => ({
    ...info,
    git: { provider: "github", host, owner: "example", repo: "shop", sha: SHA, ...(pr ? { pr } : {}) },
  });

  const receiver = async (options: Record<string, unknown>) => {
    const config = parseConfig({
      cluster: "prod",
      watch: [{ group: "tekton.dev", version: "v1", resource: "pipelineruns" }],
      receivers: [{ name: "why", type: "scm", options: { provider: "github", baseUrl: github.apiUrl, ...options } }],
    });
    const scm = createReceivers(config)[0]!.receiver as ScmReceiver;
    const sc: ServiceContext = { log, config, kube: () => Promise.reject(new Error("not used")), store: new MemoryReceiverStore() };
    await scm.initialize(sc);
    return scm;
  };
  const app = () => receiver({ app: { appId: APP_ID, privateKey: "env:WHY_APP_KEY", installationId: 9 }, comment: { enabled: true } });
  const token = () => receiver({ token: "env:WHY_TOKEN" });
  const finish = (scm: ScmReceiver, info: PipelineInfo) => scm.whenFinished({ log, event: LifecycleEvent.Finished }, info);

  beforeAll(async () => {
    process.env.WHY_APP_KEY = privateKey;
    process.env.WHY_TOKEN = "ghp_why";
    github = await startFakeGitHub({ repos: ["example/shop"], tokens: ["ghp_why"], app: { id: APP_ID, publicKey, installations: [{ id: 9, repos: ["example/shop"] }] } });
    host = new URL(github.url).host;
  });
  afterEach(() => {
    github.assertNoViolations();
  });
  afterAll(async () => {
    await github.stop();
  });

  describe("A Tekton PipelineRun whose task failed at a step", () => {
    const STEP = 'step "build-and-push" exited with code 1';
    const LINK = "https://tekton.example.com/#/namespaces/arendelle-nfvhz/pipelineruns/pipeline-level-finally-one-d-a-g-task-fai-qxjhlbvy?pipelineTask=dagtask1";

    it("names the task, the step and its exit code in the check run's summary, and links each stage in its text", async () => {
      // Act
      await finish(await app(), onGitHub(tektonRun()));

      // Assess
      const run = github.checkRuns.at(-1)!;
      expect(run.conclusion).toBe("failure");
      expect(run.output.summary).toMatch(new RegExp(`^pipeline-level-finally-one-d-a-g-task-fai-qxjhlbvy: Failed at dagtask1: ${STEP} \\(`));
      expect(run.output.text).toContain(`| [dagtask1](${LINK}) | ❌ Failed |`);
      expect(run.output.text).toContain(`### Why it failed\n\n- [\`dagtask1\`](${LINK}) ❌ Failed: ${STEP}`);
    });

    it("keeps the step and its exit code in a commit status's 140 characters", async () => {
      // Act
      await finish(await token(), onGitHub(tektonRun()));

      // Assess
      const status = github.statuses.at(-1)!;
      expect(status.state).toBe("failure");
      expect(status.description).toBe(`pipeline-level-finally-one-d-a-g-task-fai-qxjhlbvy: Failed at dagtask1: ${STEP}`);
      expect(status.description!.length).toBeLessThanOrEqual(140);
    });

    it("says why in the pull request comment, with the stage table's links", async () => {
      // Act
      await finish(await app(), onGitHub(tektonRun(), "42"));

      // Assess
      const comment = github.issues.comments.find((c) => c.issue_number === 42)!;
      expect(comment.body).toContain(`Failed at dagtask1: ${STEP} (`);
      expect(comment.body).toContain(`| [dagtask1](${LINK}) | ❌ Failed |`);
    });

    it("says why in the Slack message's note and links the stage's line", () => {
      // Act
      const message = slackMessage(tektonRun());

      // Assess
      const text = JSON.stringify(message.blocks);
      expect(text).toContain(JSON.stringify(`Failed at dagtask1: ${STEP}`).slice(1, -1));
      expect(text).toContain(JSON.stringify(`*<${LINK}|dagtask1>* Failed`).slice(1, -1));
    });
  });

  describe("A Job past its deadline and an Argo Workflow whose node failed", () => {
    it.each([
      ["jobs/job-deadline-exceeded.yaml", "etl-nightly-28996800: Timed out: Job was active longer than specified deadline", "Job was active longer than specified deadline"],
      ["upstream/argo/workflow-failed-node-messages.yaml", "steps-9fkqc: Failed at fail: failed with exit code 1", "Failed at fail: failed with exit code 1"],
    ])("%s: the commit status, the check run and the Slack note say why", async (path, description, note) => {
      // Prepare
      const info = onGitHub(finished(path));

      // Act
      await finish(await token(), info);
      await finish(await app(), info);

      // Assess
      expect(github.statuses.at(-1)!.description).toMatch(new RegExp(`^${description.replace(/[()]/g, "\\$&")}( \\(|$)`));
      expect(github.checkRuns.at(-1)!.output.summary).toMatch(new RegExp(`^${description}`));
      expect(github.checkRuns.at(-1)!.output.text).toContain("### Why it failed");
      expect(JSON.stringify(slackMessage(info).blocks)).toContain(note);
    });
  });
});
