/**
 * execution_service in `follow` mode (issue 13; the default is now `quotes`, test/execution-quotes.test.ts): it hears the prices of only the
 * markets it has a live signal, a position or an order in doubt on (exact topics, filtered at
 * the ZMQ publisher), and fills paper orders against the book each signal leg carries, or a
 * fresher one, never an older one. Real ZMQ and Redis, a stand-in publisher service.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LegBook, PriceUpdate, TradeSignal } from '../src/core/messages.js';
import { nowMicros } from '../src/core/time.js';
import { eventually } from './helpers/redis.js';
import { ExecHarness, modelSignal } from './execution-harness.js';

const h = new ExecHarness();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  await h.startSource();
  await h.startExec({ EXEC_MARKET_SUBSCRIPTION: 'follow', EXEC_FOLLOW_SYNC_MS: '50', EXEC_FOLLOW_GRACE_MS: '0', EXEC_BANKROLL_USD: '1000' });
}, 60_000);

afterAll(async () => {
  await h.close();
});

function carried(originTs: number, asks: [number, number][], bids: [number, number][] = [[0.4, 50]]): LegBook {
  return { yes_bids: bids, yes_asks: asks, origin_ts: originTs, seq: 1, book_seq: null };
}

function withBook(signal: TradeSignal, book: LegBook): TradeSignal {
  return { ...signal, legs: signal.legs.map((l) => ({ ...l, book })) };
}

function price(marketId: string, ask: number, askSize: number, status: PriceUpdate['status'] = 'open', lastPrice?: number): PriceUpdate {
  return { venue: 'kalshi', market_id: marketId, game_id: 'g1', team: 'LAL', yes_bid: status === 'open' ? 0.4 : null, yes_ask: status === 'open' ? ask : null, yes_bid_size: status === 'open' ? 50 : 0, yes_ask_size: status === 'open' ? askSize : 0, status, ...(lastPrice === undefined ? {} : { last_price: lastPrice }) };
}

/** Publishes a few prices of a market and returns how many frames the market subscriber received meanwhile. */
async function framesHeardFor(marketId: string): Promise<number> {
  await sleep(250);
  const before = (await h.metrics())['sub.received'] ?? 0;
  for (let i = 0; i < 5; i++) h.publishPrice(price(marketId, 0.6, 1 + i));
  await sleep(400); // two heartbeats
  return ((await h.metrics())['sub.received'] ?? 0) - before;
}

describe('signals carry the book they were priced on', () => {
  it('fills a paper order against the carried levels when no book of the market was ever heard', async () => {
    const market = `KXF1-${h.uid}`;
    const signal = withBook(modelSignal({ marketId: market, yesPrice: 0.45, contracts: 30, modelProb: null }), carried(nowMicros() - 2_000, [[0.42, 10], [0.44, 5], [0.47, 100]]));
    h.publishSignal(signal);
    const trade = await h.waitTrade(signal.signal_id);
    expect(trade.reason).toBeNull();
    expect(trade.status).toBe('filled');
    expect(trade.fills.map((f) => [f.yes_price, f.contracts])).toEqual([[0.42, 10], [0.44, 5]]);
  });

  it('a signal without a carried book and no book heard is rejected RISK_NO_BOOK', async () => {
    const signal = modelSignal({ marketId: `KXF0-${h.uid}`, yesPrice: 0.45, contracts: 3, modelProb: null });
    h.publishSignal(signal);
    const trade = await h.waitTrade(signal.signal_id);
    expect(trade.status).toBe('rejected');
    expect(trade.reason).toContain('RISK_NO_BOOK');
  });

  it('never fills on a book older than its signal, and takes a fresher book over the carried one', async () => {
    const market = `KXF2-${h.uid}`;
    const t0 = nowMicros();
    // First signal: the market is followed from now on (its price topic subscribed).
    const first = withBook(modelSignal({ marketId: market, yesPrice: 0.45, contracts: 1, modelProb: null }), carried(t0 - 10_000, [[0.44, 1]]));
    h.publishSignal(first);
    await h.waitTrade(first.signal_id);
    await sleep(200);
    // A price heard before the next signal, made earlier than the levels that signal carries: not used.
    h.publishPrice(price(market, 0.42, 100), t0 - 5_000);
    await sleep(200);
    const second = withBook(modelSignal({ marketId: market, yesPrice: 0.45, contracts: 50, modelProb: null }), carried(t0 - 1_000, [[0.43, 7]]));
    h.publishSignal(second);
    const t2 = await h.waitTrade(second.signal_id);
    expect(t2.fills.map((f) => [f.yes_price, f.contracts])).toEqual([[0.43, 7]]);
    // A price made after the levels of the next signal: the fresher book wins.
    h.publishPrice(price(market, 0.41, 3), t0 + 1_000);
    await sleep(200);
    const third = withBook(modelSignal({ marketId: market, yesPrice: 0.42, contracts: 50, modelProb: null }), carried(t0, [[0.42, 40]]));
    h.publishSignal(third);
    const t3 = await h.waitTrade(third.signal_id);
    expect(t3.reason).toBeNull();
    expect(t3.fills.map((f) => [f.yes_price, f.contracts])).toEqual([[0.41, 3]]);
  });
});

describe('dynamic market subscriptions', () => {
  it('follows a newly traded market and drops it once the position is closed', async () => {
    const market = `KXF3-${h.uid}`;
    // Not followed yet: its prices never reach the service (filtered at the publisher).
    expect(await framesHeardFor(market)).toBe(0);

    const signal = withBook(modelSignal({ marketId: market, yesPrice: 0.5, contracts: 4, modelProb: null, ttlUs: 200_000 }), carried(nowMicros() - 1_000, [[0.48, 10]]));
    h.publishSignal(signal);
    const trade = await h.waitTrade(signal.signal_id);
    expect(trade.status).toBe('filled');
    // The signal has expired (grace 0), but the position keeps the market followed.
    await sleep(400);
    expect(await framesHeardFor(market)).toBeGreaterThanOrEqual(5);

    const droppedBefore = (await h.metrics())['follow.dropped_total'] ?? 0;
    h.publishPrice(price(market, 0, 0, 'settled', 1));
    await eventually(async () => (await h.audit()).some((a) => a.event === 'completed' && a.source_id === `kalshi:${market}`), 5_000, 'settlement audited');
    await eventually(async () => ((await h.metrics())['follow.dropped_total'] ?? 0) > droppedBefore, 5_000, 'market dropped');
    expect(await framesHeardFor(market)).toBe(0);
  });
});
