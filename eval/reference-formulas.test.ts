import { describe, expect, it } from 'vitest';
import { referenceWinProb, referenceWithBlend, type ReferenceState } from './reference-formulas.js';

const nba = (home: number, away: number, period: number, clockS: number): ReferenceState => ({
  sport: 'nba',
  homeScore: home,
  awayScore: away,
  period,
  timeRemainingS: clockS,
  possession: null,
});

describe('reference formulas (section 9.4), re-implemented for comparison', () => {
  it('meets the calibration targets of the reference unit tests (NBA)', () => {
    const p7 = referenceWinProb(nba(100, 93, 4, 480));
    expect(p7).toBeGreaterThan(0.85);
    expect(p7).toBeLessThan(0.95);
    expect(referenceWinProb(nba(100, 85, 4, 480))).toBeGreaterThan(0.95);
    expect(referenceWinProb(nba(100, 93, 4, 120))).toBeGreaterThan(0.93);
    const p3 = referenceWinProb(nba(100, 97, 4, 60));
    expect(p3).toBeGreaterThan(0.85);
    expect(p3).toBeLessThan(0.96);
    const tip = referenceWinProb(nba(0, 0, 1, 720));
    expect(tip).toBeGreaterThan(0.5);
    expect(tip).toBeLessThan(0.65);
  });

  it('hockey, soccer and baseball follow the logistic formulas by hand', () => {
    // NHL: d = 1, 600 s left in the third: tf = 1/6, g = 0.7, vol = 1.2 * sqrt(1/6) * 0.7.
    const vol = 1.2 * Math.sqrt(1 / 6) * 0.7;
    const hockey = referenceWinProb({ sport: 'nhl', homeScore: 2, awayScore: 1, period: 3, timeRemainingS: 600, possession: null });
    expect(hockey).toBeCloseTo(1 / (1 + Math.exp(-(1.1 / vol))), 12);
    // Soccer at the start of the second half: tf = 0.5, vol = 1.5 * sqrt(0.5), d = 0.
    const soccer = referenceWinProb({ sport: 'epl', homeScore: 0, awayScore: 0, period: 2, timeRemainingS: 2700, possession: null });
    expect(soccer).toBeCloseTo(1 / (1 + Math.exp(-(0.4 / (1.5 * Math.sqrt(0.5))))), 12);
    // MLB, bottom of the 8th, home up 1: ir = 1, runs = 0.75, vol = 1.5, home_adj = 0.1.
    const mlb = referenceWinProb({ sport: 'mlb', homeScore: 3, awayScore: 2, period: 8, timeRemainingS: 0, possession: 'home' });
    expect(mlb).toBeCloseTo(1 / (1 + Math.exp(-(1.1 / 1.5))), 12);
  });

  it('football applies the down/distance term to whichever side is asked (its known quirk)', () => {
    const s: ReferenceState = {
      sport: 'nfl',
      homeScore: 14,
      awayScore: 14,
      period: 2,
      timeRemainingS: 300,
      possession: 'away',
      yardLine: 60,
      down: 3,
      yardsToGo: 12,
    };
    const home = referenceWinProb(s, true);
    const away = referenceWinProb(s, false);
    // Not complementary: both sides pay the third-and-long penalty.
    expect(home + away).not.toBeCloseTo(1, 3);
  });

  it('the pregame blend pulls toward the prior early and fades late', () => {
    const start = nba(0, 0, 1, 720);
    expect(referenceWithBlend({ ...start, pregameHomeProb: 0.8 })).toBeGreaterThan(referenceWinProb(start) + 0.05);
    const late = nba(90, 90, 4, 10);
    expect(Math.abs(referenceWithBlend({ ...late, pregameHomeProb: 0.8 }) - referenceWinProb(late))).toBeLessThan(0.1);
  });
});
