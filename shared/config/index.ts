export { ConfigError } from "./errors";
export { loadConfig, parseConfig, parseConfigYaml, toConfigError } from "./load";
export { DEFAULT_CONFIG_YAML } from "./default";
export { ConfigLimit } from "./limits";
export { formatPath } from "./path";
export { compileSelector, parseLabelSelector, type RunMatcher, type Selectable } from "./label-selector";
export {
  ConfigSchema,
  type FeedbackConfig,
  type FeedbackConfigInput,
  KubernetesVia,
  type KubernetesConfig,
  type ProcessingConfig,
  type ReceiverEntry,
  type SelectorConfig,
  type WatchConfig,
} from "./schema";
