/**
 * Imported first by the benchmark and chaos entry points, before anything
 * creates the logger or the metrics: they print one table, not a log line
 * per event or an EMF blob per invocation.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= "CRITICAL";
process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

export {};
