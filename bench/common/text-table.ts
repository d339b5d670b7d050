/** Plain-text and Markdown tables for benchmark output. */

export interface Column {
  header: string;
  /** Numbers read best right-aligned. */
  align?: 'left' | 'right';
}

export function formatTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)));
  const cell = (text: string, i: number) =>
    columns[i]!.align === 'left' ? text.padEnd(widths[i]!) : text.padStart(widths[i]!);
  const line = (cells: readonly string[]) => columns.map((_, i) => cell(cells[i] ?? '', i)).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(columns.map((c) => c.header)), rule, ...rows.map(line)].join('\n');
}

export function formatMarkdownTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const header = `| ${columns.map((c) => c.header).join(' | ')} |`;
  const rule = `|${columns.map((c) => (c.align === 'left' ? ':---' : '---:')).join('|')}|`;
  return [header, rule, ...rows.map((r) => `| ${columns.map((_, i) => r[i] ?? '').join(' | ')} |`)].join('\n');
}

/** 1234567 -> "1.23M", 51234 -> "51.2k": rates read at a glance. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '-';
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(2)}k`;
  return String(Math.round(n));
}

export function formatMicros(us: number | undefined): string {
  if (us === undefined || !Number.isFinite(us)) return '-';
  if (us >= 100_000) return `${(us / 1000).toFixed(0)}ms`;
  if (us >= 10_000) return `${(us / 1000).toFixed(1)}ms`;
  return String(Math.round(us));
}

export const formatMb = (bytes: number | undefined): string =>
  bytes === undefined ? '-' : (bytes / 1024 / 1024).toFixed(0);
