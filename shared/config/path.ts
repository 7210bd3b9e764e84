/**
 * `a.b[2].c` from a zod issue path, so an error names the key the way it is
 * written in YAML. A file of its own, importing nothing: envelopes,
 * operations and ingest requests name their bad fields this way too, and
 * must not load the whole config schema to do so.
 */
export const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>((acc, key) => {
    if (typeof key === "number") return `${acc}[${key}]`;
    const name = String(key);
    // An empty key would vanish from the path and leave the error naming nothing.
    if (name === "") return `${acc}[""]`;
    return acc ? `${acc}.${name}` : name;
  }, "");
