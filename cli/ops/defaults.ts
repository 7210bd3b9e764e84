// Environment defaults for every CLI command. cli/main.ts imports this module
// first: ES modules run their imports before their own body, and Powertools
// reads these variables when its instances are constructed, at import time.

// The CLI never runs on Lambda, so nothing would turn EMF lines into
// metrics; on stdout they would only bury the console receiver's output.
// Set POWERTOOLS_METRICS_DISABLED=false to see them.
process.env.POWERTOOLS_METRICS_DISABLED ??= "true";

// `local` prints the console receiver's lines; JSON logs below WARN would
// drown them. Powertools restores its construction-time level at every
// invocation, so the level is set here, before the logger exists.
if (process.argv[2] === "local") process.env.POWERTOOLS_LOG_LEVEL ??= "WARN";

export {};
