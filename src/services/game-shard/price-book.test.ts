import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RawEnvelope } from '../../core/envelope.js';
import type { GameInfo, PriceUpdate } from '../../core/messages.js';
import { MarketPrice } from './market-price.js';
import { fixPrior, isPregame, priorEstimate, updatePriorFromPrices } from './pregame-prior.js';
import { PriceBook } from './price-book.js';
import { ShardGame } from './shard-game.js';

const NOW = 1_800_000_000_000_000;
const price = (over: Partial<PriceUpdate> = {}): PriceUpdate => ({
  venue: 'kalshi',
  market_id: 'K-BOS',
  game_id: 'g1',
  team: 'BOS',
  yes_bid: 0.44,
  yes_ask: 0.46,
  yes_bid_size: 100,
  yes_ask_size: 120,
  status: 'open',
  ...over,
});
let seq = 0;
const env = (data: unknown, originTs = NOW - 100): RawEnvelope => ({ v: 1, type: 'price', id: `m${++seq}`, src: 'kalshi_monitor.0', seq, ts: originTs + 10, origin_ts: originTs, data });

function setup(maxDelayUs = 1_000_000, ttlUs = 30_000_000) {
  const book = new PriceBook({ maxDelayUs, ttlUs });
  const m = new MarketPrice('kalshi', 'K-BOS', 'g1', 'home', 'BOS');
  book.add(m);
  return { book, m };
}

