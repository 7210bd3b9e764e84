import { z } from "zod";
import { parseLabelSelector } from "./label-selector";
import { secretReference } from "../secrets";

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A label selector as kubectl takes it; checked here so a typo stops the program at start. */
const LabelSelector = z.string().superRefine((value, ctx) => {
  try {
    parseLabelSelector(value);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: (error as Error).message });
  }
});

export const WatchSchema = z.strictObject({
  group: z.string().default(""),
  version: z.string().min(1),
  resource: z.string().regex(dnsLabel, "must be a lower-case plural resource name, e.g. pipelineruns"),
  namespaces: z.array(z.string().regex(dnsLabel, "must be a namespace name")).default([]),
  labelSelector: LabelSelector.optional(),
});
export type WatchConfig = z.output<typeof WatchSchema>;

export const SelectorSchema = z.strictObject({
  namespaces: z.array(z.string()).default([]),
  kinds: z.array(z.string()).default([]),
  labelSelector: LabelSelector.optional(),
});
export type SelectorConfig = z.output<typeof SelectorSchema>;

export const ReceiverEntrySchema = z.strictObject({
  name: z.string().regex(dnsLabel, "must be a lower-case name of letters, digits and '-'"),
  type: z.string().min(1),
  selector: SelectorSchema.default({ namespaces: [], kinds: [] }),
  /**
   * A CEL expression over `event`, `pipeline` and `previous`: the receiver
   * hears a callback only when it is true. Compiled and type-checked where
   * the receivers are built (pipeline/condition), a config error at start.
   */
  when: z.string().trim().min(1, "is empty: leave the key out to hear every callback").optional(),
  /** Type-specific options, validated by the receiver type's own schema. */
  options: z.record(z.string(), z.unknown()).default({}),
});
export type ReceiverEntry = z.output<typeof ReceiverEntrySchema>;

/** What `processing.stageUrl` may name: the run's link variables (pipeline/info.ts) and the stage. */
const STAGE_URL_VARIABLES: readonly string[] = ["cluster", "namespace", "name", "kind", "uid", "stage"];

export const ProcessingSchema = z.strictObject({
  maxRetries: z.int().min(0).max(100).default(5),
  backoff: z
    .strictObject({
      baseSeconds: z.number().positive().default(2),
      capSeconds: z.number().positive().max(43_200, "SQS visibility cannot exceed 12 hours").default(300),
    })
    .default({ baseSeconds: 2, capSeconds: 300 }),
  /** Seconds a receiver call may hold its claim before another attempt may repeat it. */
  leaseSeconds: z.int().positive().default(120),
  /** Only runs labelled or annotated `commit-status.argoproj.io/enabled: "true"` get feedback. */
  optIn: z.boolean().default(false),
  /** Template with {{cluster}}, {{namespace}}, {{name}}, {{kind}}, {{uid}}. */
  dashboardUrl: z.string().optional(),
  /** A link per stage: dashboardUrl's variables and {{stage}} (Tekton Dashboard: `…/pipelineruns/{{name}}?pipelineTask={{stage}}`). */
  stageUrl: z
    .string()
    .superRefine((template, ctx) => {
      const unknown = [...template.matchAll(/\{\{\s*(\w*)\s*\}\}/g)].map((m) => m[1]).find((name) => !STAGE_URL_VARIABLES.includes(name ?? ""));
      if (unknown !== undefined) ctx.addIssue({ code: "custom", message: `unknown variable {{${unknown}}} (known: ${STAGE_URL_VARIABLES.map((v) => `{{${v}}}`).join(", ")})` });
    })
    .optional(),
  /** How long a run's state is kept after its last event. */
  stateTtlDays: z.int().min(1).max(365).default(30),
  /** Bounded wait for a handler that returned without closing its status channel. */
  closeWaitMs: z.int().positive().default(2_000),
});
export type ProcessingConfig = z.output<typeof ProcessingSchema>;

/**
 * How the functions reach the cluster to read GitRepos and write CommitStatus
 * status back. Neither key: KUBECONFIG or in-cluster (local runs).
 */
/** EKS with the function's IAM role (a token presigned from STS GetCallerIdentity). */
const EksSchema = z.strictObject({
  clusterName: z.string().min(1),
  endpoint: z.url({ protocol: /^https$/, error: "must be the cluster's https endpoint" }),
  caData: z.string().min(1),
  region: z.string().min(1),
});

