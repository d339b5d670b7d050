/** Display helpers: money in centi-cents (1/10000 dollar), prices as cents, ages. */
export const usd = (cc: number | null | undefined): string =>
  cc === null || cc === undefined ? '–' : `${cc < 0 ? '-' : ''}$${(Math.abs(cc) / 10_000).toFixed(2)}`;

export const cents = (p: number | null | undefined): string => (p === null || p === undefined ? '–' : `${(p * 100).toFixed(1)}`);

export const pct = (x: number | null | undefined): string => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(0)}%`);

export const signClass = (x: number | null | undefined): string => (x === null || x === undefined || x === 0 ? '' : x > 0 ? 'pos' : 'neg');

export function age(ms: number): string {
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 120_000) return `${(ms / 1_000).toFixed(0)} s`;
  if (ms < 7_200_000) return `${(ms / 60_000).toFixed(0)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

export function clock(period: number, clockS: number): string {
  const m = Math.floor(clockS / 60);
  const s = Math.floor(clockS % 60);
  return `P${period} ${m}:${String(s).padStart(2, '0')}`;
}

export const timeOf = (us: number): string => new Date(us / 1000).toLocaleTimeString();

/** Escapes text for innerHTML. */
export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
