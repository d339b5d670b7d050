/**
 * The hand-written checks of `price`, `orderbook`, `quotes` and `position` (core/message-checks.ts) accept exactly what
 * the zod schemas accept: fast-check over field values mixing valid ones, edge cases and garbage.
 * Then the subscriber: trusted by default, zod with ARBEES_BUS_VALIDATION=full, same verdicts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkOrderBook, checkPosition, checkPriceUpdate, checkQuoteSnapshot } from '../src/core/message-checks.js';
import { OrderBookSchema, PositionSchema, PriceUpdateSchema, QuoteSnapshotSchema } from '../src/core/messages.js';
import { HotSubscriber } from '../src/bus/hot-subscriber.js';
import { EnvelopeCodec } from '../src/bus/codec.js';

const garbage = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.constant(NaN),
  fc.constant(Infinity),
  fc.constant(-1),
  fc.constant(1.5),
  fc.constant(''),
  fc.constant('x'.repeat(129)),
  fc.string(),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
);
const price = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 1));
const size = fc.oneof(fc.double({ min: 0, max: 1e9, noNaN: true }), fc.nat());
const id = fc.string({ minLength: 1, maxLength: 128 });
const venue = fc.constantFrom('kalshi', 'poly');
const maybe = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: garbage });
const optional = <T>(valid: fc.Arbitrary<T>) => fc.option(maybe(valid), { nil: undefined });

const priceLike = fc.record(
  {
    venue: maybe(venue),
    market_id: maybe(id),
    game_id: maybe(fc.option(id, { nil: null })),
    team: maybe(fc.option(fc.string(), { nil: null })),
    yes_bid: maybe(fc.option(price, { nil: null })),
    yes_ask: maybe(fc.option(price, { nil: null })),
    yes_bid_size: maybe(size),
    yes_ask_size: maybe(size),
    last_price: optional(fc.option(price, { nil: null })),
    status: maybe(fc.constantFrom('open', 'closed', 'halted', 'settled')),
    venue_ts: optional(fc.option(fc.nat(), { nil: null })),
  },
  { requiredKeys: [] },
);

const level = fc.oneof({ weight: 6, arbitrary: fc.tuple(price, size) }, { weight: 1, arbitrary: fc.array(maybe(price), { maxLength: 3 }) });
const bookLike = fc.record(
  {
    venue: maybe(venue),
    market_id: maybe(id),
    game_id: maybe(fc.option(id, { nil: null })),
    book_seq: maybe(fc.option(fc.integer(), { nil: null })),
    yes_bids: maybe(fc.array(level, { maxLength: 4 })),
    yes_asks: maybe(fc.array(level, { maxLength: 4 })),
  },
  { requiredKeys: [] },
);

const quoteLike = fc.tuple(priceLike, maybe(fc.nat())).map(([p, origin]) => (typeof p === 'object' ? { ...p, origin_ts: origin } : p));
const snapshotLike = fc.record(
  {
    venue: maybe(venue),
    quotes: maybe(fc.array(fc.oneof({ weight: 3, arbitrary: quoteLike }, { weight: 1, arbitrary: garbage }), { maxLength: 4 })),
  },
  { requiredKeys: [] },
);

/** Mostly valid, now and then a near miss or garbage: 17 fields must all pass for a valid position. */
const mostly = <T>(valid: fc.Arbitrary<T>, nearMiss?: fc.Arbitrary<unknown>) =>
  fc.oneof({ weight: 40, arbitrary: valid as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: nearMiss ?? garbage }, { weight: 1, arbitrary: garbage });
const money = fc.oneof(fc.integer(), fc.constant(Number.MAX_SAFE_INTEGER));
const quantity = fc.oneof(fc.nat(), fc.constantFrom(0.5, 1.000001, 2.123456));
const positionLike = fc.record(
  {
    position_id: mostly(id),
    game_id: mostly(id),
    sport: mostly(fc.constantFrom('nba', 'NBA', 'Nfl', 'epl'), fc.constant('cricket')),
    venue: mostly(venue),
    market_id: mostly(id),
    team: mostly(fc.option(fc.string(), { nil: null })),
    side: mostly(fc.constantFrom('yes', 'no'), fc.constant('YES')),
    state: mostly(fc.constantFrom('open', 'closed', 'settled'), fc.constant('gone')),
    contracts: mostly(quantity, fc.constantFrom(1.0000001, -1)),
    avg_yes_price: mostly(price, fc.constant(1.01)),
    mark_yes_price: mostly(fc.option(price, { nil: null }), fc.constant(undefined)),
    cost_cc: mostly(money, fc.constantFrom(2 ** 60, 0.5)),
    fees_cc: mostly(money),
    realized_pnl_cc: mostly(money),
    unrealized_pnl_cc: mostly(money),
    opened_ts: mostly(fc.nat(), fc.constant(-1)),
    updated_ts: mostly(fc.nat()),
  },
  { requiredKeys: [] },
);

