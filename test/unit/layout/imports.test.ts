import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * DESIGN.md §7: `shared/` is the core and `functions/` wires it into
 * Lambda; `relay/` is the in-cluster program built on top of the core.
 * What both sides need (slimming, size fit, the SQS limits, batching) lives
 * in `shared/envelope/`, so nothing below the relay ever imports it.
 */
const ROOT = resolve(fileURLToPath(new URL("../../../", import.meta.url)));
const CORE = ["shared", "functions"];
const FORBIDDEN = "relay";

/** `from "x"`, `import "x"`, `import("x")` and `require("x")`: every way a module names another. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["']([^"']+)["']/g;

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourceFiles(path);
    return /\.(ts|mts|cts)$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [path] : [];
  });

/** The relative specifiers of `source` that resolve into the `FORBIDDEN` folder, for a file at `file`. */
const relayImports = (file: string, source: string): string[] =>
  [...source.matchAll(SPECIFIER)]
    .map((match) => match[1]!)
    .filter((specifier) => specifier.startsWith("."))
    .filter((specifier) => {
      const target = relative(ROOT, resolve(dirname(file), specifier));
      return target === FORBIDDEN || target.startsWith(`${FORBIDDEN}${sep}`);
    });

describe("Layout: imports", () => {
  it("finds an import of relay/ in any of the forms a module may use", () => {
    // Prepare
    const file = join(ROOT, "shared", "ingest", "example.ts");
    const source = [
      'import { slimObject } from "../../relay/slim";',
      'export { Relay } from "../../relay";',
      'const lazy = await import("../../relay/run");',
      'import type { Envelope } from "../envelope";',
      'import { readFileSync } from "node:fs";',
    ].join("\n");

    // Act
    const found = relayImports(file, source);

    // Assess
    expect(found).toEqual(["../../relay/slim", "../../relay", "../../relay/run"]);
  });

  it.each(CORE)("finds no import of relay/ in %s/", (folder) => {
    // Prepare
    const files = sourceFiles(join(ROOT, folder));

    // Act
    const offenders = files.flatMap((file) =>
      relayImports(file, readFileSync(file, "utf8")).map((specifier) => `${relative(ROOT, file)}: ${specifier}`),
    );

    // Assess
    expect(files.length).toBeGreaterThan(0);
    expect(offenders).toEqual([]);
  });
});
