/**
 * A real kube-apiserver (v1.20, with its own etcd on loopback) per test file,
 * started through the `apiserver.sh` script that CI provides, plus helpers to
 * apply manifests from `infra/` and to act as users that RBAC restricts.
 *
 * Usage: find the script once at module level and skip the suite when it is
 * absent (outside CI only), then start one server per file in beforeAll.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  ApiException,
  ApiextensionsV1Api,
  AuthorizationV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  loadYaml,
  type KubernetesObject,
  type V1ResourceAttributes,
} from '@kubernetes/client-node';
import { parse, parseAllDocuments } from 'yaml';

const run = promisify(execFile);

export const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));

const SCRIPT_VARIABLE = 'KUBE_APISERVER_SCRIPT';
/** The copy vendored for CI, then the one beside the repository. */
const FALLBACK_SCRIPTS = [
  resolve(REPOSITORY_ROOT, '.ci', 'k8s', 'apiserver.sh'),
  resolve(REPOSITORY_ROOT, '..', 'shared', 'k8s', 'apiserver.sh'),
];

/**
 * A fallback script only counts once its binary is built (`apiserver.sh
 * ensure`, as `.ci/run` does): `npm test` must not start a five-minute build.
 */
function apiServerBuilt(): boolean {
  const home = process.env.KAPI_HOME ?? join(homedir(), '.cache', 'kube-apiserver-1.20');
  return isExecutable(join(home, 'bin', 'kube-apiserver'));
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isCi(): boolean {
  const value = process.env.CI;
  return value !== undefined && value !== '' && value !== 'false' && value !== '0';
}

/**
 * The path of `apiserver.sh`: `KUBE_APISERVER_SCRIPT`, else the copy beside the
 * repository. Without either it returns undefined and warns (the caller skips
 * its suite), except under CI, where a missing server is an error: CI must
 * never pass by skipping the tests that need it.
 */
export function findApiServerScript(suite: string): string | undefined {
  const configured = process.env[SCRIPT_VARIABLE];
  if (configured !== undefined && configured !== '') {
    if (!isExecutable(configured)) {
      throw new Error(`${SCRIPT_VARIABLE}=${configured} is not an executable file`);
    }
    return configured;
  }
  const fallback = FALLBACK_SCRIPTS.find(isExecutable);
  if (fallback && apiServerBuilt()) return fallback;
  const reason = `no kube-apiserver: run .ci/k8s/apiserver.sh ensure (once, a few minutes) or set ${SCRIPT_VARIABLE}`;
  if (isCi()) throw new Error(`${suite}: ${reason}; CI must run these tests`);
  console.warn(`SKIPPED ${suite}: ${reason}`);
  return undefined;
}

/** Requests to the loopback server must not go through a proxy from the environment. */
function bypassProxyForLoopback(): void {
  for (const name of ['NO_PROXY', 'no_proxy'] as const) {
    const entries = (process.env[name] ?? '').split(',').filter((entry) => entry !== '');
    for (const host of ['127.0.0.1', 'localhost']) if (!entries.includes(host)) entries.push(host);
    process.env[name] = entries.join(',');
  }
}

function readEnvFile(path: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^(?:export\s+)?([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match?.[1] !== undefined && match[2] !== undefined) env[match[1]] = match[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return env;
}

function required(env: Record<string, string>, key: string, file: string): string {
  const value = env[key];
  if (value === undefined || value === '') throw new Error(`${file} does not define ${key}`);
  return value;
}

function kubeConfigFrom(file: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  return kc;
}

export interface RealApiServer {
  readonly stateDir: string;
  readonly url: string;
  /** `admin` (system:masters): may do everything. */
  admin(): KubeConfig;
  /** `tester` (group `testers`): no permissions until a test binds some. */
  tester(): KubeConfig;
  /** `admin`'s credentials sending `Impersonate-User: user`, so RBAC sees `user`. */
  impersonating(user: string): KubeConfig;
  stop(): Promise<void>;
}

/** Starts a fresh server (empty etcd) in a temporary state directory this process owns. */
export async function startApiServer(script: string): Promise<RealApiServer> {
  bypassProxyForLoopback();
  const stateDir = await mkdtemp(join(tmpdir(), 'kube-feedback-apiserver-'));
  try {
    await run(script, ['start', stateDir], { encoding: 'utf8', maxBuffer: 1 << 20 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    await run(script, ['stop', stateDir]).catch(() => undefined);
    throw new Error(`apiserver.sh start failed (logs kept in ${join(stateDir, 'logs')}): ${stderr.trim()}`, { cause: error });
  }
  const envFile = join(stateDir, 'env');
  const env = readEnvFile(envFile);
  const adminFile = required(env, 'KUBECONFIG', envFile);
  const testerFile = required(env, 'KAPI_TESTER_KUBECONFIG', envFile);
  let stopped = false;
  return {
    stateDir,
    url: required(env, 'KUBE_APISERVER_URL', envFile),
    admin: () => kubeConfigFrom(adminFile),
    tester: () => kubeConfigFrom(testerFile),
    impersonating(user) {
      const admin = kubeConfigFrom(adminFile);
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: admin.clusters,
        contexts: admin.contexts,
        currentContext: admin.currentContext,
        users: admin.users.map((entry) => ({ ...entry, impersonateUser: user })),
      });
      return kc;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await run(script, ['stop', stateDir]);
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/**
 * The documents a kustomization lists under `resources` (files and directories,
 * recursively). Only `resources` is understood: a kustomization with patches or
 * generators is refused rather than half-applied, since no kustomize binary is
 * assumed on the test machine.
 */
export function readKustomization(dir: string): KubernetesObject[] {
  const file = join(dir, 'kustomization.yaml');
  const kustomization = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const unsupported = Object.keys(kustomization).filter((key) => !['apiVersion', 'kind', 'resources'].includes(key));
  if (unsupported.length > 0) throw new Error(`${file}: unsupported keys ${unsupported.join(', ')}`);
  const resources = (kustomization.resources ?? []) as string[];
  return resources.flatMap((entry) => {
    const path = join(dir, entry);
    if (existsSync(path) && statSync(path).isDirectory()) return readKustomization(path);
    return readManifest(path);
  });
}

export function readManifest(path: string): KubernetesObject[] {
  return parseAllDocuments(readFileSync(path, 'utf8'))
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`${path}: ${document.errors[0]?.message}`);
      return document.toJS() as KubernetesObject | null;
    })
    .filter((object): object is KubernetesObject => object !== null);
}

/**
 * The client's typed model of a wire-shaped object. KubernetesObjectApi
 * serializes known kinds through their generated models, which silently drop
 * wire keys they spell differently (a CRD schema's `enum` and `default` become
 * `_enum` and `_default`): sent as parsed, a CRD would lose its enums.
 * `loadYaml` maps the wire keys onto the model (JSON is valid YAML).
 */
function toModel(object: KubernetesObject): KubernetesObject {
  return loadYaml<KubernetesObject>(JSON.stringify(object));
}

const isConflict = (error: unknown): boolean => error instanceof ApiException && error.code === 409;

/** Attempts at a replace whose resourceVersion a concurrent writer (a controller patching status) made stale. */
const REPLACE_ATTEMPTS = 5;

/**
 * Creates each object, or replaces it when it exists (like `kubectl apply`
 * without the merge). Objects are wire-shaped, as `readManifest` returns them.
 * A replace carries the resourceVersion just read; when the code under test
 * writes the object in between (the relay patching a CommitStatus's status),
 * the server answers 409 and the replace is tried again on a fresh read, as
 * `kubectl apply` retries its patch on a conflict.
 */
export async function applyObjects(kc: KubeConfig, objects: readonly KubernetesObject[]): Promise<KubernetesObject[]> {
  const client = KubernetesObjectApi.makeApiClient(kc);
  const applied: KubernetesObject[] = [];
  for (const wire of objects) {
    const object = toModel(wire);
    try {
      applied.push(await client.create(object));
    } catch (error) {
      if (!isConflict(error)) throw error;
      applied.push(await replaceCurrent(client, object));
    }
  }
  return applied;
}

async function replaceCurrent(client: KubernetesObjectApi, object: KubernetesObject): Promise<KubernetesObject> {
  const key = { apiVersion: object.apiVersion ?? '', kind: object.kind ?? '', metadata: { name: object.metadata?.name ?? '', namespace: object.metadata?.namespace } };
  for (let attempt = 1; ; attempt += 1) {
    const current = await client.read(key);
    try {
      return await client.replace({ ...object, metadata: { ...object.metadata, resourceVersion: current.metadata?.resourceVersion } });
    } catch (error) {
      if (!isConflict(error) || attempt === REPLACE_ATTEMPTS) throw error;
    }
  }
}

export interface PollOptions {
  attempts?: number;
  intervalMs?: number;
}

/** Polls until `check` returns true; throws naming `what` after the attempts run out. */
export async function pollUntil(what: string, check: () => Promise<boolean>, { attempts = 100, intervalMs = 100 }: PollOptions = {}): Promise<number> {
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    if (await check()) return attempt;
    await new Promise((done) => setTimeout(done, intervalMs));
  }
  throw new Error(`gave up waiting until ${what} after ${attempts} attempts`);
}

/** Waits until each CRD is Established and its resources are served (discovery can lag the condition). */
export async function waitForCrds(kc: KubeConfig, crds: readonly KubernetesObject[]): Promise<void> {
  const extensions = kc.makeApiClient(ApiextensionsV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  for (const crd of crds) {
    const name = crd.metadata?.name ?? '';
    const definition = await extensions.readCustomResourceDefinition({ name });
    const version = definition.spec.versions.find((entry) => entry.storage)?.name ?? '';
    await pollUntil(`CRD ${name} is Established and served`, async () => {
      const current = await extensions.readCustomResourceDefinition({ name });
      const established = current.status?.conditions?.some((condition) => condition.type === 'Established' && condition.status === 'True');
      if (!established) return false;
      return custom
        .listClusterCustomObject({ group: definition.spec.group, version, plural: definition.spec.names.plural })
        .then(() => true, () => false);
    });
  }
}

/**
 * Waits until the authorizer gives `kc`'s user the expected answer for the
 * request: the RBAC authorizer reads bindings from an informer, so a binding
 * just created takes a moment to count. SelfSubjectAccessReview is allowed for
 * every authenticated user.
 */
export async function waitForAccess(kc: KubeConfig, resourceAttributes: V1ResourceAttributes, allowed = true): Promise<void> {
  const authorization = kc.makeApiClient(AuthorizationV1Api);
  const what = `${resourceAttributes.verb} ${resourceAttributes.resource}${resourceAttributes.subresource ? `/${resourceAttributes.subresource}` : ''} is ${allowed ? 'allowed' : 'denied'}`;
  await pollUntil(what, async () => {
    const review = await authorization.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes } } });
    return review.status?.allowed === allowed;
  });
}
