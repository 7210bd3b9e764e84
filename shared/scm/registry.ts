/**
 * The SCMs the product speaks to: one line per provider folder. The `scm`
 * receiver's options, a GitRepo's provider block, target resolution and the
 * CommitStatus `status.provider` all come from these descriptors.
 */
import { azureDevOps } from "./azure-devops";
import { bitbucketCloud } from "./bitbucket-cloud";
import { bitbucketServer } from "./bitbucket-server";
import type { ScmDescriptor } from "./descriptor";
import { UnsupportedProviderError } from "./errors";
import { gitea } from "./gitea";
import { github } from "./github";
import { gitlab } from "./gitlab";
import type { CommitStatusProvider } from "./types";

const byName = new Map<string, ScmDescriptor>();
const descriptors: ScmDescriptor[] = [];

/** Makes an SCM available under its type and aliases; a name taken twice is a programming error. */
// Any descriptor: each one's options and GitRepo block types are its own business.
export const registerScm = (descriptor: ScmDescriptor<any, any, any>): void => {
  const scm = descriptor as ScmDescriptor;
  const names = [scm.type, ...scm.aliases];
  const taken = names.find((name) => byName.has(name));
  if (taken) throw new Error(`SCM name "${taken}" is already registered`);
  for (const name of names) byName.set(name, scm);
  descriptors.push(scm);
};

registerScm(github);
registerScm(gitlab);
registerScm(bitbucketCloud);
registerScm(bitbucketServer);
registerScm(gitea);
registerScm(azureDevOps);

/** The SCM a type name or alias means; undefined for an unknown name. Own entries only. */
export const scmFor = (name: string): ScmDescriptor | undefined => byName.get(name);

/** Every registered SCM, in registration order. */
export const registeredScms = (): readonly ScmDescriptor[] => descriptors;

/** Every name `provider` accepts: types, then aliases. */
export const scmNames = (): string[] => [...descriptors.map((d) => d.type), ...descriptors.flatMap((d) => d.aliases)];

/** The SCM of a name, or `provider "x" not supported` listing the known ones. */
export const requireScm = (name: string): ScmDescriptor => {
  const scm = scmFor(name);
  if (!scm) throw new UnsupportedProviderError(name, scmNames());
  return scm;
};

/**
 * Builds the provider for a type or alias; an unknown type is an error, never
 * a silent default, and bad options fail here with the option named.
 */
export const createCommitStatusProvider = async (type: string, options: unknown): Promise<CommitStatusProvider> => (await requireScm(type).connect(options)).status;
