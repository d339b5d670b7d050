import { describe, expect, it } from 'vitest';
import type { HotPublisher, PublishOptions } from '../../bus/hot-publisher.js';
import type { MessageData, MessageType, PriceUpdate } from '../../core/messages.js';
import { PriceUpdateSchema } from '../../core/messages.js';
import { Metrics } from '../../runtime/metrics.js';
import { MarketSlot } from './market-slot.js';
import { PricePublisher } from './price-publisher.js';

/**
 * An in-memory sink with the publisher's `publish` signature: the decisions (what, when, with
 * which origin) are tested here; the wire is covered by test/*-monitor.test.ts over real ZMQ.
 */
class RecordingPublisher implements Pick<HotPublisher, 'publish'> {
  readonly sent: { topic: string; data: PriceUpdate; originTs: number | undefined }[] = [];
  publish<T extends MessageType>(topic: string, _type: T, data: MessageData<T>, opts?: PublishOptions): string {
    this.sent.push({ topic, data: PriceUpdateSchema.parse(data), originTs: opts?.originTs });
    return String(this.sent.length);
  }
}

function setup() {
  const rec = new RecordingPublisher();
  const metrics = new Metrics();
  const prices = new PricePublisher(rec, metrics);
  const slot = new MarketSlot({ venue: 'kalshi', marketId: 'KX-A', gameId: 'g1', team: 'BOS', outcome: 'away' });
  return { rec, metrics, prices, slot };
}

const top = (yesBid: number | null, yesAsk: number | null, yesBidSize = 10, yesAskSize = 10) => ({ yesBid, yesAsk, yesBidSize, yesAskSize });

describe('PricePublisher', () => {
  it('publishes a top once, with origin_ts from the venue frame, and skips an identical top', () => {
    const { rec, prices, slot } = setup();
    expect(prices.onTop(slot, top(0.4, 0.42), 111)).toBe(true);
    expect(prices.onTop(slot, top(0.4, 0.42), 222)).toBe(false);
    expect(rec.sent).toHaveLength(1);
    expect(rec.sent[0]).toMatchObject({ topic: 'prices.kalshi.KX-A', originTs: 111 });
    expect(rec.sent[0]!.data).toMatchObject({ game_id: 'g1', team: 'BOS', yes_bid: 0.4, yes_ask: 0.42, status: 'open' });
    expect(prices.onTop(slot, top(0.4, 0.42, 11), 333)).toBe(true);
  });

  it('halts once with no prices, never before anything was published, and reopens on the same top', () => {
    const { rec, prices, slot, metrics } = setup();
    expect(prices.onInvalid(slot, 1)).toBe(false);
    prices.onTop(slot, top(0.4, 0.42), 2);
    expect(prices.onInvalid(slot, 3)).toBe(true);
    expect(prices.onInvalid(slot, 4)).toBe(false);
    expect(rec.sent[1]!.data).toMatchObject({ status: 'halted', yes_bid: null, yes_ask: null, yes_bid_size: 0, yes_ask_size: 0 });
    expect(prices.onTop(slot, top(0.4, 0.42), 5)).toBe(true);
    expect(rec.sent[2]!.data.status).toBe('open');
    expect(metrics.get('prices_halted')).toBe(1);
  });

  it('an empty valid book is open with null prices', () => {
    const { rec, prices, slot } = setup();
    prices.onTop(slot, top(null, null, 0, 0), 1);
    expect(rec.sent[0]!.data).toMatchObject({ status: 'open', yes_bid: null, yes_ask: null });
  });

  it('settled is final: later book changes are not published', () => {
    const { rec, prices, slot } = setup();
    prices.onTop(slot, top(0.9, 0.95), 1);
    expect(prices.onSettled(slot, 1, 2)).toBe(true);
    expect(prices.onTop(slot, top(0.1, 0.2), 3)).toBe(false);
    expect(prices.onInvalid(slot, 4)).toBe(false);
    expect(rec.sent.at(-1)!.data).toMatchObject({ status: 'settled', last_price: 1 });
  });

  it('republishes the last state with new labels when the assignment changes', () => {
    const { rec, prices, slot } = setup();
    prices.onTop(slot, top(0.4, 0.42), 7);
    slot.assignment = { ...slot.assignment, team: 'LAL', gameId: 'g2' };
    prices.republish(slot);
    expect(rec.sent.at(-1)).toMatchObject({ originTs: 7, data: { team: 'LAL', game_id: 'g2', yes_bid: 0.4 } });
  });
});
