/**
 * esbuild bundles for the benchmarks, built the way scripts/build.mjs builds
 * the shipped ones. They go under node_modules/.cache so that what they
 * leave external (the AWS SDK, which Lambda provides) still resolves from
 * this package's node_modules, as it does from the Lambda runtime.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const OUT_DIR = join(ROOT, "node_modules", ".cache", "kube-feedback-bench");

// ESM bundles have no `require`; client-node and gitbeaker call it at run time (see scripts/build.mjs).
const REQUIRE_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

export interface BundleOptions {
  /** Packages left out, as on Lambda (`@aws-sdk/*`). */
  external?: string[];
}

/** Bundles `entry` (relative to the package root) minified into `out` under the cache; returns the file's path. */
export const bundle = async (entry: string, out: string, options: BundleOptions = {}): Promise<string> => {
  const outfile = join(OUT_DIR, out);
  await build({
    absWorkingDir: ROOT,
    entryPoints: [join(ROOT, entry)],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    minify: true,
    logLevel: "error",
    external: options.external ?? [],
    banner: { js: REQUIRE_BANNER },
  });
  return outfile;
};

/** An ES module with nothing in it, the baseline of an import. */
export const emptyModule = (): string => {
  const file = join(OUT_DIR, "empty.mjs");
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, "export {};\n");
  return file;
};
