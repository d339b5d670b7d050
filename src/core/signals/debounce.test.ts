/**
 * Debounce per game and side, driven by explicit times.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SignalDebouncer } from './debounce.js';

const W = 5_000_000;

describe('SignalDebouncer', () => {
  it('admits the first signal, holds repeats within the window, admits again after it', () => {
    const d = new SignalDebouncer({ windowUs: W, minEdgeGrowth: 0.02 });
    expect(d.admit('g1:arb', 0.03, 1_000)).toBe(true);
    expect(d.admit('g1:arb', 0.03, 1_000 + W - 1)).toBe(false);
    expect(d.admit('g1:arb', 0.03, 1_000 + W)).toBe(true);
    // The window restarts from the last admitted signal.
    expect(d.admit('g1:arb', 0.03, 1_000 + W + 10)).toBe(false);
  });

  it('lets a grown edge through inside the window, and measures the next growth from it', () => {
    const d = new SignalDebouncer({ windowUs: W, minEdgeGrowth: 0.02 });
    expect(d.admit('g1:model:home', 0.05, 0)).toBe(true);
    expect(d.admit('g1:model:home', 0.0699, 10)).toBe(false);
    expect(d.admit('g1:model:home', 0.07, 20)).toBe(true);
    expect(d.admit('g1:model:home', 0.08, 30)).toBe(false);
    expect(d.admit('g1:model:home', 0.09, 40)).toBe(true);
  });

  it('keeps games and sides apart', () => {
    const d = new SignalDebouncer({ windowUs: W, minEdgeGrowth: 0.02 });
    expect(d.admit('g1:model:home', 0.05, 0)).toBe(true);
    expect(d.admit('g1:model:away', 0.05, 1)).toBe(true);
    expect(d.admit('g2:model:home', 0.05, 2)).toBe(true);
    expect(d.admit('g1:model:home', 0.05, 3)).toBe(false);
  });

  it('treats a clock that went backwards as inside the window, and refuses NaN edges or times', () => {
    const d = new SignalDebouncer({ windowUs: W, minEdgeGrowth: 0.02 });
    expect(d.admit('k', 0.05, 10 * W)).toBe(true);
    expect(d.admit('k', 0.05, 0)).toBe(false);
    expect(d.admit('n', Number.NaN, 0)).toBe(false);
    expect(d.admit('n', 0.05, Number.NaN)).toBe(false);
    expect(d.admit('n', 0.05, 0)).toBe(true);
  });

  it('prunes expired keys and forgets a game', () => {
    const d = new SignalDebouncer({ windowUs: W, minEdgeGrowth: 0.02 });
    d.admit('g1:arb', 0.05, 0);
    d.admit('g1:model:home', 0.05, W);
    d.admit('g10:arb', 0.05, W);
    expect(d.prune(W)).toBe(1);
    expect(d.size).toBe(2);
    d.forgetGame('g1');
    expect(d.size).toBe(1);
    expect(d.admit('g10:arb', 0.05, W + 1)).toBe(false);
    expect(d.admit('g1:model:home', 0.05, W + 1)).toBe(true);
  });

  it('never admits two signals of a key within the window unless the edge grew (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ key: fc.constantFrom('a', 'b'), dt: fc.integer({ min: 0, max: W }), edge: fc.integer({ min: 0, max: 30 }).map((x) => x / 100) }), { maxLength: 60 }),
        (events) => {
          const d = new SignalDebouncer({ windowUs: W, minEdgeGrowth: 0.02 });
          const last = new Map<string, { ts: number; edge: number }>();
          let now = 0;
          for (const e of events) {
            now += e.dt;
            const admitted = d.admit(e.key, e.edge, now);
            const prev = last.get(e.key);
            const expected = prev === undefined || now - prev.ts >= W || e.edge >= prev.edge + 0.02 - 1e-12;
            expect(admitted).toBe(expected);
            if (admitted) last.set(e.key, { ts: now, edge: e.edge });
          }
        },
      ),
    );
  });
});
