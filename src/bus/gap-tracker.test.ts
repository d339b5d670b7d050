import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GapTracker } from './gap-tracker.js';

describe('GapTracker', () => {
  it('counts exactly the seqs missing between the ones it saw', () => {
    const t = new GapTracker();
    expect([1, 2, 3, 5, 6, 9].map((s) => t.observe('a', s))).toEqual([0, 0, 0, 1, 0, 2]);
    expect(t.gaps).toBe(3);
    expect(t.restarts).toBe(0);
  });

  it('does not count what came before the first message heard (a late joiner)', () => {
    const t = new GapTracker();
    t.observe('a', 1000);
    t.observe('a', 1001);
    expect(t.gaps).toBe(0);
  });

  it('a seq going back is a restart, not a gap, and counting resumes from it', () => {
    const t = new GapTracker();
    for (let s = 1; s <= 50; s++) t.observe('a', s);
    expect(t.observe('a', 1)).toBe(0);
    expect(t.restarts).toBe(1);
    expect(t.observe('a', 2)).toBe(0);
    expect(t.observe('a', 4)).toBe(1);
    expect(t.gaps).toBe(1);
  });

  it('keeps streams apart', () => {
    const t = new GapTracker();
    t.observe('p1|x', 1);
    t.observe('p2|x', 1);
    t.observe('p1|y', 7);
    t.observe('p1|x', 2);
    t.observe('p2|x', 2);
    t.observe('p1|y', 8);
    expect(t.gaps).toBe(0);
    expect(t.streams()).toBe(3);
  });

  it('over any interleaving of in-order streams with drops, gaps equal the drops after each first', () => {
    const stream = fc.record({
      length: fc.integer({ min: 1, max: 60 }),
      dropped: fc.uniqueArray(fc.integer({ min: 1, max: 60 }), { maxLength: 30 }),
    });
    fc.assert(
      fc.property(fc.array(stream, { minLength: 1, maxLength: 5 }), fc.infiniteStream(fc.nat()), (streams, picks) => {
        const tracker = new GapTracker();
        const pending = streams.map((s) => {
          const drop = new Set(s.dropped);
          return Array.from({ length: s.length }, (_, i) => i + 1).filter((seq) => !drop.has(seq));
        });
        let expected = 0;
        for (const seqs of pending) {
          if (seqs.length > 0) expected += seqs[seqs.length - 1]! - seqs[0]! + 1 - seqs.length;
        }
        const it = picks[Symbol.iterator]();
        while (pending.some((p) => p.length > 0)) {
          const live = pending.map((p, i) => [p, i] as const).filter(([p]) => p.length > 0);
          const [seqs, i] = live[it.next().value! % live.length]!;
          tracker.observe(`src|${i}`, seqs.shift()!);
        }
        expect(tracker.gaps).toBe(expected);
        expect(tracker.restarts).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});

describe('GapTracker per publisher', () => {
  it('keeps the same key of two publishers apart, and counts each stream once', () => {
    const t = new GapTracker();
    expect(t.observeFrom('kalshi_monitor.0', 'prices.kalshi.A', 1)).toBe(0);
    expect(t.observeFrom('kalshi_monitor.1', 'prices.kalshi.A', 50)).toBe(0);
    expect(t.observeFrom('kalshi_monitor.0', 'prices.kalshi.A', 2)).toBe(0);
    expect(t.observeFrom('kalshi_monitor.1', 'prices.kalshi.A', 53)).toBe(2);
    expect(t.observeFrom('kalshi_monitor.0', 'prices.kalshi.B', 9)).toBe(0);
    expect(t.observeFrom('kalshi_monitor.0', 'prices.kalshi.A', 1)).toBe(0);
    expect([t.gaps, t.restarts, t.streams()]).toEqual([2, 1, 3]);
  });

  it('does not mix a publisher and key that would concatenate to the same text', () => {
    const t = new GapTracker();
    t.observeFrom('a|b', 'c', 1);
    t.observeFrom('a', 'b|c', 10);
    t.observeFrom('a|b', 'c', 2);
    expect([t.gaps, t.restarts, t.streams()]).toEqual([0, 0, 2]);
  });
});
