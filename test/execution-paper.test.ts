/**
 * execution_service in paper mode, end to end over real ZMQ and Redis: books and signals are
 * published on the hot path by a stand-in service, the service fills against the book it heard
 * (levels walked, partial fills, venue fees), and every outcome lands on trades.completed.<id>
 * and in the durable trades:completed stream, with its audit trail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FEES, feeCc } from '../src/core/fees.js';
import { kellySize } from '../src/core/sizing/kelly.js';
import { nowMicros } from '../src/core/time.js';
import { eventually } from './helpers/redis.js';
import { ExecHarness, modelSignal } from './execution-harness.js';

const h = new ExecHarness();

beforeAll(async () => {
  await h.startSource();
  await h.startExec({ EXEC_BANKROLL_USD: '1000' });
}, 60_000);

afterAll(async () => {
  await h.close();
});

describe('paper fills against the book heard on the hot path', () => {
  it('walks the asks to the limit, partial fill, Kalshi fees; TradeCompleted on the hot path and in trades:completed with origin_ts and cause', async () => {
    const market = `KXP1-${h.uid}`;
    h.publishBook('kalshi', market, [[0.4, 50]], [[0.42, 10], [0.44, 5], [0.47, 100]]);
    await new Promise((r) => setTimeout(r, 100));
    // No model probability: the signal's size (30), capped by the depth within the 0.45 limit (15).
    const signal = modelSignal({ marketId: market, yesPrice: 0.45, contracts: 30, modelProb: null });
    const origin = nowMicros() - 5_000;
    const cause = h.publishSignal(signal, origin);
    const trade = await h.waitTrade(signal.signal_id);
    expect(trade).toMatchObject({ trade_id: signal.signal_id, source: 'signal', mode: 'paper', status: 'filled', game_id: 'g1', sport: 'nba' });
    expect(trade.fills.map((f) => [f.yes_price, f.contracts])).toEqual([[0.42, 10], [0.44, 5]]);
    // One Kalshi fee for the order, rounded up to the cent once: 1706 + 863 cc -> 2600 cc.
    expect(trade.fills.reduce((s, f) => s + f.fee_cc, 0)).toBe(2600);
    const [entry] = (await h.streamTrades()).filter((t) => t.trade.source_id === signal.signal_id);
    expect(entry!.fields).toMatchObject({ type: 'trade_completed', topic: `trades.completed.${signal.signal_id}`, origin_ts: String(origin), cause });
    await eventually(() => h.heard.some((x) => x.trade.trade_id === signal.signal_id), 5_000, 'hot-path trade');
    const hot = h.heard.find((x) => x.trade.trade_id === signal.signal_id)!;
    expect(hot.originTs).toBe(origin);
    expect(hot.cause).toBe(cause);
    expect(hot.topic).toBe(`trades.completed.${signal.signal_id}`);
  });

  it('sizes a model signal by fractional Kelly on the fee-net edge and consumes the levels it took', async () => {
    const market = `KXP2-${h.uid}`;
    const asks: [number, number][] = [[0.5, 40], [0.52, 400]];
    h.publishBook('kalshi', market, [[0.48, 50]], asks);
    await new Promise((r) => setTimeout(r, 100));
    const signal = modelSignal({ marketId: market, yesPrice: 0.53, contracts: 1000, modelProb: 0.6 });
    h.publishSignal(signal);
    const trade = await h.waitTrade(signal.signal_id);
    // Cash now: $1000 minus the first test's 64000 cc + 2600 cc fee. Cap: the $100 order notional at the 0.53 limit = 188.
    const expected = kellySize(
      { side: 'yes', modelYesProb: 0.6, book: { yes_bids: [[0.48, 50]], yes_asks: asks }, entryFee: DEFAULT_FEES.kalshi, exitFee: DEFAULT_FEES.kalshi, bankrollCc: 10_000_000 - 66_600, limitYesPrice: 0.53, maxContracts: 188 },
      { fraction: 0.25 },
    );
    const filled = trade.fills.reduce((s, f) => s + f.contracts, 0);
    expect(expected.contracts).toBeGreaterThan(40); // the walk reaches the second level
    expect(filled).toBe(expected.contracts);
    expect(trade.fills.map((f) => f.yes_price)).toEqual([0.5, 0.52]);
    expect(trade.status).toBe('filled');
    // The same book again: the first 40 at 0.50 are gone from the paper book, so this one pays 0.52.
    const again = modelSignal({ marketId: market, yesPrice: 0.53, contracts: 5, modelProb: null });
    h.publishSignal(again);
    const second = await h.waitTrade(again.signal_id);
    expect(second.fills.every((f) => f.yes_price === 0.52)).toBe(true);
  });

  it('buys NO against the YES bids with Polymarket fees', async () => {
    const token = `71${h.uid.replace(/[a-f]/g, '1')}`;
    h.publishBook('poly', token, [[0.4, 8], [0.38, 20]], [[0.42, 10]]);
    await new Promise((r) => setTimeout(r, 100));
    const signal = modelSignal({ venue: 'poly', marketId: token, side: 'no', yesPrice: 0.39, contracts: 10, modelProb: null });
    h.publishSignal(signal);
    const trade = await h.waitTrade(signal.signal_id);
    expect(trade.status).toBe('filled');
    expect(trade.fills).toEqual([expect.objectContaining({ venue: 'poly', side: 'no', action: 'buy', yes_price: 0.4, contracts: 8, fee_cc: feeCc(DEFAULT_FEES.poly, 8, 0.4) })]);
  });
});

describe('bad input ends in a recorded, explained state', () => {
  it('a malformed signal is rejected with EXEC_MALFORMED (stream and audit); the service keeps going', async () => {
    const bad = { ...modelSignal({ marketId: 'KX-BAD', yesPrice: 0.5, contracts: 5, modelProb: null }), legs: [] };
    h.publishRawSignal(bad.signal_id, bad);
    // A frame whose data is not even an object is dropped (and counted) by the bus decoder itself.
    h.publishRawSignal('garbage', { signal_id: 7, legs: 'none' });
    const trade = await h.waitTrade(bad.signal_id);
    expect(trade.status).toBe('rejected');
    expect(trade.reason).toMatch(/^EXEC_MALFORMED: legs/);
    await eventually(async () => (await h.audit()).filter((a) => a.event === 'signal_malformed').length >= 2, 5_000, 'two malformed audits');
  });

  it('an expired signal is rejected with RISK_EXPIRED', async () => {
    const market = `KXP3-${h.uid}`;
    h.publishBook('kalshi', market, [[0.4, 50]], [[0.42, 50]]);
    await new Promise((r) => setTimeout(r, 100));
    const signal = modelSignal({ marketId: market, yesPrice: 0.45, contracts: 5, modelProb: null, createdTs: nowMicros() - 20_000_000, ttlUs: 10_000_000 });
    h.publishSignal(signal);
    const trade = await h.waitTrade(signal.signal_id);
    expect(trade).toMatchObject({ status: 'rejected', fills: [] });
    expect(trade.reason).toMatch(/^RISK_EXPIRED/);
  });

  it('a signal for a market without a book is rejected with RISK_NO_BOOK', async () => {
    const signal = modelSignal({ marketId: `KX-NOBOOK-${h.uid}`, yesPrice: 0.45, contracts: 5, modelProb: null });
    h.publishSignal(signal);
    const trade = await h.waitTrade(signal.signal_id);
    expect(trade.reason).toMatch(/^RISK_NO_BOOK: no book received/);
  });

  it('a duplicate signal executes once; the copies are recorded as EXEC_DUPLICATE rejections with their own trade ids', async () => {
    const market = `KXP4-${h.uid}`;
    h.publishBook('kalshi', market, [[0.4, 50]], [[0.42, 50]]);
    await new Promise((r) => setTimeout(r, 100));
    const signal = modelSignal({ marketId: market, yesPrice: 0.45, contracts: 3, modelProb: null });
    h.publishSignal(signal);
    h.publishSignal(signal);
    h.publishSignal(signal);
    await eventually(async () => (await h.tradesFor(signal.signal_id)).length === 3, 5_000, 'three records');
    const trades = await h.tradesFor(signal.signal_id);
    const filled = trades.filter((t) => t.status === 'filled');
    expect(filled).toHaveLength(1);
    expect(filled[0]!.fills.reduce((s, f) => s + f.contracts, 0)).toBe(3);
    const dups = trades.filter((t) => t.status === 'rejected');
    expect(dups).toHaveLength(2);
    for (const d of dups) expect(d.reason).toMatch(/^EXEC_DUPLICATE/);
    expect(new Set(trades.map((t) => t.trade_id)).size).toBe(3);
  });

  it('a signal an earlier run already decided is EXEC_DUPLICATE, sends nothing and keeps nothing reserved', async () => {
    const market = `KXP4b-${h.uid}`;
    h.publishBook('kalshi', market, [[0.4, 50]], [[0.42, 5], [0.45, 50]]);
    await new Promise((r) => setTimeout(r, 100));
    const signal = modelSignal({ marketId: market, yesPrice: 0.45, contracts: 5, modelProb: null });
    const earlier = { source: 'signal', sourceId: signal.signal_id, state: 'done', legs: [], updatedMs: Date.now() - 60_000 };
    await h.redis.set(`${h.prefix}exec:decision:signal:${signal.signal_id}`, JSON.stringify(earlier));
    h.publishSignal(signal);
    const dup = await h.waitTrade(signal.signal_id);
    expect(dup).toMatchObject({ status: 'rejected', fills: [] });
    expect(dup.reason).toMatch(/^EXEC_DUPLICATE: already done/);
    expect((await h.audit()).some((a) => a.event === 'accepted' && a.source_id === signal.signal_id)).toBe(false);
    // Its plan took nothing: the five at 0.42 are still there for the next signal.
    const next = modelSignal({ marketId: market, yesPrice: 0.45, contracts: 5, modelProb: null });
    h.publishSignal(next);
    const t = await h.waitTrade(next.signal_id);
    expect(t.fills.map((f) => [f.yes_price, f.contracts])).toEqual([[0.42, 5]]);
  });

  it('a halted market (prices.* status halted) is not traded', async () => {
    const market = `KXP5-${h.uid}`;
    h.publishBook('kalshi', market, [[0.4, 50]], [[0.42, 50]]);
    h.publishPrice({ venue: 'kalshi', market_id: market, game_id: 'g1', team: 'LAL', yes_bid: null, yes_ask: null, yes_bid_size: 0, yes_ask_size: 0, status: 'halted' });
    await new Promise((r) => setTimeout(r, 100));
    const signal = modelSignal({ marketId: market, yesPrice: 0.45, contracts: 5, modelProb: null });
    h.publishSignal(signal);
    const trade = await h.waitTrade(signal.signal_id);
    expect(trade.reason).toMatch(/^RISK_NO_BOOK: .* is halted/);
  });

  it('writes an audit record for every decision step', async () => {
    const events = new Set((await h.audit()).map((a) => a.event));
    for (const e of ['signal_received', 'accepted', 'order_sent', 'leg_outcome', 'completed', 'rejected', 'duplicate_detected', 'signal_malformed']) expect(events).toContain(e);
  });
});
