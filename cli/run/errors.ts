/** A flag or the environment `kube-feedback run` cannot start with: names the flag and the reason (exit 2 at start). */
export class RunSetupError extends Error {
  readonly flag: string;
  constructor(flag: string, reason: string, options?: { cause?: unknown }) {
    super(`${flag}: ${reason}`, options);
    this.name = "RunSetupError";
    this.flag = flag;
  }
}