/**
 * How to reach one cluster's API server: a kubeconfig document by reference
 * (`ssm:/…`, a Secrets Manager ARN, or `env:NAME` locally; never inline: it
 * holds the cluster's credentials, and feedback.yaml ends up in git and in
 * the functions' environment), or EKS with the function's IAM role.
 */
const ClusterAccessSchema = z
  .strictObject({ kubeconfig: secretReference().optional(), eks: EksSchema.optional(), via: z.enum(["direct", "relay"]).optional() })
  .refine((k) => !(k.kubeconfig && k.eks), { error: "set kubeconfig or eks, not both" });

/**
 * How the CommitStatus sync reaches a cluster: `direct` through its API
 * server (kubeconfig, EKS or the default), `relay` through the cluster's own
 * relay, which applies the operations the process side queues for it
 * (private clusters: the functions never call the API server).
 */
export const KubernetesVia = { Direct: "direct", Relay: "relay" } as const;
export type KubernetesVia = (typeof KubernetesVia)[keyof typeof KubernetesVia];

/** Through the relay no access is given: a kubeconfig or EKS block beside it would be a credential nobody uses. */
const accessProblem = (access: { kubeconfig?: unknown; eks?: unknown; via?: string }): string | undefined => {
  if (access.via === KubernetesVia.Relay) return access.kubeconfig || access.eks ? "via: relay reaches the cluster through its relay: remove kubeconfig and eks" : undefined;
  return access.kubeconfig || access.eks ? undefined : "set kubeconfig or eks, or via: relay";
};

/**
 * The single form (`kubeconfig` or `eks`) is the access for the config's own
 * `cluster`; `clusters` gives the access for other clusters that feed this
 * deployment. An envelope's GitRepo reads and write-backs go to its own
 * cluster only, and a cluster with no access here is never synced.
 */
export const KubernetesSchema = z
  .strictObject({
    kubeconfig: secretReference().optional(),
    eks: EksSchema.optional(),
    via: z.enum(["direct", "relay"]).default("direct"),
    clusters: z
      .record(z.string(), ClusterAccessSchema)
      .superRefine((clusters, ctx) => {
        for (const [name, access] of Object.entries(clusters)) {
          // Checked here rather than in the record's key schema, whose errors do not name the key.
          if (!dnsLabel.test(name)) ctx.addIssue({ code: "custom", path: [name], message: "is not a cluster name: lower-case letters, digits and '-'" });
          else {
            const problem = accessProblem(access);
            if (problem) ctx.addIssue({ code: "custom", path: [name], message: problem });
          }
        }
      })
      .default({}),
  })
  .refine((k) => !(k.kubeconfig && k.eks), { error: "set kubeconfig or eks, not both" })
  .superRefine((k, ctx) => {
    if (k.via === KubernetesVia.Relay && (k.kubeconfig || k.eks)) {
      ctx.addIssue({ code: "custom", path: ["via"], message: "via: relay reaches the cluster through its relay: remove kubeconfig and eks" });
    }
  });
export type KubernetesConfig = z.output<typeof KubernetesSchema>;

export const ConfigSchema = z.strictObject({
  cluster: z.string().regex(dnsLabel, "must be a lower-case name of letters, digits and '-'"),
  watch: z.array(WatchSchema).min(1, "list at least one resource to watch"),
  receivers: z.array(ReceiverEntrySchema).default([]),
  processing: ProcessingSchema.default(ProcessingSchema.parse({})),
  kubernetes: KubernetesSchema.default({ via: "direct", clusters: {} }),
}).superRefine((config, ctx) => {
  // The config's own cluster has one access: the single form.
  if (Object.hasOwn(config.kubernetes.clusters, config.cluster)) {
    ctx.addIssue({ code: "custom", path: ["kubernetes", "clusters", config.cluster], message: "is this config's own cluster: give its access as kubernetes.kubeconfig or kubernetes.eks" });
  }
  // Through the relay, GitRepos are read from what the relay sends: it has to watch them.
  const watches = (resource: string) => config.watch.some((w) => w.group === "commit-status.argoproj.io" && w.resource === resource);
  if (config.kubernetes.via === KubernetesVia.Relay && watches("commitstatuses") && !watches("gitrepos")) {
    ctx.addIssue({
      code: "custom",
      path: ["watch"],
      message: "kubernetes.via: relay reads GitRepos from the relay's watch: add { group: commit-status.argoproj.io, version: v1alpha1, resource: gitrepos }",
    });
  }
});
export type FeedbackConfig = z.output<typeof ConfigSchema>;
export type FeedbackConfigInput = z.input<typeof ConfigSchema>;
