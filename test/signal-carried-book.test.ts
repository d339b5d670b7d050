/**
 * A signal carries the book each leg was priced on (issue 13): the levels the detector saw, the
 * origin_ts and seq of the price message they came from. The shard's MarketPrice stamps them on
 * its detector view; the detectors copy them onto every leg; the schema accepts them.
 */
import { describe, expect, it } from 'vitest';
import { TradeSignalSchema } from '../src/core/messages.js';
import { detectArbitrage } from '../src/core/signals/arbitrage.js';
import { MarketPrice } from '../src/services/game-shard/market-price.js';
import { book, fixedContext } from './helpers/signal-books.js';

const NBA = { game_id: 'g-nba-1', sport: 'nba' as const };

describe('signal legs carry their book', () => {
  it('copies the levels, origin_ts and seq of each leg\'s book onto the leg', () => {
    const kalshi = { ...book('kalshi', 'home', { asks: [[0.45, 100], [0.47, 200]], bids: [[0.43, 100]] }), origin_ts: 1_700_000_000_000_100, seq: 41 };
    const poly = { ...book('poly', 'home', { bids: [[0.52, 50], [0.5, 300]], asks: [[0.54, 100]] }), origin_ts: 1_700_000_000_000_200, seq: 7 };
    const result = detectArbitrage({ game: NBA, books: [kalshi, poly] }, fixedContext());
    const signal = result.signal!.signal;
    expect(TradeSignalSchema.parse(signal)).toEqual(signal);
    expect(signal.legs.map((l) => l.book)).toEqual([
      { yes_bids: [[0.43, 100]], yes_asks: [[0.45, 100], [0.47, 200]], origin_ts: 1_700_000_000_000_100, seq: 41, book_seq: null },
      { yes_bids: [[0.52, 50], [0.5, 300]], yes_asks: [[0.54, 100]], origin_ts: 1_700_000_000_000_200, seq: 7, book_seq: null },
    ]);
    // A copy, not the caller's arrays (the shard reuses its level arrays on the next price).
    expect(signal.legs[0]!.book!.yes_asks).not.toBe(kalshi.yes_asks);
  });

  it('legs of books without an origin carry no book (callers that do not know it)', () => {
    const result = detectArbitrage(
      { game: NBA, books: [book('kalshi', 'home', { asks: [[0.45, 100]], bids: [[0.43, 100]] }), book('poly', 'home', { bids: [[0.52, 50]], asks: [[0.54, 100]] })] },
      fixedContext(),
    );
    expect(result.signal!.signal.legs.every((l) => l.book === undefined)).toBe(true);
  });

  it('the shard stamps the origin and seq of the price a market book came from', () => {
    const m = new MarketPrice('kalshi', 'K-1', 'g1', 'home', 'BOS');
    m.seq = 12;
    m.store({ venue: 'kalshi', market_id: 'K-1', game_id: 'g1', team: 'BOS', yes_bid: 0.4, yes_ask: 0.42, yes_bid_size: 5, yes_ask_size: 9, status: 'open' }, 1_000_000, 1_000_050, true);
    const view = m.refreshBook(1_000_100, 10_000_000);
    expect(view).toMatchObject({ origin_ts: 1_000_000, seq: 12, yes_bids: [[0.4, 5]], yes_asks: [[0.42, 9]] });
  });

  it('the schema refuses a carried book with more than 10 levels a side or a negative seq', () => {
    const result = detectArbitrage(
      { game: NBA, books: [{ ...book('kalshi', 'home', { asks: [[0.45, 100]], bids: [[0.43, 100]] }), origin_ts: 5, seq: 1 }, book('poly', 'home', { bids: [[0.52, 50]], asks: [[0.54, 100]] })] },
      fixedContext(),
    );
    const signal = result.signal!.signal;
    const leg = signal.legs[0]!;
    const many = Array.from({ length: 11 }, (_, i) => [0.3 - i / 100, 1] as const);
    expect(TradeSignalSchema.safeParse({ ...signal, legs: [{ ...leg, book: { ...leg.book!, yes_bids: many } }] }).success).toBe(false);
    expect(TradeSignalSchema.safeParse({ ...signal, legs: [{ ...leg, book: { ...leg.book!, seq: -1 } }] }).success).toBe(false);
  });
});
