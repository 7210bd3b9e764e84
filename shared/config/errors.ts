/** Invalid configuration: names the key (as a path) and the reason. */
export class ConfigError extends Error {
  readonly path: string;
  readonly reason: string;
  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super(`invalid config: ${path ? `${path}: ` : ""}${reason}`, options);
    this.name = "ConfigError";
    this.path = path;
    this.reason = reason;
  }
}
