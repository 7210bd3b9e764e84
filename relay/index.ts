/** The relay's public face: what the CLI, the local stack and tests use. */
export { Backoff, Delay, type BackoffOptions } from "./backoff";
export { EnvelopeBuffer, type BufferHooks, type BufferOptions } from "./buffer";
export { ElectedRelay, type ElectedRelayOptions } from "./elected";
export * from "./errors";
export * from "./known";
export { HealthServer, type HealthServerOptions, type HealthStatus } from "./health";
export { LeaderElector, LeaderEvent, type LeaderElectorOptions, type LeaderEvents } from "./leader/elector";
export { LeaseLock, type LeaseRecord } from "./leader/lease";
export { RelayMetrics, type RelayMetricsOptions } from "./metrics";
export { Relay, type RelayOptions, type StopOptions } from "./relay";
export { runRelay, type RunRelayOptions } from "./run";
export { relaySettingsFromEnv, type KnownObjectsSettings, type LeaderElectionSettings, type RelaySettings } from "./settings";
export * from "./sinks";
export { describeTarget, targetKey, targetPath, watchTargets, type WatchTarget } from "./target";
export { Watcher, WatcherEvent, type WatchConsumer, type WatcherEvents, type WatcherOptions } from "./watcher";
export * from "./writeback";
