import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArbeesError } from '../core/errors.js';
import { MarketMaker, yesHistory, type ProbPoint } from './market-maker.js';
import type { QuoteLadder } from './world.js';

const mid = (q: QuoteLadder) => (q.yesBids[0]![0] + q.yesAsks[0]![0]) / 2;
const onTick = (p: number) => Math.abs(p * 100 - Math.round(p * 100)) < 1e-9;

describe('MarketMaker ladders', () => {
  it('always quote bid < ask on the tick inside [0.01, 0.99], ordered, with positive sizes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ dt: fc.integer({ min: 0, max: 60_000 }), p: fc.double({ min: 0, max: 1, noNaN: true }) }), {
          minLength: 1,
          maxLength: 40,
        }),
        fc.integer({ min: 0, max: 3_000_000 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.double({ min: 0, max: 0.2, noNaN: true }),
        fc.integer({ min: 1, max: 8 }),
        (steps, t, seed, halfSpread, levels) => {
          let tMs = 0;
          const history: ProbPoint[] = steps.map((s) => ({ tMs: (tMs += s.dt), p: s.p }));
          const mm = new MarketMaker({ seed, halfSpread, levels, episodeProb: 0.5, noiseSd: 0.05 });
          const q = mm.quote(t, history);
          expect(q.yesBids.length).toBeGreaterThan(0);
          expect(q.yesAsks.length).toBeGreaterThan(0);
          expect(q.yesBids[0]![0]).toBeLessThan(q.yesAsks[0]![0]);
          for (const [side, dir] of [
            [q.yesBids, -1],
            [q.yesAsks, 1],
          ] as const) {
            side.forEach(([price, size], i) => {
              expect(price).toBeGreaterThanOrEqual(0.01);
              expect(price).toBeLessThanOrEqual(0.99);
              expect(onTick(price)).toBe(true);
              expect(size).toBeGreaterThan(0);
              expect(Number.isInteger(size)).toBe(true);
              if (i > 0) expect(Math.sign(price - side[i - 1]![0])).toBe(dir);
            });
          }
          expect(mm.quote(t, history)).toEqual(q);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('keeps a two-sided market at the extremes', () => {
    const mm = new MarketMaker({ noiseSd: 0, episodeProb: 0 });
    for (const p of [0, 0.001, 0.999, 1]) {
      const q = mm.quote(10_000, [{ tMs: 0, p }]);
      expect(q.yesBids[0]![0]).toBeLessThan(q.yesAsks[0]![0]);
      expect(q.yesBids[0]![0]).toBeGreaterThanOrEqual(0.01);
      expect(q.yesAsks[0]![0]).toBeLessThanOrEqual(0.99);
    }
  });

  it('lags the true price by lagMs', () => {
    const mm = new MarketMaker({ lagMs: 5_000, noiseSd: 0, episodeProb: 0, halfSpread: 0.01 });
    const history = [
      { tMs: 0, p: 0.5 },
      { tMs: 60_000, p: 0.8 },
    ];
    expect(mid(mm.quote(59_000, history))).toBeCloseTo(0.5, 2);
    expect(mid(mm.quote(62_000, history))).toBeCloseTo(0.5, 2);
    expect(mid(mm.quote(64_900, history))).toBeCloseTo(0.5, 2);
    expect(mid(mm.quote(65_000, history))).toBeCloseTo(0.8, 2);
  });

  it('tracks the truth within its noise outside episodes', () => {
    const mm = new MarketMaker({ seed: 3, lagMs: 0, noiseSd: 0.01, episodeProb: 0 });
    const history: ProbPoint[] = Array.from({ length: 600 }, (_, i) => ({ tMs: i * 1000, p: 0.3 + 0.4 * Math.sin(i / 50) ** 2 }));
    let worst = 0;
    for (let t = 0; t < 600_000; t += 1000) {
      worst = Math.max(worst, Math.abs(mm.fairValue(t, history)! - history[t / 1000]!.p));
    }
    expect(worst).toBeLessThan(0.05);
    expect(worst).toBeGreaterThan(0.001);
  });

  it('has out-of-line episodes about as often as configured', () => {
    const mm = new MarketMaker({ seed: 9, episodeProb: 0.2, episodeWindowMs: 60_000, episodeDurationMs: 20_000 });
    let off = 0;
    const n = 3000;
    for (let i = 0; i < n; i++) if (mm.episodeOffset(i * 60_000 + 30_000 + (i % 7) * 1000) !== 0) off++;
    let windows = 0;
    for (let w = 0; w < n; w++) {
      for (let t = w * 60_000; t < (w + 1) * 60_000; t += 2_000) {
        if (mm.episodeOffset(t) !== 0) {
          windows++;
          break;
        }
      }
    }
    expect(windows / n).toBeGreaterThan(0.16);
    expect(windows / n).toBeLessThan(0.24);
    expect(off).toBeGreaterThan(0);
  });

  it('two venues quoting the same game cross at times: arbitrage appears', () => {
    const history: ProbPoint[] = Array.from({ length: 3600 }, (_, i) => ({ tMs: i * 1000, p: 0.55 }));
    const a = new MarketMaker({ seed: 1, episodeProb: 0.15 });
    const b = new MarketMaker({ seed: 2, episodeProb: 0.15 });
    let crossed = 0;
    for (let t = 0; t < 3_600_000; t += 1000) {
      const qa = a.quote(t, history);
      const qb = b.quote(t, history);
      if (qa.yesBids[0]![0] > qb.yesAsks[0]![0] || qb.yesBids[0]![0] > qa.yesAsks[0]![0]) crossed++;
    }
    expect(crossed).toBeGreaterThan(30);
    expect(crossed).toBeLessThan(1800);
  });

  it('maps world samples to home, away and draw contracts', () => {
    const s = [{ tMs: 1, homeWinProb: 0.5, drawProb: 0.2 }];
    expect(yesHistory(s, 'home')[0]!.p).toBe(0.5);
    expect(yesHistory(s, 'draw')[0]!.p).toBe(0.2);
    expect(yesHistory(s, 'away')[0]!.p).toBeCloseTo(0.3);
  });

  it('rejects invalid options', () => {
    expect(() => new MarketMaker({ tick: 0.03 })).toThrow(ArbeesError);
    expect(() => new MarketMaker({ levels: 0 })).toThrow(/levels/);
    expect(() => new MarketMaker({ episodeProb: 2 })).toThrow(/episodeProb/);
    expect(new MarketMaker().quote(0, [])).toEqual({ yesBids: [], yesAsks: [] });
  });
});
