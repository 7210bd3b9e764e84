/** Renders rows as aligned columns with a header; the last column is not padded. */
export const renderTable = (headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string => {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n") + "\n";
};

/** `42s`, `5m`, `3h`, `2d`: how long ago `then` was. */
export const age = (then: number, now: number): string => {
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3_600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3_600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
};

/** One line, at most `max` characters, for a table cell. */
export const cell = (text: string | undefined, max = 60): string => {
  const flat = (text ?? "").replace(/\s+/g, " ").trim();
  if (!flat) return "-";
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};
