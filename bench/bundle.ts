/**
 * esbuild bundles for the benchmarks, built the way scripts/build.mjs builds
 * the shipped ones. They go under node_modules/.cache so that what they
 * leave external (the AWS SDK, which Lambda provides) still resolves from
 * this package's node_modules, as it does from the Lambda runtime.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build, type BuildOptions, type Metafile } from "esbuild";
import plugins from "../scripts/esbuild-plugins.cjs";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const OUT_DIR = join(ROOT, "node_modules", ".cache", "kube-feedback-bench");

// ESM bundles have no `require`; client-node and gitbeaker call it at run time (see scripts/build.mjs).
const REQUIRE_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

export interface BundleOptions {
  /** Packages left out, as on Lambda (`@aws-sdk/*`). */
  external?: string[];
}

/** The options every benchmark bundle is built with, as scripts/build.mjs builds the shipped ones. */
const common = (entry: string, options: BundleOptions): BuildOptions => ({
  absWorkingDir: ROOT,
  entryPoints: [join(ROOT, entry)],
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  minify: true,
  logLevel: "error",
  // classic-level (the local state directory's lock) finds its native addon
  // from __dirname, which an ES module bundle has not: it stays a package,
  // resolved from node_modules like the AWS SDK.
  external: [...(options.external ?? []), "classic-level"],
  banner: { js: REQUIRE_BANNER },
  plugins,
});

/** Bundles `entry` (relative to the package root) minified into `out` under the cache; returns the file's path. */
export const bundle = async (entry: string, out: string, options: BundleOptions = {}): Promise<string> => {
  const outfile = join(OUT_DIR, out);
  await build({ ...common(entry, options), outfile });
  return outfile;
};

export interface SplitBundle {
  /** The entry module. */
  readonly file: string;
  /** What an import reads before it returns: the entry and the chunks it imports statically. */
  readonly startBytes: number;
  /** The same, gzipped. */
  readonly startGzippedBytes: number;
  /** Everything, the chunks loaded on first use (`import()`) included. */
  readonly totalBytes: number;
}

/** Statically reachable outputs from `entry`: what Node reads at import. */
const startOutputs = (metafile: Metafile, entry: string): string[] => {
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const i of metafile.outputs[path]?.imports ?? []) if (i.kind === "import-statement" && !i.external) visit(i.path);
  };
  visit(entry);
  return [...seen];
};

/** Bundles `entry` split as the functions ship (scripts/build.mjs): chunks for what is imported with `import()`. */
export const splitBundle = async (entry: string, out: string, options: BundleOptions = {}): Promise<SplitBundle> => {
  const outdir = join(OUT_DIR, out);
  const result = await build({
    ...common(entry, options),
    outdir,
    entryNames: "[name]",
    chunkNames: "chunks/[name]-[hash]",
    outExtension: { ".js": ".mjs" },
    splitting: true,
    metafile: true,
  });
  // Asked for above; esbuild's types lose that through the spread options.
  const metafile = result.metafile!;
  const outputs = metafile.outputs;
  const entryOutput = Object.keys(outputs).find((path) => outputs[path]!.entryPoint !== undefined)!;
  const code = (paths: string[]) => paths.filter((p) => p.endsWith(".mjs"));
  const bytes = (paths: string[]) => code(paths).reduce((sum, p) => sum + outputs[p]!.bytes, 0);
  const atStart = startOutputs(metafile, entryOutput);
  const startGzippedBytes = code(atStart).reduce((sum, p) => sum + gzipSync(readFileSync(join(ROOT, p)), { level: 9 }).length, 0);
  return { file: join(ROOT, entryOutput), startBytes: bytes(atStart), startGzippedBytes, totalBytes: bytes(Object.keys(outputs)) };
};

/** An ES module with nothing in it, the baseline of an import. */
export const emptyModule = (): string => {
  const file = join(OUT_DIR, "empty.mjs");
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, "export {};\n");
  return file;
};
