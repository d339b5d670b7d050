import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EPL, MLB, MLS, NBA, NCAAB, NCAAF, NFL, NHL, PROB_FLOOR } from './constants.js';
import { homeWinProbability, outcomeProbabilities, type WinProbInput } from './index.js';

const CLOCKED = ['nba', 'ncaab', 'nfl', 'ncaaf', 'nhl', 'mls', 'epl'] as const;
const ALL = [...CLOCKED, 'mlb', 'cricket'] as const;

/** Regulation periods and period length per sport (soccer: halves of 45 minutes). */
const SHAPE: Record<string, { periods: number; periodS: number }> = {
  nba: NBA,
  ncaab: NCAAB,
  nfl: NFL,
  ncaaf: NCAAF,
  nhl: NHL,
  mls: { periods: 2, periodS: MLS.halfS },
  epl: { periods: 2, periodS: EPL.halfS },
  mlb: { periods: MLB.innings, periodS: 0 },
  cricket: { periods: 4, periodS: 900 },
};

const side = fc.constantFrom<'home' | 'away' | null>('home', 'away', null);

/** A live state of any sport, regulation time, with every optional detail drawn. */
const liveState = fc
  .record({
    sport: fc.constantFrom(...ALL),
    periodShare: fc.double({ min: 0, max: 0.999, noNaN: true }),
    clockShare: fc.double({ min: 0, max: 1, noNaN: true }),
    homeScore: fc.integer({ min: 0, max: 40 }),
    awayScore: fc.integer({ min: 0, max: 40 }),
    possession: side,
    prior: fc.option(fc.double({ min: 0.03, max: 0.97, noNaN: true }), { nil: null }),
    down: fc.integer({ min: 1, max: 4 }),
    distance: fc.integer({ min: 1, max: 20 }),
    yardsToGoal: fc.integer({ min: 1, max: 99 }),
    half: fc.constantFrom<'top' | 'bottom'>('top', 'bottom'),
    outs: fc.integer({ min: 0, max: 2 }),
    bases: fc.integer({ min: 0, max: 7 }),
    homeSkaters: fc.constantFrom(3, 4, 5, 6),
    awaySkaters: fc.constantFrom(3, 4, 5, 6),
    homeRed: fc.integer({ min: 0, max: 2 }),
    awayRed: fc.integer({ min: 0, max: 2 }),
  })
  .map((r): WinProbInput => {
    const shape = SHAPE[r.sport]!;
    const period = 1 + Math.floor(r.periodShare * shape.periods);
    return {
      sport: r.sport,
      status: 'live',
      period,
      clockS: r.clockShare * shape.periodS,
      homeScore: r.homeScore,
      awayScore: r.awayScore,
      possession: r.sport === 'mlb' ? (r.half === 'top' ? 'away' : 'home') : r.possession,
      pregameHomeProb: r.prior,
      football: { down: r.down, distance: r.distance, yardsToGoal: r.yardsToGoal },
      baseball: { half: r.half, outs: r.outs, onFirst: (r.bases & 1) > 0, onSecond: (r.bases & 2) > 0, onThird: (r.bases & 4) > 0 },
      hockey: { homeSkaters: r.homeSkaters, awaySkaters: r.awaySkaters },
      soccer: { homeRedCards: r.homeRed, awayRedCards: r.awayRed },
    };
  });

const flip = (s: 'home' | 'away' | null | undefined) => (s === 'home' ? 'away' : s === 'away' ? 'home' : null);

/** The same game seen with the teams swapped (neutral site, no prior). */
function swapped(input: WinProbInput): WinProbInput {
  return {
    ...input,
    homeScore: input.awayScore,
    awayScore: input.homeScore,
    possession: flip(input.possession),
    hockey: { homeSkaters: input.hockey?.awaySkaters, awaySkaters: input.hockey?.homeSkaters },
    soccer: { homeRedCards: input.soccer?.awayRedCards, awayRedCards: input.soccer?.homeRedCards },
  };
}

