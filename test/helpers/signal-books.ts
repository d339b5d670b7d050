/**
 * Book builders shared by the signal tests (src/core/signals/*.test.ts).
 */
import fc from 'fast-check';
import type { Venue } from '../../src/core/topics.js';
import type { BookLevel } from '../../src/core/book-level.js';
import type { MarketBook, Outcome, SignalContext } from '../../src/core/signals/signal-input.js';

export function book(
  venue: Venue,
  outcome: Outcome,
  levels: { bids?: BookLevel[]; asks?: BookLevel[]; stale?: boolean; changed_ts?: number | null } = {},
): MarketBook {
  const team = outcome === 'home' ? 'BOS' : outcome === 'away' ? 'NYK' : null;
  return {
    venue,
    market_id: `${venue === 'kalshi' ? 'K' : 'P'}-${outcome}`,
    outcome,
    team,
    yes_bids: levels.bids ?? [],
    yes_asks: levels.asks ?? [],
    ...(levels.stale === undefined ? {} : { stale: levels.stale }),
    ...(levels.changed_ts === undefined ? {} : { changed_ts: levels.changed_ts }),
  };
}

export function fixedContext(nowUs = 1_700_000_000_000_000): SignalContext & { ids: string[] } {
  const ids: string[] = [];
  return {
    nowUs,
    ids,
    newId: () => {
      const id = `sig-${ids.length + 1}`;
      ids.push(id);
      return id;
    },
  };
}

/** Whole contracts available at prices at least as good as `limitCc` on a side of a book. */
export function depthAtOrBetter(levels: readonly BookLevel[], limitCc: number, side: 'bids' | 'asks'): number {
  let total = 0;
  for (const [price, size] of levels) {
    const cc = Math.round(price * 10_000);
    if (side === 'asks' ? cc <= limitCc : cc >= limitCc) total += size;
  }
  return Math.floor(total);
}

/** Whole contracts strictly better than `limitCc`. */
export function depthBetter(levels: readonly BookLevel[], limitCc: number, side: 'bids' | 'asks'): number {
  let total = 0;
  for (const [price, size] of levels) {
    const cc = Math.round(price * 10_000);
    if (side === 'asks' ? cc < limitCc : cc > limitCc) total += size;
  }
  return Math.floor(total);
}

/**
 * A random, sorted, uncrossed book side pair: bids strictly below asks, prices on a 0.01 grid
 * (or 0.0001 when `fine`), sizes whole or fractional.
 */
export const arbitraryLevels = (fine = false): fc.Arbitrary<{ bids: BookLevel[]; asks: BookLevel[] }> => {
  const unit = fine ? 1 : 100;
  const steps = 10_000 / unit;
  return fc
    .record({
      split: fc.integer({ min: 1, max: steps - 1 }),
      bidGaps: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }),
      askGaps: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }),
      bidSizes: fc.array(fc.oneof(fc.integer({ min: 1, max: 400 }), fc.double({ min: 0.1, max: 50, noNaN: true })), { minLength: 4, maxLength: 4 }),
      askSizes: fc.array(fc.oneof(fc.integer({ min: 1, max: 400 }), fc.double({ min: 0.1, max: 50, noNaN: true })), { minLength: 4, maxLength: 4 }),
      spread: fc.integer({ min: 1, max: 3 }),
    })
    .map(({ split, bidGaps, askGaps, bidSizes, askSizes, spread }) => {
      const bids: BookLevel[] = [];
      let p = split - 1;
      for (const [i, gap] of bidGaps.entries()) {
        p -= i === 0 ? 0 : gap + 1;
        if (p < 0) break;
        bids.push([(p * unit) / 10_000, bidSizes[i] ?? 1]);
      }
      const asks: BookLevel[] = [];
      let q = split - 1 + spread;
      for (const [i, gap] of askGaps.entries()) {
        q += i === 0 ? 0 : gap + 1;
        if (q > steps) break;
        asks.push([(q * unit) / 10_000, askSizes[i] ?? 1]);
      }
      return { bids, asks };
    });
};