describe('price book', () => {
  it('stores a good update and makes it a fresh, trusted leg', () => {
    const { book, m } = setup();
    expect(book.apply(book.get(m.topic), env(price()), NOW)).toBe('ok');
    expect([m.yesBid, m.yesAsk, m.bidSize, m.askSize, m.trusted]).toEqual([0.44, 0.46, 100, 120, true]);
    const b = m.refreshBook(NOW, 30_000_000);
    expect(b.yes_bids).toEqual([[0.44, 100]]);
    expect(b.yes_asks).toEqual([[0.46, 120]]);
    expect(b.stale).toBe(false);
    expect(b.changed_ts).toBe(NOW - 100);
  });

  it('ignores and counts a price for a market it does not follow', () => {
    const { book } = setup();
    expect(book.apply(book.get('prices.kalshi.OTHER'), env(price({ market_id: 'OTHER' })), NOW)).toBe('unknown_market');
    expect(book.counters.unknown_market).toBe(1);
  });

  it.each([
    ['NaN bid', { yes_bid: Number.NaN }],
    ['price above 1', { yes_ask: 1.5 }],
    ['negative size', { yes_bid_size: -1 }],
    ['unknown status', { status: 'weird' }],
    ['other venue', { venue: 'poly' }],
    ['other market id', { market_id: 'K-LAL' }],
  ])('rejects %s without touching the held price', (_what, over) => {
    const { book, m } = setup();
    book.apply(m, env(price()), NOW);
    expect(book.apply(m, env(price(over as Partial<PriceUpdate>), NOW - 50), NOW)).toBe('invalid');
    expect([m.yesBid, m.trusted]).toEqual([0.44, true]);
  });

  it('rejects a price labelled with another game', () => {
    const { book, m } = setup();
    expect(book.apply(m, env(price({ game_id: 'g2' })), NOW)).toBe('game_mismatch');
    expect(m.originUs).toBe(0);
  });

  it('ignores an update older than the held one', () => {
    const { book, m } = setup();
    book.apply(m, env(price({ yes_bid: 0.45 }), NOW - 100), NOW);
    expect(book.apply(m, env(price({ yes_bid: 0.3 }), NOW - 500), NOW)).toBe('out_of_order');
    expect(m.yesBid).toBe(0.45);
  });

  it('keeps a late price for display but never as a leg', () => {
    const { book, m } = setup(1_000_000);
    expect(book.apply(m, env(price(), NOW - 2_000_000), NOW)).toBe('late');
    expect(m.yesBid).toBe(0.44);
    expect(m.trusted).toBe(false);
    expect(m.refreshBook(NOW, 30_000_000).stale).toBe(true);
  });

  it.each([
    ['crossed', { yes_bid: 0.5, yes_ask: 0.48 }],
    ['crossed', { yes_bid: 0.5, yes_ask: 0.5 }],
    ['empty', { yes_bid: null, yes_ask: null }],
    ['not_open', { status: 'halted', yes_bid: null, yes_ask: null }],
    ['not_open', { status: 'settled' }],
  ])('marks a %s book untrusted, and the good price before it too', (verdict, over) => {
    const { book, m } = setup();
    book.apply(m, env(price(), NOW - 200), NOW);
    expect(book.apply(m, env(price(over as Partial<PriceUpdate>), NOW - 100), NOW)).toBe(verdict);
    expect(m.trusted).toBe(false);
    expect(m.refreshBook(NOW, 30_000_000).stale).toBe(true);
  });

  it('trusts a one-sided book', () => {
    const { book, m } = setup();
    expect(book.apply(m, env(price({ yes_bid: null, yes_bid_size: 0 })), NOW)).toBe('ok');
    const b = m.refreshBook(NOW, 30_000_000);
    expect(b.yes_bids).toEqual([]);
    expect(b.yes_asks).toEqual([[0.46, 120]]);
  });

  it('goes stale once older than the TTL', () => {
    const { book, m } = setup(1_000_000, 5_000_000);
    book.apply(m, env(price(), NOW - 100), NOW);
    expect(m.fresh(NOW + 4_000_000, 5_000_000)).toBe(true);
    expect(m.fresh(NOW + 5_000_000, 5_000_000)).toBe(false);
  });

  it('reuses its level arrays (no allocation per update)', () => {
    const { book, m } = setup();
    book.apply(m, env(price(), NOW - 300), NOW);
    const first = m.refreshBook(NOW, 30_000_000);
    const bids = first.yes_bids;
    book.apply(m, env(price({ yes_bid: 0.43 }), NOW - 200), NOW);
    const second = m.refreshBook(NOW, 30_000_000);
    expect(second).toBe(first);
    expect(second.yes_bids).toBe(bids);
    expect(second.yes_bids[0]).toEqual([0.43, 100]);
  });

  it('never throws and trusts only good updates (fuzz)', () => {
    const { book, m } = setup();
    const anyValue = fc.oneof(fc.double(), fc.constant(null), fc.string(), fc.integer(), fc.boolean(), fc.constant(undefined));
    fc.assert(
      fc.property(
        fc.record({ venue: fc.oneof(fc.constant('kalshi'), anyValue), market_id: fc.oneof(fc.constant('K-BOS'), anyValue), yes_bid: anyValue, yes_ask: anyValue, yes_bid_size: anyValue, yes_ask_size: anyValue, status: fc.oneof(fc.constantFrom('open', 'halted'), anyValue), game_id: fc.oneof(fc.constant('g1'), anyValue) }),
        fc.oneof(fc.integer({ min: 1, max: NOW }), anyValue),
        (data, origin) => {
          m.originUs = 0;
          const verdict = book.apply(m, { ...env(data), origin_ts: origin as number }, NOW);
          if (verdict === 'ok') {
            expect(m.trusted).toBe(true);
            const bid = m.yesBid;
            const ask = m.yesAsk;
            expect(bid === null || (bid >= 0 && bid <= 1)).toBe(true);
            expect(ask === null || (ask >= 0 && ask <= 1)).toBe(true);
            expect(bid === null || ask === null || bid < ask).toBe(true);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

const info = (over: Partial<GameInfo> = {}): GameInfo => ({
  event: 'discovered',
  game_id: 'g1',
  sport: 'nba',
  name: 'LAL at BOS',
  home: { name: 'Boston Celtics', abbr: 'BOS' },
  away: { name: 'Los Angeles Lakers', abbr: 'LAL' },
  start_time: '2026-11-24T00:00:00Z',
  status: 'scheduled',
  markets: [
    { venue: 'kalshi', market_id: 'K-BOS', team: 'BOS', outcome: 'home' },
    { venue: 'kalshi', market_id: 'K-LAL', team: 'LAL', outcome: 'away' },
    { venue: 'poly', market_id: 'P-LAL', team: 'LAL', outcome: 'away' },
  ],
  shard: 'game_shard.0',
  ...over,
});

function quote(m: MarketPrice, bid: number, ask: number): void {
  m.store(price({ venue: m.venue, market_id: m.marketId, yes_bid: bid, yes_ask: ask }), NOW, NOW, true);
}

describe('pregame prior', () => {
  it('averages the venues: the home mid, or 1 - the away mid where a venue has no home market', () => {
    const g = new ShardGame(info());
    const [kBos, kLal, pLal] = g.rebuildMarkets();
    quote(kBos!, 0.6, 0.62);
    quote(kLal!, 0.37, 0.39);
    quote(pLal!, 0.4, 0.42);
    // kalshi: home mid 0.61; poly: 1 - 0.41 = 0.59.
    expect(priorEstimate(g, 0.2)!.home).toBeCloseTo(0.6, 10);
  });

  it('ignores wide and untrusted books', () => {
    const g = new ShardGame(info());
    const [kBos, , pLal] = g.rebuildMarkets();
    quote(kBos!, 0.2, 0.8);
    quote(pLal!, 0.4, 0.42);
    pLal!.trusted = false;
    expect(priorEstimate(g, 0.2)).toBeNull();
  });

  it('follows the market before the start and is fixed once the game is live', () => {
    const g = new ShardGame(info());
    const [kBos] = g.rebuildMarkets();
    g.priorLoaded = true;
    quote(kBos!, 0.6, 0.62);
    expect(isPregame(g)).toBe(true);
    expect(updatePriorFromPrices(g, 0.2, 1)).toBe(true);
    expect(g.prior).toMatchObject({ home: 0.61, source: 'pregame', fixed: false });
    quote(kBos!, 0.64, 0.66);
    updatePriorFromPrices(g, 0.2, 2);
    expect(g.prior!.home).toBeCloseTo(0.65, 10);
    g.state = { status: 'live', period: 1, clockS: 700, homeScore: 2, awayScore: 0, possession: null, situation: null, espnHomeProb: null };
    expect(fixPrior(g, 3)).toBe(true);
    quote(kBos!, 0.8, 0.82);
    expect(updatePriorFromPrices(g, 0.2, 4)).toBe(false);
    expect(g.prior).toMatchObject({ source: 'pregame', fixed: true });
    expect(g.prior!.home).toBeCloseTo(0.65, 10);
  });

  it('takes the first price of a game first seen live, once', () => {
    const g = new ShardGame(info({ status: 'live' }));
    const [kBos] = g.rebuildMarkets();
    g.priorLoaded = true;
    quote(kBos!, 0.7, 0.72);
    updatePriorFromPrices(g, 0.2, 1);
    expect(g.prior).toMatchObject({ home: 0.71, source: 'first_seen', fixed: true });
    quote(kBos!, 0.9, 0.92);
    expect(updatePriorFromPrices(g, 0.2, 2)).toBe(false);
    expect(g.prior!.home).toBe(0.71);
  });

  it('sets nothing until the stored prior has been read', () => {
    const g = new ShardGame(info({ status: 'live' }));
    const [kBos] = g.rebuildMarkets();
    quote(kBos!, 0.7, 0.72);
    expect(updatePriorFromPrices(g, 0.2, 1)).toBe(false);
    expect(g.prior).toBeNull();
  });

  it('skips market ids that cannot name a topic', () => {
    const g = new ShardGame(info({ markets: [{ venue: 'kalshi', market_id: 'bad id.x', team: 'BOS', outcome: 'home' }] }));
    expect(g.rebuildMarkets()).toEqual([]);
    expect(g.rejectedMarkets).toEqual(['bad id.x']);
  });
});
