/** The process or resync function cannot reach the Kubernetes API it was configured for. */
export class KubeAccessError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "KubeAccessError";
  }
}
