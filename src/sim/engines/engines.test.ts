import { describe, expect, it } from 'vitest';
import { SPORTS, type Sport } from '../../core/topics.js';
import { BaseballEngine, advance } from './baseball-engine.js';
import { createEngine, familyOf } from './create-engine.js';
import type { GameEngine, PlayEvent } from './game-engine.js';
import { hashSeed, Rng } from './rng.js';

/** Plays a game to the end in steps, collecting plays and snapshots. */
function playOut(engine: GameEngine, stepS = 45, withProbs = true) {
  const plays: PlayEvent[] = [];
  const probs: number[] = [];
  const snaps = [];
  let t = 0;
  while (!engine.isFinal() && t < 8 * 3600) {
    t += stepS;
    plays.push(...engine.advanceTo(t));
    snaps.push(engine.snapshot());
    if (withProbs) probs.push(engine.homeWinProb());
  }
  return { plays, probs, snaps, endS: t };
}

describe.each(SPORTS.map((s) => [s]))('%s engine', (sport: Sport) => {
  it('replays exactly for a seed and differs for another seed', () => {
    const a = playOut(createEngine(sport, { seed: 42 }));
    const b = playOut(createEngine(sport, { seed: 42 }));
    const c = playOut(createEngine(sport, { seed: 43 }));
    expect(a.plays).toEqual(b.plays);
    expect(a.probs).toEqual(b.probs);
    expect(c.plays).not.toEqual(a.plays);
  });

  it('keeps scores, periods and the clock monotone and ends final with a legal winner', () => {
    for (let seed = 1; seed <= 6; seed++) {
      const engine = createEngine(sport, { seed, homeLabel: 'HOM', awayLabel: 'AWY' });
      const { snaps, plays } = playOut(engine, 20, false);
      for (let i = 1; i < snaps.length; i++) {
        const [p, s] = [snaps[i - 1]!, snaps[i]!];
        expect(s.homeScore).toBeGreaterThanOrEqual(p.homeScore);
        expect(s.awayScore).toBeGreaterThanOrEqual(p.awayScore);
        expect(s.period).toBeGreaterThanOrEqual(p.period);
        if (s.period === p.period && s.phase === 'live' && p.phase === 'live') {
          expect(s.clockS).toBeLessThanOrEqual(p.clockS + 1e-9);
        }
        expect(s.homeLines.reduce((a, b) => a + b, 0)).toBe(s.homeScore);
      }
      const last = snaps.at(-1)!;
      expect(last.status).toBe('final');
      expect(last.winner).not.toBeNull();
      if (familyOf(sport) !== 'soccer') expect(last.winner).not.toBe('draw');
      expect(last.period).toBeGreaterThanOrEqual(last.regulationPeriods);
      const seqs = plays.map((p) => p.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      const scoring = plays.filter((p) => p.scoreValue > 0);
      expect(scoring.reduce((a, p) => a + p.scoreValue, 0)).toBe(last.homeScore + last.awayScore);
      expect(plays.every((p) => p.text.length > 0)).toBe(true);
    }
  });

  it('gives a probability in [0,1] at every moment that ends at 0 or 1', () => {
    for (let seed = 10; seed <= 13; seed++) {
      const engine = createEngine(sport, { seed });
      const { probs, snaps } = playOut(engine, 60);
      for (const p of probs) {
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
      }
      const last = snaps.at(-1)!;
      expect(probs.at(-1)).toBe(last.winner === 'home' ? 1 : 0);
      if (last.winner === 'draw') expect(engine.drawProb()).toBe(1);
    }
  });
});

/**
 * Calibration: one random moment per game (correlated moments within a game would overstate
 * the evidence), the engine's probability then, and whether the home side won.
 */
function calibrationSample(sport: Sport, games: number) {
  const out: { p: number; won: number }[] = [];
  const pick = new Rng(hashSeed('calibration', sport));
  for (let g = 0; g < games; g++) {
    const engine = createEngine(sport, { seed: hashSeed(sport, g) });
    const at = pick.uniform(1, 3 * 3600);
    engine.advanceTo(at);
    const p = engine.homeWinProb();
    let t = at;
    while (!engine.isFinal()) engine.advanceTo((t += 600));
    out.push({ p, won: engine.snapshot().winner === 'home' ? 1 : 0 });
  }
  return out;
}

describe('engine win probabilities are calibrated', () => {
  it.each(SPORTS.map((s) => [s]))(
    '%s: outcomes match the stated probabilities overall and by bin',
    (sport: Sport) => {
      const games = familyOf(sport) === 'football' ? 300 : 500;
      const sample = calibrationSample(sport, games);
      // Overall: sum of (outcome - p) is a sum of independent zero-mean terms.
      const excess = sample.reduce((a, s) => a + s.won - s.p, 0);
      const sd = Math.sqrt(sample.reduce((a, s) => a + s.p * (1 - s.p), 0));
      expect(Math.abs(excess / sd)).toBeLessThan(3.5);
      // By bin: the win rate among games the engine put at ~0.7 is ~0.7, and so on.
      for (const [lo, hi] of [
        [0.1, 0.35],
        [0.35, 0.65],
        [0.65, 0.9],
      ] as const) {
        const bin = sample.filter((s) => s.p >= lo && s.p < hi);
        if (bin.length < 30) continue;
        const meanP = bin.reduce((a, s) => a + s.p, 0) / bin.length;
        const rate = bin.reduce((a, s) => a + s.won, 0) / bin.length;
        const se = Math.sqrt((meanP * (1 - meanP)) / bin.length);
        expect(Math.abs(rate - meanP), `${sport} bin ${lo}-${hi}: n=${bin.length}`).toBeLessThan(3.5 * se + 0.01);
      }
      // Probabilities must be informative: Brier well below a coin flip's 0.25.
      const brier = sample.reduce((a, s) => a + (s.p - s.won) ** 2, 0) / sample.length;
      expect(brier).toBeLessThan(0.22);
    },
    60_000,
  );

  it('sharpens as games progress: Brier late in games beats Brier at the start', () => {
    for (const sport of ['nba', 'nhl', 'mlb', 'epl'] as const) {
      let early = 0;
      let late = 0;
      const n = 200;
      for (let g = 0; g < n; g++) {
        const engine = createEngine(sport, { seed: hashSeed('sharp', sport, g) });
        engine.advanceTo(1);
        const p0 = engine.homeWinProb();
        const { probs, snaps } = playOut(engine, 60);
        const won = snaps.at(-1)!.winner === 'home' ? 1 : 0;
        const pLate = probs[Math.floor(probs.length * 0.9)]!;
        early += (p0 - won) ** 2;
        late += (pLate - won) ** 2;
      }
      expect(late / n).toBeLessThan((early / n) * 0.6);
    }
  });
});

describe('hidden strength makes favourites', () => {
  it('a strong home side is favoured before the start and wins more often', () => {
    for (const sport of ['nba', 'nfl', 'nhl', 'mlb', 'epl'] as const) {
      const strong = createEngine(sport, { seed: 5, strength: 2 });
      const weak = createEngine(sport, { seed: 5, strength: -2 });
      strong.advanceTo(1);
      weak.advanceTo(1);
      expect(strong.homeWinProb()).toBeGreaterThan(0.6);
      expect(weak.homeWinProb()).toBeLessThan(0.4);
    }
  });
});

describe('baseball base-running rules', () => {
  it('forces runners on a walk and clears the bases on a home run', () => {
    expect(advance('walk', 0, 0b111)).toEqual({ outs: 0, bases: 0b111, runs: 1 });
    expect(advance('walk', 1, 0b100)).toEqual({ outs: 1, bases: 0b101, runs: 0 });
    expect(advance('home_run', 2, 0b111)).toEqual({ outs: 2, bases: 0, runs: 4 });
    expect(advance('single', 0, 0b110)).toEqual({ outs: 0, bases: 0b001, runs: 2 });
    expect(advance('deep_fly', 1, 0b100)).toEqual({ outs: 2, bases: 0, runs: 1 });
    expect(advance('deep_fly', 2, 0b100)).toEqual({ outs: 3, bases: 0b100, runs: 0 });
  });

  it('reports outs and bases while live', () => {
    const e = new BaseballEngine({ seed: 3 });
    e.advanceTo(2000);
    const s = e.snapshot();
    if (s.phase === 'live') {
      expect(s.situation).toMatchObject({ kind: 'baseball' });
      expect(s.possession).toBe(s.situation?.kind === 'baseball' && s.situation.half === 'top' ? 'away' : 'home');
    }
  });
});
