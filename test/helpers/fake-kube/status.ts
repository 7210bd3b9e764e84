import type { ResourceType } from './types.js';

/**
 * `metav1.Status` as the API server writes it for failures. Clients branch on
 * `code` and `reason`, so the fake uses the same pairs and, where code parses
 * text, the same wording as the apiserver's `k8s.io/apimachinery/pkg/api/errors`.
 */
export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string };
  code: number;
}

const REASON_BY_CODE: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export function reasonFor(code: number): string {
  return REASON_BY_CODE[code] ?? 'Unknown';
}

export function failureStatus(code: number, message: string, reason = reasonFor(code), details?: KubeStatus['details']): KubeStatus {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

/** Thrown inside the fake and turned into a `Status` response by the HTTP layer. */
export class KubeStatusError extends Error {
  public readonly status: KubeStatus;

  public constructor(status: KubeStatus) {
    super(status.message);
    this.name = 'KubeStatusError';
    this.status = status;
  }
}

/** `pipelineruns.tekton.dev` or plain `jobs`-style qualified resource, as in apiserver messages. */
export function qualifiedName(resource: ResourceType): string {
  return resource.group === '' ? resource.plural : `${resource.plural}.${resource.group}`;
}

function details(resource: ResourceType, name: string): KubeStatus['details'] {
  return { name, group: resource.group, kind: resource.plural };
}

export function notFound(resource: ResourceType, name: string): KubeStatusError {
  return new KubeStatusError(failureStatus(404, `${qualifiedName(resource)} "${name}" not found`, 'NotFound', details(resource, name)));
}

export function alreadyExists(resource: ResourceType, name: string): KubeStatusError {
  return new KubeStatusError(
    failureStatus(409, `${qualifiedName(resource)} "${name}" already exists`, 'AlreadyExists', details(resource, name)),
  );
}

export function conflict(resource: ResourceType, name: string): KubeStatusError {
  const message =
    `Operation cannot be fulfilled on ${qualifiedName(resource)} "${name}": ` +
    'the object has been modified; please apply your changes to the latest version and try again';
  return new KubeStatusError(failureStatus(409, message, 'Conflict', details(resource, name)));
}

export function badRequest(message: string): KubeStatusError {
  return new KubeStatusError(failureStatus(400, message));
}

export function invalid(resource: ResourceType, name: string, message: string): KubeStatusError {
  const text = `${qualifiedName(resource)} "${name}" is invalid: ${message}`;
  return new KubeStatusError(failureStatus(422, text, 'Invalid', details(resource, name)));
}

/** The body a real server sends for any path it has no handler for. */
export function unknownPath(): KubeStatusError {
  return new KubeStatusError(failureStatus(404, 'the server could not find the requested resource', 'NotFound', {}));
}

export function tooOldResourceVersion(requested: number, oldest: number): KubeStatus {
  return failureStatus(410, `too old resource version: ${requested} (${oldest})`, 'Expired');
}