describe('hand checks agree with the schemas', () => {
  it('position: accepted by the check exactly when zod accepts it, with the sport as zod gives it', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof(positionLike, garbage), (d) => {
        const parsed = PositionSchema.safeParse(d);
        const copy = typeof d === 'object' && d !== null && !Array.isArray(d) ? { ...d } : d;
        expect(checkPosition(copy) === null).toBe(parsed.success);
        if (parsed.success) {
          accepted++;
          expect((copy as { sport: string }).sport).toBe(parsed.data.sport);
        }
      }),
      { numRuns: 10_000 },
    );
    expect(accepted).toBeGreaterThan(10); // the property saw valid positions, not only garbage
  });

  it('quotes: accepted by the check exactly when zod accepts it', () => {
    fc.assert(
      fc.property(fc.oneof(snapshotLike, garbage), (d) => {
        expect(checkQuoteSnapshot(d) === null).toBe(QuoteSnapshotSchema.safeParse(d).success);
      }),
      { numRuns: 3000 },
    );
  });

  it('price: accepted by the check exactly when zod accepts it', () => {
    fc.assert(
      fc.property(fc.oneof(priceLike, garbage), (d) => {
        expect(checkPriceUpdate(d) === null).toBe(PriceUpdateSchema.safeParse(d).success);
      }),
      { numRuns: 3000 },
    );
  });

  it('orderbook: accepted by the check exactly when zod accepts it', () => {
    fc.assert(
      fc.property(fc.oneof(bookLike, garbage), (d) => {
        expect(checkOrderBook(d) === null).toBe(OrderBookSchema.safeParse(d).success);
      }),
      { numRuns: 3000 },
    );
  });

  it('names the field at fault', () => {
    const ok = { venue: 'kalshi', market_id: 'K1', game_id: null, team: null, yes_bid: 0.4, yes_ask: 0.42, yes_bid_size: 5, yes_ask_size: 3, status: 'open' };
    expect(checkPriceUpdate(ok)).toBeNull();
    expect(checkPriceUpdate({ ...ok, yes_ask: 1.2 })).toBe('yes_ask');
    expect(checkPriceUpdate({ ...ok, status: 'gone' })).toBe('status');
    expect(checkOrderBook({ venue: 'poly', market_id: 'P', game_id: 'g', book_seq: null, yes_bids: [[0.4, 1]], yes_asks: [[0.5, -1]] })).toBe('yes_asks');
  });
});

class LocalSubscriber extends HotSubscriber {
  protected addTransportSubscription(): void {}
  protected removeTransportSubscription(): void {}
  async close(): Promise<void> {}
  feed(topic: string, data: unknown): void {
    const envelope = { v: 1, type: 'price', id: 'x', src: 's.0', seq: ++this.seq, ts: 1, origin_ts: 1, data };
    this.handleFrame(topic, new EnvelopeCodec().encode(envelope));
  }
  seq = 0;
}

describe('subscriber validation modes', () => {
  const good = { venue: 'kalshi', market_id: 'K1', game_id: null, team: null, yes_bid: 0.4, yes_ask: 0.42, yes_bid_size: 5, yes_ask_size: 3, status: 'open', extra: 1 };
  for (const fullValidation of [false, true]) {
    it(`fullValidation ${fullValidation}: same verdicts; only zod strips unknown keys`, () => {
      const heard: unknown[] = [];
      const sub = new LocalSubscriber({ fullValidation }).onMessage((_t, e) => void heard.push(e.data));
      sub.subscribe('prices.');
      sub.feed('prices.kalshi.K1', good);
      sub.feed('prices.kalshi.K1', { ...good, yes_bid_size: -1 });
      sub.feed('prices.kalshi.K1', { ...good, status: undefined });
      expect(heard).toHaveLength(1);
      expect(sub.metrics().schema_errors).toBe(2);
      expect('extra' in (heard[0] as object)).toBe(!fullValidation);
    });
  }
});
