// Bundles every entry point into dist/ with esbuild. Runs from `prepare` (so on
// every `npm ci`) and before `npm start`: it has to stay fast, so all bundles
// build in parallel and there is no type checking here (that is `tsc`).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import plugins from './esbuild-plugins.cjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

// ESM bundles have no `require`, yet client-node and gitbeaker call it at run
// time; esbuild's shim would throw "Dynamic require is not supported".
const requireBanner =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

const common = {
  absWorkingDir: root,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'error',
  plugins,
};

function lambdaEntries() {
  const dir = join(root, 'functions');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'handler.ts')))
    .map((d) => ({
      entry: `functions/${d.name}/handler.ts`,
      out: `functions/${d.name}/handler.mjs`,
      options: {
        minify: true,
        // The Lambda runtime ships the v3 SDK; bundling it would only add weight.
        external: ['@aws-sdk/*'],
        banner: { js: requireBanner },
        // What is imported with `import()` (client-node, the SSM and Secrets
        // Manager clients, receivers' client libraries) becomes a chunk of its
        // own, read on first use instead of at every cold start.
        splitting: true,
      },
    }));
}

const entries = [
  ...lambdaEntries(),
  {
    entry: 'relay/main.ts',
    out: 'relay.mjs',
    // The relay runs in a container with no node_modules and a tight memory
    // budget: a minified, self-contained bundle starts far smaller than the
    // unbundled client-node import.
    options: { minify: true, banner: { js: requireBanner } },
  },
  {
    entry: 'cli/main.ts',
    out: 'cli.mjs',
    // The CLI always runs from an installed package, and the emulators it
    // starts (dynalite's storage, fauxqs) load native or data files at run
    // time, so they must stay resolvable from node_modules.
    options: { packages: 'external' },
  },
  {
    entry: 'shared/index.ts',
    out: 'index.mjs',
    // The package API: consumers resolve our dependencies from their own
    // node_modules; inlining them would ship a second copy of each beside
    // theirs (and break `instanceof` across the two).
    options: { packages: 'external' },
  },
];

function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / (1024 * 1024)).toFixed(2)} MB`;
}

const present = entries.filter((e) => existsSync(join(root, e.entry)));
const skipped = entries.filter((e) => !existsSync(join(root, e.entry)));

const started = performance.now();
const results = await Promise.allSettled(
  present.map(async (e) => {
    const outfile = join(dist, e.out);
    // A split bundle is a directory: the entry under its own name, chunks beside it.
    const output = e.options.splitting
      ? { outdir: dirname(outfile), entryNames: '[name]', chunkNames: 'chunks/[name]-[hash]', outExtension: { '.js': '.mjs' } }
      : { outfile };
    await build({ ...common, ...e.options, entryPoints: [join(root, e.entry)], ...output });
    return { ...e, size: statSync(outfile).size };
  }),
);

let failed = 0;
for (const [i, r] of results.entries()) {
  const e = present[i];
  if (r.status === 'fulfilled') {
    console.log(`built   ${e.entry} -> ${relative(root, join(dist, e.out))} (${formatSize(r.value.size)})`);
  } else {
    failed += 1;
    // esbuild already printed the located diagnostics; this names the entry.
    console.error(`FAILED  ${e.entry}: ${r.reason?.message?.split('\n')[0] ?? r.reason}`);
  }
}
for (const e of skipped) console.log(`skipped ${e.entry} (not present yet)`);
console.log(
  `${present.length - failed} of ${present.length} bundles built in ${Math.round(performance.now() - started)} ms`,
);

if (failed > 0) process.exit(1);
