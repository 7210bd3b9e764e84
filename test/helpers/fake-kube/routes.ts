import type { ObjectStore } from './store.js';
import type { ResourceType, Verb } from './types.js';

/** Where a request path leads, or undefined for paths a real server answers with 404. */
export type Route =
  | { readonly kind: 'discovery'; readonly group: string; readonly version: string }
  | { readonly kind: 'collection'; readonly resource: ResourceType; readonly namespace: string | undefined }
  | {
      readonly kind: 'object';
      readonly resource: ResourceType;
      readonly namespace: string;
      readonly name: string;
      readonly subresource: 'status' | undefined;
    };

const SUBRESOURCES = new Set(['status']);

/**
 * Parses `/api/v1/...` and `/apis/{group}/{version}/...` paths, with or
 * without `namespaces/{ns}/`. Namespaced kinds are listed across namespaces
 * without the prefix but can only be addressed one by one with it.
 */
export function parseRoute(pathname: string, store: ObjectStore): Route | undefined {
  const segments = pathname.split('/').filter((segment) => segment !== '').map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api' && segments.length >= 2) {
    [group, version, rest] = ['', segments[1] ?? '', segments.slice(2)];
  } else if (segments[0] === 'apis' && segments.length >= 3) {
    [group, version, rest] = [segments[1] ?? '', segments[2] ?? '', segments.slice(3)];
  } else {
    return undefined;
  }
  if (rest.length === 0) {
    const served = store.resources.some((resource) => resource.group === group && resource.version === version);
    return served ? { kind: 'discovery', group, version } : undefined;
  }

  const namespaced = rest[0] === 'namespaces' && rest.length >= 3;
  const namespace = namespaced ? rest[1] : undefined;
  const [plural = '', name, subresource, ...extra] = namespaced ? rest.slice(2) : rest;
  const resource = store.find(group, version, plural);
  if (!resource || extra.length > 0) return undefined;
  if ((resource.namespaced ?? true) !== namespaced && name !== undefined) return undefined;
  if (resource.namespaced === false && namespaced) return undefined;
  if (name === undefined) return { kind: 'collection', resource, namespace };
  if (subresource !== undefined && !SUBRESOURCES.has(subresource)) return undefined;
  return { kind: 'object', resource, namespace: namespace ?? '', name, subresource: subresource as 'status' | undefined };
}

/** Maps method and route to an authorization verb, the unit tests count and inject failures by. */
export function verbOf(method: string, route: Route | undefined, watch: boolean): Verb | undefined {
  if (!route || route.kind === 'discovery') return method === 'GET' && route ? 'get' : undefined;
  if (route.kind === 'collection') {
    if (method === 'GET') return watch ? 'watch' : 'list';
    if (method === 'POST') return 'create';
    if (method === 'DELETE') return 'deletecollection';
    return undefined;
  }
  const verbs: Readonly<Record<string, Verb>> = { GET: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };
  return verbs[method];
}

/**
 * The APIResourceList a server publishes per group version; the client's
 * `KubernetesObjectApi` reads it to find a kind's plural and scope.
 */
export function discoveryDocument(store: ObjectStore, group: string, version: string): Record<string, unknown> {
  const resources = store.resources
    .filter((resource) => resource.group === group && resource.version === version)
    .flatMap((resource) => {
      const namespaced = resource.namespaced ?? true;
      return [
        {
          name: resource.plural,
          singularName: resource.kind.toLowerCase(),
          namespaced,
          kind: resource.kind,
          verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
        },
        { name: `${resource.plural}/status`, singularName: '', namespaced, kind: resource.kind, verbs: ['get', 'patch', 'update'] },
      ];
    });
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group === '' ? version : `${group}/${version}`, resources };
}
