import { fileURLToPath } from "node:url";
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
describe("Bundle: what the relay's core loads", () => {
  it("finds the config schema where the program does load it", async () => {
    expect(await bundledFiles("relay/main.ts")).toContain("shared/config/schema.ts");
  });

  it.each(["relay/relay.ts", "shared/envelope/index.ts"])("%s does not bundle the config schema", async (entry) => {
    const files = await bundledFiles(entry);
    expect(files).toContain(entry);
    expect(files.filter((file) => file.startsWith("shared/config/"))).toEqual(["shared/config/path.ts"]);
  });
});
