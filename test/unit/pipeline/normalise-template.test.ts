import { describe, expect, it } from "vitest";
import { toPipelineInfo } from "../../../shared/pipeline/info";
import { normalise } from "../../../shared/pipeline/normalise";
import type { NormalisedRun } from "../../../shared/pipeline/types";
import { servedFixture } from "../../helpers/recorded-runs";

type Json = Record<string, any>;

/** The fixture with its metadata or spec fields replaced. */
const variant = (path: string, patch: { metadata?: Json; spec?: Json }): Json => {
  const obj = servedFixture(path);
  return { ...obj, metadata: { ...obj.metadata, ...patch.metadata }, spec: { ...obj.spec, ...patch.spec } };
};

const cronJobOwner = (apiVersion: string, name = "etl-nightly") => [
  { apiVersion, kind: "CronJob", name, uid: "4d1c9a7e-6b3f-4e28-9a51-0c7d2e8f6b13", controller: true, blockOwnerDeletion: true },
];

describe("Function: normalise (template)", () => {
  it.each<{ case: string; obj: Json; expected: NormalisedRun["template"] }>([
    { case: "a Job started by a batch/v1 CronJob", obj: servedFixture("jobs/job-complete.yaml"), expected: { kind: "CronJob", name: "etl-nightly" } },
    { case: "a failed Job of the same CronJob", obj: servedFixture("jobs/job-failed-backoff.yaml"), expected: { kind: "CronJob", name: "etl-nightly" } },
    {
      case: "a Job started by a batch/v1beta1 CronJob (before Kubernetes 1.21)",
      obj: variant("jobs/job-complete.yaml", { metadata: { ownerReferences: cronJobOwner("batch/v1beta1", "reports") } }),
      expected: { kind: "CronJob", name: "reports" },
    },
    {
      case: "a Job owned by another group's kind named CronJob",
      obj: variant("jobs/job-complete.yaml", { metadata: { ownerReferences: cronJobOwner("example.com/v1") } }),
      expected: undefined,
    },
    { case: "a Job with no owner", obj: servedFixture("upstream/jobs/job-successcriteriamet-complete.yaml"), expected: undefined },
    {
      case: "a Workflow started by a CronWorkflow",
      obj: servedFixture("upstream/argo/workflow-pending-cronworkflow.yaml"),
      expected: { kind: "CronWorkflow", name: "hello-world" },
    },
    {
      case: "a Workflow from a WorkflowTemplate",
      obj: servedFixture("upstream/argo/workflow-succeeded-workflowtemplateref.yaml"),
      expected: { kind: "WorkflowTemplate", name: "workflow-template-submittable-2.9" },
    },
    {
      case: "a Workflow from a ClusterWorkflowTemplate",
      obj: servedFixture("upstream/argo/workflow-clusterworkflowtemplateref.yaml"),
      expected: { kind: "ClusterWorkflowTemplate", name: "cluster-workflow-template-submittable" },
    },
    {
      case: "a CronWorkflow's Workflow whose spec refers to a template",
      obj: variant("upstream/argo/workflow-pending-cronworkflow.yaml", { spec: { workflowTemplateRef: { name: "shared-steps" } } }),
      expected: { kind: "CronWorkflow", name: "hello-world" },
    },
    {
      case: "a workflowTemplateRef without a name",
      obj: variant("upstream/argo/workflow-succeeded-workflowtemplateref.yaml", { spec: { workflowTemplateRef: { clusterScope: true } } }),
      expected: undefined,
    },
    {
      case: "a workflowTemplateRef that is not an object",
      obj: variant("upstream/argo/workflow-succeeded-workflowtemplateref.yaml", { spec: { workflowTemplateRef: "ci-build" } }),
      expected: undefined,
    },
    { case: "a Workflow with its own spec", obj: servedFixture("upstream/argo/workflow-failed-node-messages.yaml"), expected: undefined },
  ])("returns $expected for $case", ({ obj, expected }) => {
    // Act
    const run = normalise(obj);

    // Assess
    expect(run.template).toEqual(expected);
    if (expected === undefined) expect(Object.keys(run)).not.toContain("template");
  });

  it("keeps the template in the PipelineInfo receivers see", () => {
    // Prepare
    const run = normalise(servedFixture("upstream/argo/workflow-clusterworkflowtemplateref.yaml"));

    // Act
    const info = toPipelineInfo("prod", run, { dashboardUrl: "https://argo.example.com/workflows/{{namespace}}/{{name}}" });

    // Assess
    expect(info.template).toEqual({ kind: "ClusterWorkflowTemplate", name: "cluster-workflow-template-submittable" });
    expect(info.dashboardUrl).toBe("https://argo.example.com/workflows/argo/cluster-workflow-template-hello-world-q8m4t");
  });
});
