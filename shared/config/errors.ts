import { Disposition, FeedbackError } from "../errors";

/** Invalid configuration: names the key (as a path) and the reason. Not retried: the config has to change. */
export class ConfigError extends FeedbackError {
  readonly path: string;
  readonly reason: string;
  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super(`invalid config: ${path ? `${path}: ` : ""}${reason}`, { ...options, disposition: Disposition.InvalidInput });
    this.name = "ConfigError";
    this.path = path;
    this.reason = reason;
  }
}
