import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import plugins from "../../../scripts/esbuild-plugins.cjs";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** The source files esbuild puts in a bundle of `entry`, as the benchmarks and scripts/build.mjs bundle. */
const bundledFiles = async (entry: string): Promise<string[]> => {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "node",
    write: false,
    metafile: true,
    logLevel: "silent",
    external: ["classic-level"],
    plugins,
  });
  return Object.keys(result.metafile.inputs);
};

/**
 * The config schema (zod schemas of every receiver, the secrets readers, the
 * YAML parser) costs megabytes of RSS in a process that loads it. The relay's
 * own program reads feedback.yaml at start (relay/main.ts) and needs it; what
 * relays events (the Relay class, envelopes, the known-object set, the
 * write-back of operations) does not, so embedding it or the envelopes alone
 * does not pull it in.
 */
/**
 * Runs a bundle of `source` (an entry in the repository's root) and returns
 * what it printed. Built as the benchmarks and scripts/build.mjs build, with
 * their `require` banner, into node_modules/.cache so that what stays
 * external resolves.
 */
const runBundle = async (source: string): Promise<string> => {
  // A fresh `npm ci` has no node_modules/.cache yet.
  await mkdir(join(ROOT, "node_modules", ".cache"), { recursive: true });
  const dir = await mkdtemp(join(ROOT, "node_modules", ".cache", "core-bundle-"));
  try {
    const result = await build({
      absWorkingDir: ROOT,
      stdin: { contents: source, resolveDir: ROOT, loader: "ts" },
      bundle: true,
      format: "esm",
      platform: "node",
      write: false,
      logLevel: "silent",
      external: ["classic-level"],
      banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
      plugins,
    });
    const file = join(dir, "entry.mjs");
    await writeFile(file, result.outputFiles[0]!.text);
    const { stdout } = await promisify(execFile)(process.execPath, [file]);
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

/** An entry that loads `imports`, uses `names` (so they are not shaken out), runs `then` and prints whether zod was evaluated. */
const zodEvaluated = (imports: string, names: string, then = ""): string => `${imports}
(globalThis as Record<string, unknown>).kept = [${names}];
${then}
// zod's registries module sets this when it is evaluated, whichever of its schemas are used.
process.stdout.write(JSON.stringify("__zod_globalRegistry" in globalThis));`;

describe("Bundle: what the relay's core loads", () => {
  it("finds the config schema where the program does load it", async () => {
    expect(await bundledFiles("relay/main.ts")).toContain("shared/config/schema.ts");
  });

  it.each(["relay/relay.ts", "shared/envelope/index.ts"])("%s does not bundle the config schema", async (entry) => {
    const files = await bundledFiles(entry);
    expect(files).toContain(entry);
    expect(files.filter((file) => file.startsWith("shared/config/"))).toEqual(["shared/config/path.ts"]);
  });

  /**
   * zod costs megabytes of RSS at start (issue #14's memory goal): the relay
   * makes envelopes and never parses them, and parses operations only with
   * write-back, which it loads when asked for.
   */
  it("the relay's event path does not evaluate zod", async () => {
    const source = zodEvaluated(
      `import { Relay } from "./relay/relay";\nimport { fitEnvelope, makeEnvelope, slimObject } from "./shared/envelope";`,
      "Relay, fitEnvelope, makeEnvelope, slimObject",
    );
    expect(JSON.parse(await runBundle(source))).toBe(false);
  });

  it("evaluates zod where envelopes are parsed", async () => {
    const source = zodEvaluated(`import { parseEnvelope } from "./shared/envelope";`, "parseEnvelope");
    expect(JSON.parse(await runBundle(source))).toBe(true);
  });

  it("evaluates zod once the write-back consumer is loaded", async () => {
    const source = zodEvaluated(`import { Relay } from "./relay/relay";`, "Relay", `await import("./relay/writeback/consumer");`);
    expect(JSON.parse(await runBundle(source))).toBe(true);
  });
});
