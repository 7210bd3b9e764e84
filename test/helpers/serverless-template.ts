/**
 * The stack as `osls package` renders it, and what the template tests read
 * in it: resources by type and reference, IAM statements and the wildcard
 * rules they are held to.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

export type Json = Record<string, unknown>;
export type Resource = { Type: string; Properties?: Json; DependsOn?: string | string[] };
export type Template = { Resources: Record<string, Resource>; Outputs?: Record<string, Json> };
export type Statement = {
  Effect?: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
};

export const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** The logical id behind `{ "Fn::GetAtt": [id, attr] }` or `{ Ref: id }`, if that is what `value` is. */
export function referencedId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const getAtt = (value as Json)['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  const ref = (value as Json).Ref;
  return typeof ref === 'string' ? ref : undefined;
}

export function resourcesOfType(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

export function resource(template: Template, id: string | undefined): Resource {
  const found = id === undefined ? undefined : template.Resources[id];
  if (!found) throw new Error(`no resource ${String(id)} in the template`);
  return found;
}

/** The one resource of `type` that `matches`; throws when there is none or more than one. */
export function onlyOne(template: Template, type: string, matches: (r: Resource) => boolean): [string, Resource] {
  const found = resourcesOfType(template, type).filter(([, r]) => matches(r));
  if (found.length !== 1) throw new Error(`${found.length} resources of type ${type} match, expected one`);
  return found[0]!;
}

/** The queue with a redrive policy whose name ends in `suffix`. */
export const queueNamed = (template: Template, suffix: string): [string, Resource] =>
  onlyOne(template, 'AWS::SQS::Queue', (r) => r.Properties?.RedrivePolicy !== undefined && String(r.Properties?.QueueName).endsWith(suffix));

/** Every IAM statement in the template, named by where it sits. */
export function iamStatements(template: Template): { where: string; statement: Statement }[] {
  const found: { where: string; statement: Statement }[] = [];
  for (const [id, r] of Object.entries(template.Resources)) {
    const props = r.Properties ?? {};
    if (r.Type === 'AWS::IAM::Role') {
      for (const policy of asArray(props.Policies as Json[] | undefined)) {
        const doc = policy.PolicyDocument as Json | undefined;
        for (const statement of asArray(doc?.Statement as Statement | Statement[] | undefined)) {
          found.push({ where: `${id}/${String(policy.PolicyName)}`, statement });
        }
      }
    }
    if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') {
      const doc = props.PolicyDocument as Json | undefined;
      for (const statement of asArray(doc?.Statement as Statement | Statement[] | undefined)) {
        found.push({ where: id, statement });
      }
    }
  }
  return found;
}

/** The first function whose handler starts with `prefix` (`functions/resync/`), if any. */
export const functionByHandler = (template: Template, prefix: string): [string, Resource] | undefined =>
  resourcesOfType(template, 'AWS::Lambda::Function').find(([, r]) => String(r.Properties?.Handler ?? '').startsWith(prefix));

/** The SQS event source mappings that invoke the function `functionId`. */
export const eventSourceMappings = (template: Template, functionId: string): [string, Resource][] =>
  resourcesOfType(template, 'AWS::Lambda::EventSourceMapping').filter(([, r]) => referencedId(r.Properties?.FunctionName) === functionId);

/**
 * What the policies of role `roleId` allow, as resource (its logical id, else
 * the resource as JSON) → sorted actions. Statements of `logs:` actions only
 * (the framework's own log-group grants) are left out, and so are those whose
 * actions `leaveOut` matches.
 */
export function grantsOfRole(template: Template, roleId: string | undefined, leaveOut: (actions: string[]) => boolean = () => false): Record<string, string[]> {
  const granted: Record<string, string[]> = {};
  for (const { where, statement } of iamStatements(template)) {
    if (!where.startsWith(`${roleId}/`) || statement.Effect !== 'Allow') continue;
    const actions = asArray(statement.Action);
    if (actions.every((a) => a.startsWith('logs:'))) continue;
    if (leaveOut(actions)) continue;
    for (const res of asArray(statement.Resource)) {
      const id = referencedId(res) ?? JSON.stringify(res);
      granted[id] = [...(granted[id] ?? []), ...actions].sort();
    }
  }
  return granted;
}

