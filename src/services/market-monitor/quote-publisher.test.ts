import { describe, expect, it } from 'vitest';
import type { HotPublisher } from '../../bus/hot-publisher.js';
import { checkQuoteSnapshot } from '../../core/message-checks.js';
import { QuoteSnapshotSchema, type MessageData, type MessageType, type QuoteSnapshot } from '../../core/messages.js';
import { Metrics } from '../../runtime/metrics.js';
import { MarketSlot } from './market-slot.js';
import { PricePublisher } from './price-publisher.js';
import { QuotePublisher } from './quote-publisher.js';

/** An in-memory sink with the publisher's `publish` signature (the wire is covered by test/kalshi-monitor.test.ts). */
class RecordingPublisher implements Pick<HotPublisher, 'publish'> {
  readonly sent: { topic: string; type: string; data: unknown }[] = [];
  publish<T extends MessageType>(topic: string, type: T, data: MessageData<T>): string {
    this.sent.push({ topic, type, data });
    return String(this.sent.length);
  }
  snapshots(): QuoteSnapshot[] {
    return this.sent.filter((m) => m.type === 'quotes').map((m) => QuoteSnapshotSchema.parse(m.data));
  }
}

function setup(intervalMs: number) {
  const rec = new RecordingPublisher();
  const metrics = new Metrics();
  const quotes = new QuotePublisher({ publisher: rec, metrics, venue: 'kalshi', topic: 'quotes.kalshi.m0', intervalMs });
  const prices = new PricePublisher(rec, metrics, quotes);
  const slots = ['KX-A', 'KX-B', 'KX-C'].map((id) => new MarketSlot({ venue: 'kalshi', marketId: id, gameId: 'g1', team: 'BOS', outcome: 'home' }));
  return { rec, quotes, prices, slots };
}

const top = (yesBid: number, yesAsk: number, size = 10) => ({ yesBid, yesAsk, yesBidSize: size, yesAskSize: size });
const nextTurn = () => new Promise((r) => setImmediate(r));

describe('QuotePublisher', () => {
  it('sends one snapshot an interval with the latest quote of each changed market only', async () => {
    const { rec, quotes, prices, slots } = setup(60_000);
    const [a, b] = slots;
    for (let i = 1; i <= 20; i++) prices.onTop(a!, top(0.4, 0.42, i), 1_000 + i);
    prices.onTop(b!, top(0.6, 0.62), 5_000);
    await nextTurn();
    expect(rec.snapshots()).toHaveLength(0); // waits for the interval
    quotes.flush();
    const [snap] = rec.snapshots();
    expect(snap!.quotes).toHaveLength(2);
    expect(snap!.quotes.find((q) => q.market_id === 'KX-A')).toMatchObject({ yes_bid_size: 20, origin_ts: 1_020, status: 'open' });
    expect(snap!.quotes.find((q) => q.market_id === 'KX-B')).toMatchObject({ yes_bid: 0.6, origin_ts: 5_000 });
    expect(checkQuoteSnapshot(snap)).toBeNull();
    quotes.flush();
    expect(rec.snapshots()).toHaveLength(1); // nothing changed since: nothing sent
    quotes.stop();
  });

  it('sends a halt or a settlement on the next turn, not at the next interval', async () => {
    const { rec, quotes, prices, slots } = setup(60_000);
    const [a, b] = slots;
    prices.onTop(a!, top(0.4, 0.42), 1);
    prices.onTop(b!, top(0.5, 0.52), 2);
    prices.onSettled(b!, 1, 3);
    await nextTurn();
    const [snap] = rec.snapshots();
    expect(snap!.quotes.map((q) => [q.market_id, q.status])).toEqual([
      ['KX-A', 'open'],
      ['KX-B', 'settled'],
    ]);
    expect(snap!.quotes[1]).toMatchObject({ last_price: 1, yes_bid: null, yes_ask: null });
    prices.onInvalid(a!, 4);
    await nextTurn();
    expect(rec.snapshots().at(-1)!.quotes).toEqual([expect.objectContaining({ market_id: 'KX-A', status: 'halted', origin_ts: 4 })]);
    quotes.stop();
  });

  it('splits a snapshot above the per-message limit and forgets a market no longer assigned', () => {
    const { rec, quotes, prices } = setup(60_000);
    const many = Array.from({ length: 1_500 }, (_, i) => new MarketSlot({ venue: 'kalshi', marketId: `M${i}`, gameId: 'g1', team: null, outcome: 'home' }));
    many.forEach((s, i) => prices.onTop(s, top(0.3, 0.32), i));
    quotes.forget('M0');
    quotes.flush();
    const sizes = rec.snapshots().map((s) => s.quotes.length);
    expect(sizes).toEqual([1_000, 499]);
    expect(rec.snapshots().flatMap((s) => s.quotes).some((q) => q.market_id === 'M0')).toBe(false);
    quotes.stop();
  });
});
