import { describe, expect, it } from 'vitest';
import type { Fill } from '../../core/messages.js';
import { unrealisedCc } from '../../core/positions/position-marks.js';
import { resolveRiskLimits } from '../../core/risk/risk-limits.js';
import { BookCache } from './book-cache.js';
import { ExecutionState } from './execution-state.js';

const S = 1_000_000;
const limits = resolveRiskLimits();
const meta = { gameId: 'g1', sport: 'nba' as const, team: null };
const buy = (marketId: string, contracts: number, yesPrice: number): Fill => ({ venue: 'kalshi', market_id: marketId, side: 'yes', action: 'buy', contracts, yes_price: yesPrice, fee_cc: 0, order_id: null });
const book = (books: BookCache, marketId: string, bid: number, atUs: number) =>
  books.onOrderBook({ venue: 'kalshi', market_id: marketId, game_id: 'g1', book_seq: null, yes_bids: [[bid, 100]], yes_asks: [[bid + 0.02, 100]] }, atUs);

/** One position's mark from the book held now. */
function markOf(state: ExecutionState, books: BookCache, marketId: string, nowUs: number): number {
  const p = state.positions.get('kalshi', marketId, 'yes')!;
  const found = books.get('kalshi', marketId, nowUs);
  return found.ok ? (unrealisedCc(p, found.top, limits.fees.kalshi) ?? 0) : 0;
}

describe('execution state: unrealised P&L for the risk view', () => {
  it('re-marks at once the positions a fill or settlement changed, and every position every 100 ms', () => {
    const books = new BookCache(60 * S);
    const state = new ExecutionState(limits, 100_000_000);
    const t0 = 1_000 * S;
    for (const m of ['A', 'B', 'C']) book(books, m, 0.5, t0);
    state.applyFill(buy('A', 10, 0.5), meta, t0);
    state.applyFill(buy('B', 20, 0.5), meta, t0);
    state.applyFill(buy('C', 30, 0.5), meta, t0);
    const aBefore = markOf(state, books, 'A', t0);
    const first = state.unrealisedCc(books, t0);
    expect(first).toBe(aBefore + markOf(state, books, 'B', t0) + markOf(state, books, 'C', t0));
    expect(first).toBeLessThan(0); // bought at 0.50, marked at the 0.50 bid less the exit fee

    // A moves without a fill: its mark waits for the next full walk.
    book(books, 'A', 0.7, t0 + 1);
    expect(state.unrealisedCc(books, t0 + 2)).toBe(first);
    // A fill on B re-marks B at once; C settles and its mark leaves with the position.
    book(books, 'B', 0.6, t0 + 3);
    state.applyFill(buy('B', 5, 0.6), meta, t0 + 3);
    state.settle('kalshi', 'C', 1, t0 + 4);
    expect(state.positions.get('kalshi', 'C', 'yes')).toBeUndefined();
    expect(state.unrealisedCc(books, t0 + 5)).toBe(aBefore + markOf(state, books, 'B', t0 + 5));
    // 100 ms later every position is marked again, A's new book included.
    const later = t0 + 100_000;
    expect(markOf(state, books, 'A', later)).toBeGreaterThan(aBefore);
    expect(state.unrealisedCc(books, later)).toBe(markOf(state, books, 'A', later) + markOf(state, books, 'B', later));
  });
});
