/**
 * execution_service with EXEC_MARKET_SUBSCRIPTION=quotes (the default, issue 13): it hears no
 * price message at all, only the monitors' quote snapshots (one message per monitor and interval
 * with every changed market's top). Paper orders fill against the levels a signal carries, or a
 * newer quote's top, never an older one; a halted or settled quote acts like the price did.
 * Real ZMQ and Redis, a stand-in publisher service.
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
  await h.startExec({ EXEC_MARKET_SUBSCRIPTION: 'quotes', EXEC_BANKROLL_USD: '1000' });
}, 60_000);

afterAll(async () => {
  await h.close();
});

const carried = (originTs: number, asks: [number, number][]): LegBook => ({ yes_bids: [[0.4, 50]], yes_asks: asks, origin_ts: originTs, seq: 1, book_seq: null });
const withBook = (signal: TradeSignal, book: LegBook): TradeSignal => ({ ...signal, legs: signal.legs.map((l) => ({ ...l, book })) });

function quote(marketId: string, ask: number | null, askSize: number, status: PriceUpdate['status'] = 'open', lastPrice?: number): PriceUpdate {
  const open = status === 'open';
  return { venue: 'kalshi', market_id: marketId, game_id: 'g1', team: 'LAL', yes_bid: open ? 0.4 : null, yes_ask: open ? ask : null, yes_bid_size: open ? 50 : 0, yes_ask_size: open ? askSize : 0, status, ...(lastPrice === undefined ? {} : { last_price: lastPrice }) };
}

describe('execution_service on quote snapshots', () => {
  it('hears no price message, even of a market it holds', async () => {
    const market = `KXQ0-${h.uid}`;
    const signal = withBook(modelSignal({ marketId: market, yesPrice: 0.5, contracts: 2, modelProb: null }), carried(nowMicros() - 1_000, [[0.48, 10]]));
    h.publishSignal(signal);
    expect((await h.waitTrade(signal.signal_id)).status).toBe('filled');
    await sleep(400);
    const before = (await h.metrics())['sub.received'] ?? 0;
    for (let i = 0; i < 10; i++) h.publishPrice(quote(market, 0.6, 1 + i));
    await sleep(500); // two heartbeats
    expect(((await h.metrics())['sub.received'] ?? 0) - before).toBe(0);
  });

  it('never fills on a quote older than the signal, and takes a newer quote over the carried levels', async () => {
    const market = `KXQ1-${h.uid}`;
    const t0 = nowMicros();
    // A quote made before the levels the signal carries: the carried levels win.
    h.publishQuotes([quote(market, 0.42, 100)], t0 - 5_000);
    await sleep(200);
    const first = withBook(modelSignal({ marketId: market, yesPrice: 0.45, contracts: 50, modelProb: null }), carried(t0 - 1_000, [[0.43, 7]]));
    h.publishSignal(first);
    expect((await h.waitTrade(first.signal_id)).fills.map((f) => [f.yes_price, f.contracts])).toEqual([[0.43, 7]]);
    // A quote made after the levels of the next signal: the newer top wins.
    h.publishQuotes([quote(`KXQ-OTHER-${h.uid}`, 0.3, 5), quote(market, 0.41, 3)], t0 + 1_000);
    await sleep(200);
    const second = withBook(modelSignal({ marketId: market, yesPrice: 0.42, contracts: 50, modelProb: null }), carried(t0, [[0.42, 40]]));
    h.publishSignal(second);
    const trade = await h.waitTrade(second.signal_id);
    expect(trade.reason).toBeNull();
    expect(trade.fills.map((f) => [f.yes_price, f.contracts])).toEqual([[0.41, 3]]);
  });

  it('a halted quote stops paper fills on the market; a settled one settles the position held', async () => {
    const market = `KXQ2-${h.uid}`;
    const t0 = nowMicros();
    const buy = withBook(modelSignal({ marketId: market, yesPrice: 0.5, contracts: 3, modelProb: null }), carried(t0 - 1_000, [[0.48, 10]]));
    h.publishSignal(buy);
    expect((await h.waitTrade(buy.signal_id)).status).toBe('filled');
    h.publishQuotes([quote(market, null, 0, 'halted')], t0 + 1_000);
    await sleep(200);
    const during = withBook(modelSignal({ marketId: market, yesPrice: 0.5, contracts: 3, modelProb: null }), carried(t0, [[0.48, 10]]));
    h.publishSignal(during);
    const refused = await h.waitTrade(during.signal_id);
    expect(refused.status).toBe('rejected');
    expect(refused.reason).toMatch(/halted/);
    h.publishQuotes([quote(market, null, 0, 'settled', 1)], t0 + 2_000);
    await eventually(async () => (await h.audit()).some((a) => a.event === 'completed' && a.source_id === `kalshi:${market}`), 5_000, 'settlement audited');
  });
});
