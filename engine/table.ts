export interface TableOptions {
  /** Columns whose cells line up on the right, as numbers do. */
  rightAligned?: readonly number[];
  /** Draw a rule of dashes under the header. @default true */
  headerRule?: boolean;
  /** Rows set below a second rule, such as totals. */
  footer?: readonly string[][];
}

/**
 * A plain-text table: each column as wide as its widest cell, columns two spaces apart, no
 * trailing spaces. Returns the lines.
 */
export function renderTable(
  header: readonly string[],
  body: readonly string[][],
  options: TableOptions = {},
): string[] {
  const footer = options.footer ?? [];
  const all = [header, ...body, ...footer];
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i].length)));
  const right = new Set(options.rightAligned ?? []);
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  const rule = line(widths.map((w) => "-".repeat(w)));
  return [
    line(header),
    ...((options.headerRule ?? true) ? [rule] : []),
    ...body.map(line),
    ...(footer.length > 0 ? [rule, ...footer.map(line)] : []),
  ];
}

/**
 * A GitHub-flavoured Markdown table; `rightAligned` columns line up on the right. Pipes inside
 * cells are escaped. Returns the lines.
 */
export function renderMarkdownTable(
  header: readonly string[],
  body: readonly string[][],
  rightAligned: readonly number[] = [],
): string[] {
  const right = new Set(rightAligned);
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`;
  const rule = `|${header.map((_, i) => (right.has(i) ? " --: " : " --- ")).join("|")}|`;
  return [line(header), rule, ...body.map(line)];
}
