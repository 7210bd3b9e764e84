import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * Import circles, by file and by folder, in the program's own code. A file
 * circle makes module order decide what is defined when; a folder circle
 * (pipeline ⇄ receivers) means neither folder can be read or changed
 * without the other. The graph is read with a regular expression rather than
 * a tool so the check needs no dependency; type-only imports count too.
 */
const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const SOURCE_DIRS = ["shared", "functions", "relay", "cli"] as const;

const IMPORT = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^"';]*?\sfrom\s*)?["'](\.{1,2}\/[^"']*)["']|import\(\s*["'](\.{1,2}\/[^"']*)["']\s*\)/g;

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });

/** `./x` as the bundler resolves it: `x.ts`, else `x/index.ts`. */
const resolveImport = (from: string, specifier: string): string | undefined => {
  const base = join(dirname(from), specifier.replace(/\.js$/, ""));
  return [base, `${base}.ts`, join(base, "index.ts")].find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
};

type Graph = Map<string, Set<string>>;

const fileGraph = (): Graph => {
  const files = SOURCE_DIRS.flatMap((dir) => sourceFiles(join(ROOT, dir)));
  return new Map(
    files.map((file) => {
      const targets = [...readFileSync(file, "utf8").matchAll(IMPORT)].map((m) => resolveImport(file, (m[1] ?? m[2])!));
      return [relative(ROOT, file), new Set(targets.filter((t) => t !== undefined).map((t) => relative(ROOT, t)))];
    }),
  );
};

/** `shared/pipeline/info.ts` belongs to `shared/pipeline`; a file directly in `shared/` is its own node. */
const folderOf = (file: string): string => file.split("/").slice(0, 2).join("/");

const folderGraph = (files: Graph): Graph => {
  const folders: Graph = new Map();
  for (const [file, targets] of files) {
    for (const target of targets) {
      const [from, to] = [folderOf(file), folderOf(target)];
      if (from !== to) folders.set(from, (folders.get(from) ?? new Set()).add(to));
    }
  }
  return folders;
};

/** Tarjan's strongly connected components; every component of two or more nodes is a circle. */
const circles = (graph: Graph): string[][] => {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    for (const target of graph.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (stack.includes(target)) low.set(node, Math.min(low.get(node)!, index.get(target)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || graph.get(node)?.has(node)) found.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
};

describe("Layout: import graph", () => {
  const files = fileGraph();

  it("reads the imports it is meant to check", () => {
    // Assess: a regular expression that matched nothing would pass every check below.
    expect(files.get("shared/pipeline/pipeline-handler.ts")).toContain("shared/pipeline/receiver.ts");
    expect(files.get("functions/process/handler.ts")?.size).toBeGreaterThan(0);
  });

  it("has no circle between files", () => {
    // Act & Assess
    expect(circles(files)).toEqual([]);
  });

  it("has no circle between folders", () => {
    // Act & Assess
    expect(circles(folderGraph(files))).toEqual([]);
  });
});
