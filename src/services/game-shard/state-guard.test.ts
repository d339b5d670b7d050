import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LiveState } from './live-state.js';
import { backwardsReason, StateGuard } from './state-guard.js';

const live = (over: Partial<LiveState> = {}): LiveState => ({
  status: 'live',
  period: 2,
  clockS: 300,
  homeScore: 50,
  awayScore: 48,
  possession: 'home',
  situation: null,
  espnHomeProb: null,
  ...over,
});

describe('state guard', () => {
  it('accepts the first observation and forward progress', () => {
    const g = new StateGuard();
    expect(g.review('g', null, live()).verdict).toBe('accepted');
    expect(g.review('g', live(), live({ clockS: 250 })).verdict).toBe('accepted');
    expect(g.review('g', live(), live({ period: 3, clockS: 720 })).verdict).toBe('accepted');
    expect(g.review('g', live(), live({ homeScore: 53 })).verdict).toBe('accepted');
    expect(g.review('g', live({ status: 'scheduled', period: 0, clockS: 0, homeScore: 0, awayScore: 0 }), live()).verdict).toBe('accepted');
  });

  it('says unchanged for an identical observation', () => {
    expect(new StateGuard().review('g', live(), live()).verdict).toBe('unchanged');
  });

  it('accepts overtime as forward progress (a period past regulation, clock reset)', () => {
    const g = new StateGuard();
    const endOfFourth = live({ period: 4, clockS: 0, homeScore: 100, awayScore: 100 });
    expect(g.review('g', endOfFourth, live({ period: 5, clockS: 300, homeScore: 100, awayScore: 100 })).verdict).toBe('accepted');
  });

  it.each([
    ['an earlier period', live({ period: 1 }), /period 2 -> 1/],
    ['a lower home score', live({ homeScore: 47 }), /score/],
    ['a lower away score', live({ awayScore: 40 }), /score/],
    ['a clock that ran up', live({ clockS: 400 }), /clock 300s -> 400s/],
    ['live back to scheduled', live({ status: 'scheduled' }), /status live -> scheduled/],
  ])('ignores %s', (_what, next, reason) => {
    const g = new StateGuard();
    const r = g.review('g', live(), next);
    expect(r.verdict).toBe('backwards');
    expect(r.reason).toMatch(reason);
  });

  it('tolerates a clock fixed up by a second or two (review)', () => {
    expect(new StateGuard().review('g', live(), live({ clockS: 301.5 })).verdict).toBe('accepted');
  });

  it('keeps a final game final unless the change persists', () => {
    const g = new StateGuard({ confirmations: 3 });
    const final = live({ status: 'final', period: 4, clockS: 0 });
    const liveAgain = live({ status: 'live', period: 4, clockS: 10 });
    expect(g.review('g', final, liveAgain).verdict).toBe('backwards');
    expect(g.review('g', final, liveAgain).verdict).toBe('backwards');
    expect(g.review('g', final, liveAgain).verdict).toBe('corrected');
  });

  it('accepts a correction only after N identical backwards observations in a row', () => {
    const g = new StateGuard({ confirmations: 3 });
    const overturned = live({ homeScore: 44 });
    expect(g.review('g', live(), overturned).verdict).toBe('backwards');
    expect(g.review('g', live(), overturned).verdict).toBe('backwards');
    // A different backwards copy in between restarts the count.
    expect(g.review('g', live(), live({ homeScore: 45 })).verdict).toBe('backwards');
    expect(g.review('g', live(), overturned).verdict).toBe('backwards');
    expect(g.review('g', live(), overturned).verdict).toBe('backwards');
    expect(g.review('g', live(), overturned).verdict).toBe('corrected');
  });

  it('counts confirmations per game', () => {
    const g = new StateGuard({ confirmations: 2 });
    const back = live({ period: 1 });
    expect(g.review('a', live(), back).verdict).toBe('backwards');
    expect(g.review('b', live(), back).verdict).toBe('backwards');
    expect(g.review('a', live(), back).verdict).toBe('corrected');
    g.forget('b');
    expect(g.review('b', live(), back).verdict).toBe('backwards');
  });

  it('freezes a postponed game: any other status is backwards', () => {
    const postponed = live({ status: 'postponed', period: 0, clockS: 0, homeScore: 0, awayScore: 0 });
    expect(backwardsReason(postponed, { ...postponed, status: 'live' }, 2)).toMatch(/postponed -> live/);
    expect(backwardsReason(postponed, { ...postponed, status: 'final' }, 2)).toMatch(/postponed -> final/);
  });

  it('never calls a state that only moves forward backwards (property)', () => {
    const state = fc.record({
      period: fc.integer({ min: 1, max: 6 }),
      clockS: fc.integer({ min: 0, max: 720 }),
      homeScore: fc.integer({ min: 0, max: 150 }),
      awayScore: fc.integer({ min: 0, max: 150 }),
    });
    fc.assert(
      fc.property(state, fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 720 }), fc.nat(10), fc.nat(10), (s, dp, dc, dh, da) => {
        const a = live(s);
        const b = live({ period: s.period + dp, clockS: dp > 0 ? dc : Math.max(0, s.clockS - (dc % 60)), homeScore: s.homeScore + dh, awayScore: s.awayScore + da });
        return backwardsReason(a, b, 0) === null && backwardsReason(b, a, 0) !== null === !(dp === 0 && dh === 0 && da === 0 && b.clockS === a.clockS);
      }),
    );
  });
});
