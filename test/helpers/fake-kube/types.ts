/**
 * Shapes shared by the fake API server's store, watch streams and HTTP layer.
 * They are deliberately looser than the client's generated models: the fake
 * stores whatever JSON a test or a client sends, like etcd does.
 */

/** A kind the fake serves, registered up front as a CRD would be. */
export interface ResourceType {
  /** `''` for the core group (`/api/v1`). */
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  /** Defaults to `true`; every kind this project watches is namespaced. */
  readonly namespaced?: boolean;
}

/** Names a registered kind either by URL parts or by `apiVersion` and `kind`. */
export type ResourceSelector =
  | { readonly group: string; readonly version: string; readonly plural: string }
  | { readonly apiVersion: string; readonly kind: string };

export type ObjectRef = ResourceSelector & { readonly namespace?: string; readonly name: string };

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: unknown;
  status?: unknown;
  [key: string]: unknown;
}

export const WatchEventType = {
  Added: 'ADDED',
  Modified: 'MODIFIED',
  Deleted: 'DELETED',
  Bookmark: 'BOOKMARK',
  Error: 'ERROR',
} as const;
export type WatchEventType = (typeof WatchEventType)[keyof typeof WatchEventType];

/** One write as the store remembers it, for replaying to late watchers. */
export interface StoreEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly resource: ResourceType;
  readonly resourceVersion: number;
  readonly object: KubeObject;
  /** The object before a MODIFIED, so selector watches can turn it into ADDED or DELETED. */
  readonly previous?: KubeObject;
}

/** The verbs of the Kubernetes authorization model, which is how the fake classifies requests. */
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly contentType: string | undefined;
  readonly body: unknown;
  /** Undefined for paths the fake does not serve. */
  readonly verb: Verb | undefined;
}

export interface FailureInjection {
  /** Matches any verb when omitted. */
  readonly verb?: Verb;
  /** Matches any resource when omitted. */
  readonly plural?: string;
  /** `'status'` to fail only status writes; matches the main resource and subresources when omitted. */
  readonly subresource?: string;
  readonly code: number;
  /** How many matching requests fail; defaults to 1. */
  readonly times?: number;
  readonly reason?: string;
  readonly message?: string;
}

export const DEFAULT_RESOURCES: readonly ResourceType[] = [
  { group: 'batch', version: 'v1', plural: 'jobs', kind: 'Job' },
  { group: 'tekton.dev', version: 'v1', plural: 'pipelineruns', kind: 'PipelineRun' },
  { group: 'tekton.dev', version: 'v1', plural: 'taskruns', kind: 'TaskRun' },
  { group: 'argoproj.io', version: 'v1alpha1', plural: 'workflows', kind: 'Workflow' },
  { group: 'commit-status.argoproj.io', version: 'v1alpha1', plural: 'commitstatuses', kind: 'CommitStatus' },
  { group: 'commit-status.argoproj.io', version: 'v1alpha1', plural: 'gitrepos', kind: 'GitRepo' },
];

export function apiVersionOf(resource: ResourceType): string {
  return resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
}

/**
 * CRD groups must contain a dot, built-in ones (`batch`, `apps`) never do.
 * The API server treats the two differently in a few places the fake copies.
 */
export function isBuiltIn(resource: ResourceType): boolean {
  return !resource.group.includes('.');
}
