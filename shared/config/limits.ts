import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { CST, Lexer } from "yaml";
import { ConfigError } from "./errors";

/**
 * Bounds on a config checked before the YAML library sees it. The library
 * parses at a few hundred KB a second and keeps every node: a 50 MB file held
 * the process for minutes at GBs of memory with no output at all.
 */
export const ConfigLimit = {
  /** A real feedback.yaml is a few KB; 1 MB leaves room for generated watch lists. */
  Bytes: 1_048_576,
  /** Mappings and lists inside each other; a real config needs fewer than ten. */
  Depth: 64,
} as const;

export const SIZE_CAP = `the 1 MB (${ConfigLimit.Bytes} bytes) limit`;

export const tooLarge = (source: string, bytes?: number): ConfigError =>
  new ConfigError("", `${source}: ${bytes === undefined ? `is over ${SIZE_CAP}` : `is ${bytes} bytes, over ${SIZE_CAP}`}`);

/** The text's size in UTF-8 bytes, the unit the cap is stated in. */
export const checkTextSize = (text: string, source: string): void => {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > ConfigLimit.Bytes) throw tooLarge(source, bytes);
};

const FLOW_START = new Set(["flow-map-start", "flow-seq-start"]);
const FLOW_END = new Set(["flow-map-end", "flow-seq-end"]);

/**
 * Refuses `[[[[…` nested past the depth limit before parsing: the YAML
 * library recurses once per level and spent 20 s on a 1 MB run of brackets
 * before reporting its own stack overflow. The lexer is iterative and tells
 * brackets from the same characters inside quotes, plain scalars and comments.
 */
export const checkFlowDepth = (text: string, source: string): void => {
  let brackets = 0;
  for (let i = 0; i < text.length && brackets <= ConfigLimit.Depth; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) brackets++;
  }
  // Too few brackets to nest that deep: the common case needs no lexing at all.
  if (brackets <= ConfigLimit.Depth) return;
  let depth = 0;
  let line = 1;
  for (const token of new Lexer().lex(text)) {
    const type = CST.tokenType(token);
    if (type && FLOW_START.has(type) && ++depth > ConfigLimit.Depth) {
      throw new ConfigError("", `${source} line ${line}: nested deeper than ${ConfigLimit.Depth} levels`);
    }
    if (type && FLOW_END.has(type)) depth = Math.max(0, depth - 1);
    for (let i = token.indexOf("\n"); i !== -1; i = token.indexOf("\n", i + 1)) line++;
  }
};

const CHUNK = 65_536;

/**
 * Reads a config file, never more than one byte past the cap: the size from
 * fstat refuses a large file unread, and the bounded read covers what fstat
 * cannot size (a pipe, a device, a file still growing).
 */
export const readConfigFile = (file: string): string => {
  const cannotRead = (cause: unknown) => new ConfigError("", `cannot read ${file}: ${(cause as Error).message}`, { cause });
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (cause) {
    throw cannotRead(cause);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isFile() && stat.size > ConfigLimit.Bytes) throw tooLarge(file, stat.size);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK);
      const read = readSync(fd, chunk, 0, CHUNK, null);
      if (read === 0) break;
      chunks.push(chunk.subarray(0, read));
      total += read;
      if (total > ConfigLimit.Bytes) throw tooLarge(file);
    }
    return Buffer.concat(chunks, total).toString("utf8");
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw cannotRead(error);
  } finally {
    closeSync(fd);
  }
};
