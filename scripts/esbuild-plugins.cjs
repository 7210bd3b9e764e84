// esbuild plugins of every bundle: scripts/build.mjs, the benchmarks' bundles
// and serverless-esbuild (`custom.esbuild.plugins` in serverless.yml, which
// `require`s this file and wants the array).
const { join } = require('node:path');

/**
 * zod re-exports every one of its ~50 locales as `z.locales` (and
 * `z.core.locales`); code that uses `z` as a namespace keeps them all in a
 * bundle, where they are more than half of zod's weight and nothing reads
 * them: our messages are English, and zod registers English itself
 * (v4/classic/schemas.js imports locales/en.js directly). The namespace is
 * replaced by one holding English only.
 */
const englishOnlyZod = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/.test(args.importer) ? { path: join(__dirname, 'zod-locales.mjs') } : undefined,
    );
  },
};

module.exports = [englishOnlyZod];
