import { describe, expect, it } from 'vitest';
import { parseInstant, previousDay, previousHour } from './report-period.js';

const NY = 'America/New_York';

describe('report periods', () => {
  it('reads local dates in the zone, offsets as given, and relative spans', () => {
    expect(new Date(parseInstant('2026-12-05', NY)).toISOString()).toBe('2026-12-05T05:00:00.000Z');
    expect(new Date(parseInstant('2026-07-05T18:30', NY)).toISOString()).toBe('2026-07-05T22:30:00.000Z');
    expect(new Date(parseInstant('2026-12-05T10:00:00Z', NY)).toISOString()).toBe('2026-12-05T10:00:00.000Z');
    expect(parseInstant('24h', NY, 100_000_000)).toBe(100_000_000 - 86_400_000);
    expect(() => parseInstant('last tuesday', NY)).toThrow(/ARB_REPORT_INPUT|cannot read/);
  });

  it('aligns the previous hour and day to the zone, with 23- and 25-hour days at DST changes', () => {
    const now = Date.parse('2026-12-05T15:42:00Z'); // 10:42 in New York
    expect(previousHour(now, NY)).toEqual({ sinceMs: Date.parse('2026-12-05T14:00:00Z'), untilMs: Date.parse('2026-12-05T15:00:00Z') });
    expect(previousDay(now, NY)).toEqual({ sinceMs: Date.parse('2026-12-04T05:00:00Z'), untilMs: Date.parse('2026-12-05T05:00:00Z') });
    const afterSpring = previousDay(Date.parse('2026-03-09T12:00:00Z'), NY); // 2026-03-08 had 23 hours
    expect(afterSpring.untilMs - afterSpring.sinceMs).toBe(23 * 3_600_000);
    const afterFall = previousDay(Date.parse('2026-11-02T12:00:00Z'), NY); // 2026-11-01 had 25 hours
    expect(afterFall.untilMs - afterFall.sinceMs).toBe(25 * 3_600_000);
  });
});
