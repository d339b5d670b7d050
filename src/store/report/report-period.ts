/**
 * Report periods: `--since/--until` values (ISO dates and times, taken in the report's time zone
 * when they carry no offset, or a relative `24h`, `90m`, `7d` back from now), and the previous
 * full hour or day of analytics_service, both aligned to the time zone's own clock (a trading day
 * of US sports ends at Eastern midnight, and some days have 23 or 25 hours).
 */
import { ArbeesError } from '../../core/errors.js';

const RELATIVE = /^-?(\d+(?:\.\d+)?)\s*(m|h|d)$/i;
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Offset of the zone from UTC at `ms`, in ms (positive east of Greenwich). */
function zoneOffsetMs(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The instant at which the zone's wall clock reads the given local time. */
export function zonedToUtcMs(y: number, mo: number, d: number, h: number, mi: number, s: number, timeZone: string): number {
  const guess = Date.UTC(y, mo - 1, d, h, mi, s);
  const first = guess - zoneOffsetMs(guess, timeZone);
  // Twice: the offset at the guess may differ from the offset at the answer (a DST change between).
  return guess - zoneOffsetMs(first, timeZone);
}

/** Parses a --since/--until value into epoch ms. */
export function parseInstant(raw: string, timeZone: string, nowMs = Date.now()): number {
  const text = raw.trim();
  const rel = RELATIVE.exec(text);
  if (rel) return nowMs - Number(rel[1]) * UNIT_MS[rel[2]!.toLowerCase() as keyof typeof UNIT_MS];
  if (text === 'now') return nowMs;
  const local = LOCAL.exec(text);
  if (local) {
    const [y, mo, d, h, mi, s] = local.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
    return zonedToUtcMs(y, mo, d, h, mi, s, timeZone);
  }
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) {
    throw new ArbeesError('ARB_REPORT_INPUT', `cannot read ${JSON.stringify(raw)} as a time: use 2026-12-05, 2026-12-05T18:00, an ISO time with offset, or 24h / 90m / 7d`);
  }
  return ms;
}

/** Local calendar parts of an instant in the zone. */
function localParts(ms: number, timeZone: string): { y: number; mo: number; d: number; h: number } {
  const local = new Date(ms + zoneOffsetMs(ms, timeZone));
  return { y: local.getUTCFullYear(), mo: local.getUTCMonth() + 1, d: local.getUTCDate(), h: local.getUTCHours() };
}

/** The last full local hour before `nowMs`: [start, end). */
export function previousHour(nowMs: number, timeZone: string): { sinceMs: number; untilMs: number } {
  const p = localParts(nowMs, timeZone);
  const untilMs = zonedToUtcMs(p.y, p.mo, p.d, p.h, 0, 0, timeZone);
  return { sinceMs: untilMs - 3_600_000, untilMs };
}

/** The last full local day before `nowMs` (midnight to midnight in the zone, 23-25 h long). */
export function previousDay(nowMs: number, timeZone: string): { sinceMs: number; untilMs: number } {
  const p = localParts(nowMs, timeZone);
  const untilMs = zonedToUtcMs(p.y, p.mo, p.d, 0, 0, 0, timeZone);
  const y = localParts(untilMs - 3_600_000, timeZone);
  return { sinceMs: zonedToUtcMs(y.y, y.mo, y.d, 0, 0, 0, timeZone), untilMs };
}

export function checkTimeZone(timeZone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new ArbeesError('ARB_REPORT_INPUT', `unknown time zone ${JSON.stringify(timeZone)} (use an IANA name such as America/New_York)`);
  }
  return timeZone;
}
