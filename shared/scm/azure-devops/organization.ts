/**
 * An Azure DevOps organization, and which run URLs are its own. Services
 * serves every organization under one host, `https://dev.azure.com/{org}`,
 * still answers on the older `https://{org}.visualstudio.com`, and clones
 * over ssh from `ssh.dev.azure.com:v3/{org}/{project}/{repo}` (the older
 * host's `vs-ssh.visualstudio.com:v3/…`); Azure DevOps Server puts a
 * collection under its own host, `https://tfs.example.com/tfs/DefaultCollection`
 * (https://learn.microsoft.com/azure/devops/extend/develop/work-with-urls).
 * So the host alone cannot say whether a run is a receiver's: on Services
 * the organization decides, whichever of its hosts the URL names; on a
 * Server, the host and the collection.
 */
import { canonicalHost } from "../../pipeline/git";

const SERVICES_HOST = "dev.azure.com";
const SERVICES_SSH_HOSTS = ["ssh.dev.azure.com", "vs-ssh.visualstudio.com"];
const LEGACY_HOST = /^([a-z0-9][a-z0-9-]*)\.visualstudio\.com$/;

export interface Organization {
  /** The host its API answers on: dev.azure.com for Services, the server's (with its port) otherwise. */
  readonly host: string;
  /** Services: the organization's name in lower case (Azure DevOps compares names without case). */
  readonly name?: string;
  /** Server: the collection's path segments in lower case (`tfs`, `defaultcollection`). */
  readonly collection: readonly string[];
  /** `dev.azure.com/acme`, `tfs.example.com/tfs/DefaultCollection`: how messages and labels name it. */
  readonly label: string;
}

/** A run's repository location as the git context gives it (parseRepoUrl: `owner` is the path before the name). */
export interface RunLocation {
  readonly host: string;
  readonly owner?: string;
}

const segmentsOf = (path: string): string[] => path.split("/").filter((segment) => segment !== "");

/** The organization an `organizationUrl` names, or the reason it names none. */
export const organizationOf = (organizationUrl: string): Organization | string => {
  const url = new URL(organizationUrl);
  const host = canonicalHost(url.host);
  const path = segmentsOf(decodeURIComponent(url.pathname));
  if (host === SERVICES_HOST) {
    if (path.length !== 1) return "must be the organization's URL, https://dev.azure.com/{organization}, without a project";
    return { host, name: path[0]!.toLowerCase(), collection: [], label: `${host}/${path[0]}` };
  }
  const legacy = LEGACY_HOST.exec(host);
  if (legacy) {
    if (path.length !== 0) return "must be the organization's URL, https://{organization}.visualstudio.com, without a path";
    return { host, name: legacy[1]!, collection: [], label: host };
  }
  if (path.length === 0) return "must name the collection on an Azure DevOps Server, e.g. https://tfs.example.com/tfs/DefaultCollection";
  return { host, collection: path.map((segment) => segment.toLowerCase()), label: `${host}/${path.join("/")}` };
};

/** Like organizationOf, for options already validated. */
export const requireOrganization = (organizationUrl: string): Organization => {
  const organization = organizationOf(organizationUrl);
  if (typeof organization === "string") throw new Error(`organizationUrl ${organization}`);
  return organization;
};

/**
 * The path after the organization: `{project}/_git` on https, `{project}` on
 * ssh, with the organization (or collection) prefix checked and removed.
 * Services' https URLs may still carry `DefaultCollection` on the old host.
 */
const projectPath = (organization: Organization, location: RunLocation): string[] | string => {
  const host = canonicalHost(location.host);
  const owner = segmentsOf(location.owner ?? "");
  const lower = owner.map((segment) => segment.toLowerCase());
  if (organization.name === undefined) {
    if (host !== organization.host) return `the run's repository host ${location.host} is not this receiver's ${organization.host}`;
    const prefix = organization.collection;
    if (!prefix.every((segment, index) => lower[index] === segment)) {
      return `the run's repository is not in this receiver's collection ${organization.label}`;
    }
    return owner.slice(prefix.length);
  }
  let org: string | undefined;
  let rest: string[];
  if (host === SERVICES_HOST) [org, rest] = [lower[0], owner.slice(1)];
  else if (SERVICES_SSH_HOSTS.includes(host) && lower[0] === "v3") [org, rest] = [lower[1], owner.slice(2)];
  else if (LEGACY_HOST.test(host)) [org, rest] = [LEGACY_HOST.exec(host)![1], lower[0] === "defaultcollection" ? owner.slice(1) : owner];
  else return `the run's repository host ${location.host} is not Azure DevOps Services (this receiver's ${organization.label})`;
  if (org !== organization.name) return `the run's repository is in Azure DevOps organization ${org ?? "(none)"}, this receiver posts to ${organization.name}`;
  return rest;
};

/** Why a run's repository is not this organization's, or undefined when it is. */
export const notInOrganization = (organization: Organization, location: RunLocation): string | undefined => {
  const path = projectPath(organization, location);
  if (typeof path === "string") return path;
  const project = path.at(-1) === "_git" ? path.slice(0, -1) : path;
  // `…/_git/{repo}` without a project is the project's default repository, addressed by its project's name:
  // the git context gives no way to tell it from a project on the old host, so it is not guessed at.
  if (project.length !== 1) return "the run's repository URL does not name one project ({organization}/{project}/_git/{repository})";
  return undefined;
};

/**
 * The project of a run's `owner` path: the last segment before `_git` (https)
 * or before the repository (ssh), whichever host or collection came first.
 * A fixed `repo: project/repository` option gives the project itself.
 */
export const projectOf = (owner: string): string => {
  const segments = segmentsOf(owner);
  if (segments.at(-1) === "_git") segments.pop();
  return segments.at(-1) ?? "";
};