// The only ARN strings we accept are the framework's own log-group grants, which
// it writes as Fn::Sub strings scoped to this service's /aws/lambda/ groups.
const frameworkLogGroupArn =
  /^arn:\$\{AWS::Partition\}:logs:\$\{AWS::Region\}:\$\{AWS::AccountId\}:log-group:\/aws\/lambda\/[^*]+/;

export function wildcardProblems(where: string, statement: Statement): string[] {
  const problems: string[] = [];
  // NotResource / NotAction grant everything but a list: a wildcard in disguise.
  if (statement.NotResource !== undefined) problems.push(`${where}: uses NotResource`);
  if (statement.NotAction !== undefined) problems.push(`${where}: uses NotAction`);
  const actions = asArray(statement.Action);
  if (actions.some((a) => a === '*' || a.endsWith(':*'))) problems.push(`${where}: wildcard action ${actions.join(',')}`);
  const onlyLogs = actions.length > 0 && actions.every((a) => a.startsWith('logs:'));
  const resources = asArray(statement.Resource);
  if (resources.length === 0) problems.push(`${where}: no Resource`);
  for (const res of resources) {
    if (referencedId(res) !== undefined) continue;
    const sub = typeof res === 'object' && res !== null ? (res as Json)['Fn::Sub'] : undefined;
    if (onlyLogs && typeof sub === 'string' && frameworkLogGroupArn.test(sub)) continue;
    if (typeof sub === 'string' && secretUnderPrefix(actions, sub, statement)) continue;
    problems.push(`${where}: resource ${JSON.stringify(res)} is not a reference to a resource of this stack`);
  }
  return problems;
}

// Secrets are read by reference from under one configured path prefix (the
// secretsPrefix parameter, "kube-feedback" by default): the ARN names that
// prefix, and KMS decryption only happens through SSM.
export const secretArn: Record<string, RegExp> = {
  'ssm:GetParameter': /^arn:\$\{AWS::Partition\}:ssm:\$\{AWS::Region\}:\$\{AWS::AccountId\}:parameter\/kube-feedback\/\*$/,
  'secretsmanager:GetSecretValue': /^arn:\$\{AWS::Partition\}:secretsmanager:\$\{AWS::Region\}:\$\{AWS::AccountId\}:secret:kube-feedback\/\*$/,
  'kms:Decrypt': /^arn:\$\{AWS::Partition\}:kms:\$\{AWS::Region\}:\$\{AWS::AccountId\}:key\/\*$/,
};

function secretUnderPrefix(actions: string[], sub: string, statement: Statement): boolean {
  if (actions.length !== 1 || !secretArn[actions[0]!]?.test(sub)) return false;
  if (actions[0] !== 'kms:Decrypt') return true;
  const condition = (statement as Json).Condition as Json | undefined;
  const via = (condition?.StringEquals as Json | undefined)?.['kms:ViaService'] as Json | undefined;
  return typeof via?.['Fn::Sub'] === 'string' && /^ssm\./.test(via['Fn::Sub'] as string);
}

/**
 * Runs `osls package` into a temporary directory and reads the CloudFormation
 * template it wrote; `remove` deletes the directory.
 */
export async function packageTemplate(): Promise<{ template: Template; remove: () => Promise<void> }> {
  // A temporary --package directory keeps .serverless/ out of the work tree.
  const packageDir = await mkdtemp(join(tmpdir(), 'kube-feedback-package-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // osls 4 (unlike Serverless Framework v4) has no login, dashboard,
    // telemetry or update check, and `package` makes no AWS call: it runs
    // with no network at all. These two keep it quiet should a build of the
    // framework that still knows them be picked up.
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
  };
  // No credentials and no profile: packaging must not depend on an account,
  // and an SSO profile would otherwise be able to start a device login.
  for (const name of [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_PROFILE',
    'AWS_DEFAULT_PROFILE',
  ]) {
    delete env[name];
  }

  const osls = join(root, 'node_modules', '.bin', 'osls');
  try {
    await run(osls, ['package', '--package', packageDir], {
      cwd: root,
      env,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`osls package failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
  const template = JSON.parse(await readFile(join(packageDir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
  return { template, remove: () => rm(packageDir, { recursive: true, force: true }) };
}