describe('win probability properties', () => {
  it('stays inside [floor, 1 - floor] while the game is live, and three-way results sum to 1', () => {
    fc.assert(
      fc.property(liveState, (input) => {
        const p = homeWinProbability(input);
        expect(p).toBeGreaterThanOrEqual(PROB_FLOOR);
        expect(p).toBeLessThanOrEqual(1 - PROB_FLOOR);
        const o = outcomeProbabilities(input);
        expect(o.home + o.draw + o.away).toBeCloseTo(1, 9);
        expect(Math.min(o.home, o.draw, o.away)).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('never falls when the home side scores (monotone in the lead)', () => {
    fc.assert(
      fc.property(liveState, fc.integer({ min: 1, max: 3 }), (input, extra) => {
        const before = homeWinProbability(input);
        const after = homeWinProbability({ ...input, homeScore: input.homeScore + extra });
        expect(after).toBeGreaterThanOrEqual(before - 1e-12);
        const awayBefore = outcomeProbabilities(input).away;
        const awayAfter = outcomeProbabilities({ ...input, homeScore: input.homeScore + extra }).away;
        expect(awayAfter).toBeLessThanOrEqual(awayBefore + 1e-12);
      }),
      { numRuns: 2000 },
    );
  });

  it('never falls when the pregame price of the home side rises (monotone in the prior)', () => {
    fc.assert(
      fc.property(
        liveState,
        fc.double({ min: 0.03, max: 0.96, noNaN: true }),
        fc.double({ min: 0.001, max: 0.2, noNaN: true }),
        (input, q, dq) => {
          const lo = homeWinProbability({ ...input, pregameHomeProb: q });
          const hi = homeWinProbability({ ...input, pregameHomeProb: Math.min(0.97, q + dq) });
          expect(hi).toBeGreaterThanOrEqual(lo - 1e-9);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('is symmetric: swapping the teams gives 1 - p (neutral site, neutral prior)', () => {
    const symmetric = liveState.filter((s) => s.sport !== 'mlb');
    fc.assert(
      fc.property(symmetric, fc.boolean(), (raw, withEvenPrior) => {
        // An even soccer market prices home and away alike, not home at 0.5.
        const soccer = raw.sport === 'mls' || raw.sport === 'epl';
        const even = soccer ? { pregameHomeProb: 0.37, pregameDrawProb: 0.26 } : { pregameHomeProb: 0.5 };
        const input = { ...raw, neutralSite: true, ...(withEvenPrior ? even : { pregameHomeProb: null }) };
        const p = outcomeProbabilities(input);
        const q = outcomeProbabilities(swapped(input));
        expect(p.home).toBeCloseTo(q.away, 6);
        expect(p.draw).toBeCloseTo(q.draw, 6);
      }),
      { numRuns: 2000 },
    );
  });

  it('baseball is symmetric between full innings (both sides have the same innings left)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 12 }), (inning, h, a) => {
        const at = (home: number, away: number) =>
          homeWinProbability({
            sport: 'mlb',
            period: inning,
            clockS: 0,
            homeScore: home,
            awayScore: away,
            neutralSite: true,
            baseball: { half: 'top', outs: 0 },
          });
        expect(at(h, a)).toBeCloseTo(1 - at(a, h), 9);
      }),
    );
  });

  it('converges to the leader at the end of regulation and settles exactly when final', () => {
    fc.assert(
      fc.property(liveState, fc.integer({ min: 1, max: 5 }), (raw, margin) => {
        const shape = SHAPE[raw.sport]!;
        const end: WinProbInput = {
          ...raw,
          period: shape.periods,
          clockS: 0.01,
          homeScore: raw.awayScore + margin,
          possession: null,
          baseball: { half: 'bottom', outs: 3 },
          hockey: null,
          soccer: { clockIncludesStoppage: true },
        };
        expect(homeWinProbability(end)).toBeGreaterThan(0.98);
        expect(homeWinProbability({ ...end, homeScore: raw.awayScore, awayScore: raw.awayScore + margin })).toBeLessThan(0.02);
        expect(homeWinProbability({ ...end, status: 'final' })).toBe(1);
        expect(homeWinProbability({ ...end, status: 'final', homeScore: 0, awayScore: margin })).toBe(0);
      }),
      { numRuns: 1000 },
    );
  });

  it('before the start, returns the market prior it was given (the prior round-trips)', () => {
    for (const sport of ALL) {
      for (const q of [0.15, 0.35, 0.5, 0.62, 0.85]) {
        const p = homeWinProbability({ sport, period: 0, clockS: 0, homeScore: 0, awayScore: 0, pregameHomeProb: q });
        expect(Math.abs(p - q), `${sport} ${q}`).toBeLessThan(0.004);
      }
    }
  });

  it('without a prior, favours the home side by the home advantage, and is 0.5 at a neutral site', () => {
    for (const sport of ALL.filter((s) => s !== 'cricket')) {
      const pre = { sport, period: 0, clockS: 0, homeScore: 0, awayScore: 0 };
      const o = outcomeProbabilities(pre);
      expect(o.home, sport).toBeGreaterThan(o.away + 0.03);
      expect(o.home, sport).toBeLessThan(0.66);
      const neutral = outcomeProbabilities({ ...pre, neutralSite: true });
      expect(neutral.home, sport).toBeCloseTo(neutral.away, 6);
    }
  });

  it('soccer returns three ways from the home and draw prices', () => {
    const pre = outcomeProbabilities({ sport: 'epl', period: 0, clockS: 0, homeScore: 0, awayScore: 0, pregameHomeProb: 0.5, pregameDrawProb: 0.25 });
    expect(pre.home / (pre.home + pre.away)).toBeCloseTo(0.5 / 0.75, 2);
    const level = outcomeProbabilities({ sport: 'epl', period: 2, clockS: 30, homeScore: 1, awayScore: 1, soccer: { clockIncludesStoppage: true } });
    expect(level.draw).toBeGreaterThan(0.97);
  });

  it('hockey: a pulled goalie and a power play move the probability the right way', () => {
    const base: WinProbInput = { sport: 'nhl', period: 3, clockS: 90, homeScore: 2, awayScore: 3 };
    const even = homeWinProbability({ ...base, hockey: { homeSkaters: 5, awaySkaters: 5 } });
    const powerPlay = homeWinProbability({ ...base, hockey: { homeSkaters: 5, awaySkaters: 4 } });
    expect(powerPlay).toBeGreaterThan(even);
    // Tied in regulation's last seconds: about the overtime/shootout coin flip plus home edge.
    const tied = homeWinProbability({ ...base, clockS: 1, homeScore: 3 });
    expect(tied).toBeGreaterThan(0.5);
    expect(tied).toBeLessThan(0.56);
    expect(homeWinProbability({ sport: 'nhl', period: 5, clockS: 0, homeScore: 3, awayScore: 3, neutralSite: true })).toBeCloseTo(0.5, 9);
  });

  it('football: the ball near the opponent goal is worth points', () => {
    const base: WinProbInput = { sport: 'nfl', period: 4, clockS: 300, homeScore: 17, awayScore: 20, possession: 'home' };
    const deep = homeWinProbability({ ...base, football: { down: 1, distance: 10, yardsToGoal: 80 } });
    const close = homeWinProbability({ ...base, football: { down: 1, distance: 5, yardsToGoal: 5 } });
    const away = homeWinProbability({ ...base, possession: 'away', football: { down: 1, distance: 5, yardsToGoal: 5 } });
    expect(close).toBeGreaterThan(deep);
    expect(deep).toBeGreaterThan(away);
  });

  it('never throws and stays a probability on malformed input', () => {
    const junk = fc.oneof(fc.constant(undefined), fc.constant(null), fc.double(), fc.string(), fc.integer({ min: -5, max: 50 }), fc.boolean());
    fc.assert(
      fc.property(
        fc.record({
          sport: fc.oneof(fc.constantFrom(...ALL), fc.string()),
          status: junk,
          period: junk,
          clockS: junk,
          homeScore: junk,
          awayScore: junk,
          possession: junk,
          pregameHomeProb: junk,
          pregameDrawProb: junk,
          football: fc.option(fc.record({ down: junk, distance: junk, yardsToGoal: junk, kickoff: junk })),
          baseball: fc.option(fc.record({ half: junk, outs: junk, onFirst: junk })),
          hockey: fc.option(fc.record({ homeSkaters: junk, awaySkaters: junk, powerPlayRemainingS: junk })),
          soccer: fc.option(fc.record({ homeRedCards: junk, awayRedCards: junk, clockIncludesStoppage: junk })),
        }),
        (raw) => {
          const input = raw as unknown as WinProbInput;
          const p = homeWinProbability(input);
          expect(p).toBeGreaterThanOrEqual(0);
          expect(p).toBeLessThanOrEqual(1);
          const o = outcomeProbabilities(input);
          expect(Number.isFinite(o.home + o.draw + o.away)).toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
    expect(homeWinProbability(null as unknown as WinProbInput)).toBe(0.5);
  });

  it('is fast: well under 50 us per call for every sport, even on a loaded machine', () => {
    const inputs: WinProbInput[] = CLOCKED.map((sport) => ({
      sport,
      period: 2,
      clockS: 300,
      homeScore: 2,
      awayScore: 1,
      possession: 'home' as const,
      pregameHomeProb: 0.6,
      football: { down: 2, distance: 7, yardsToGoal: 40 },
    }));
    inputs.push({ sport: 'mlb', period: 6, clockS: 0, homeScore: 2, awayScore: 3, pregameHomeProb: 0.6, baseball: { half: 'bottom', outs: 1, onFirst: true } });
    for (const input of inputs) {
      homeWinProbability(input);
      const n = 5000;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) homeWinProbability(input);
      const us = ((performance.now() - t0) * 1000) / n;
      expect(us, input.sport).toBeLessThan(50);
    }
  });
});
