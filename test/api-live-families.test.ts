/**
 * Prices are subscribed on demand (live-families.ts), against a real api, a real publisher on the
 * ZMQ hot path and a real zmq_listener writing the slow track: with no /ws client the api's
 * subscriber receives no price at all (games still flow); the first client of prices gets a
 * snapshot from the stored state, then live prices with no gap and nothing older than the
 * snapshot, even while the publisher keeps sending through the switch-on; the subscription is
 * dropped again after the last client leaves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WsServerMessage } from '../src/core/api-protocol.js';
import { Topic } from '../src/core/topics.js';
import { SlowKey } from '../src/core/slow-keys.js';
import { eventually } from './helpers/redis.js';
import { ApiHarness, gameState, price } from './helpers/api-harness.js';

const h = new ApiHarness();
const LINGER_MS = 300;

beforeAll(() => h.start({ ARBEES_API_LIVE_LINGER_MS: String(LINGER_MS), ARBEES_API_LIVE_SETTLE_MS: '100' }, { listener: true }), 60_000);
afterAll(() => h.close());

const metric = (name: string) => h.api.ctx.metrics.snapshot()[name] ?? 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The n-th price of a market: n is carried in yes_bid_size, so order and gaps are exact. */
const nthPrice = (market: string, n: number) => ({ ...price('kalshi', market, 0.4, 0.42), yes_bid_size: n });
const nOf = (e: { data: unknown }) => (e.data as { yes_bid_size: number }).yes_bid_size;

const openClient = () => h.openClient();

/** Publishes a game message until the api (always subscribed to games) has heard one more message. */
async function untilApiHearsGames(): Promise<void> {
  const start = metric('sub.received');
  await eventually(async () => {
    h.pub.publish(Topic.game('nba', 'LF1'), 'game_state', gameState('LF1'));
    await sleep(50);
    return metric('sub.received') > start;
  }, 10_000, 'api hears games');
}

async function untilStored(market: string, n: number): Promise<void> {
  await eventually(async () => Number(await h.redis.hget(SlowKey.latestPrice('kalshi', market), 'yes_bid_size')) >= n, 5_000, `${market} #${n} in Redis`);
}

describe('on-demand price subscription', () => {
  it('with no client the api receives no price, games still; the first client gets the stored state, then live prices', async () => {
    await untilApiHearsGames();
    expect(metric('ws.prices_on')).toBe(0);
    const before = metric('sub.received');
    for (let n = 1; n <= 200; n++) h.pub.publish(Topic.price('kalshi', 'LF-A'), 'price', nthPrice('LF-A', n));
    await untilStored('LF-A', 200); // the listener heard them all
    h.pub.publish(Topic.game('nba', 'LF1'), 'game_state', gameState('LF1'));
    await eventually(() => metric('sub.received') > before, 5_000, 'the game message');
    await sleep(100);
    expect(metric('sub.received')).toBe(before + 1);

    const c = await openClient();
    c.ws.send(JSON.stringify({ subscribe: ['prices.kalshi.LF-A'] }));
    await eventually(() => c.messages.some((m) => m.kind === 'snapshot'), 5_000, 'snapshot');
    const snap = c.messages.find((m): m is Extract<WsServerMessage, { kind: 'snapshot' }> => m.kind === 'snapshot')!;
    // The api never heard #200: it comes from the price hash zmq_listener wrote.
    expect(snap.events.map(nOf)).toEqual([200]);
    expect(metric('ws.prices_on')).toBe(1);
    h.pub.publish(Topic.price('kalshi', 'LF-A'), 'price', nthPrice('LF-A', 201));
    await eventually(() => c.messages.some((m) => m.kind === 'event' && nOf(m) === 201), 5_000, 'live #201');

    // The last client leaves: after the linger the subscription is dropped and prices stop coming.
    c.ws.close();
    await eventually(() => metric('ws.prices_on') === 0, 5_000, 'prices switched off');
    await eventually(async () => {
      const start = metric('sub.received');
      for (let n = 202; n <= 260; n++) h.pub.publish(Topic.price('kalshi', 'LF-A'), 'price', nthPrice('LF-A', n));
      h.pub.publish(Topic.game('nba', 'LF1'), 'game_state', gameState('LF1'));
      await sleep(200);
      return metric('sub.received') === start + 1;
    }, 5_000, 'no price reaches the api once unsubscribed');
  }, 30_000);

  it('switched on while the publisher keeps sending: snapshot, then every later price once, in order', async () => {
    expect(metric('ws.prices_on')).toBe(0);
    let n = 1_000;
    let running = true;
    const markets = ['LF-B', 'LF-C'];
    const publishing = (async () => {
      while (running) {
        n++;
        for (const m of markets) h.pub.publish(Topic.price('kalshi', m), 'price', nthPrice(m, n));
        await sleep(4);
      }
    })();
    await untilStored('LF-B', n); // the slow track is following the stream
    const coalescedBefore = metric('ws_coalesced');
    const c = await openClient();
    c.ws.send(JSON.stringify({ subscribe: ['prices.kalshi.LF-'] }));
    await eventually(() => c.messages.some((m) => m.kind === 'snapshot'), 5_000, 'snapshot');
    await sleep(500);
    running = false;
    await publishing;
    const last = n;
    await eventually(() => c.messages.filter((m) => m.kind === 'event' && nOf(m) === last).length === markets.length, 5_000, 'the last prices');

    const snapAt = c.messages.findIndex((m) => m.kind === 'snapshot');
    const snap = c.messages[snapAt] as Extract<WsServerMessage, { kind: 'snapshot' }>;
    // Nothing live before the snapshot.
    expect(c.messages.slice(0, snapAt).some((m) => m.kind === 'event')).toBe(false);
    const coalesced = metric('ws_coalesced') - coalescedBefore;
    for (const m of markets) {
      const fromSnapshot = snap.events.filter((e) => e.topic === Topic.price('kalshi', m)).map(nOf);
      expect(fromSnapshot).toHaveLength(1);
      const live = c.messages.slice(snapAt + 1).filter((e): e is Extract<WsServerMessage, { kind: 'event' }> => e.kind === 'event' && e.topic === Topic.price('kalshi', m)).map(nOf);
      const seen = [fromSnapshot[0]!, ...live];
      // Never older than the snapshot, never backwards, ends on the last price.
      for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThan(seen[i - 1]!);
      expect(seen.at(-1)).toBe(last);
      // No gap, except where a newer price replaced one still waiting in the queue (coalescing, counted).
      const missing = last - seen[0]! + 1 - seen.length;
      expect(missing).toBeLessThanOrEqual(coalesced);
      expect(live.length).toBeGreaterThan(10);
    }
    c.ws.close();
  }, 30_000);

  it('a REST book read switches books on: the first answer comes from the mirrored book stream', async () => {
    expect(metric('ws.books_on')).toBe(0);
    const book = { venue: 'kalshi' as const, market_id: 'LF-BOOK', game_id: null, book_seq: 7, yes_bids: [[0.4, 5]] as [number, number][], yes_asks: [[0.45, 3]] as [number, number][] };
    h.pub.publish(Topic.orderbook('kalshi', 'LF-BOOK'), 'orderbook', book);
    await eventually(async () => (await h.redis.xlen(SlowKey.mirrorStream('orderbook.kalshi'))) > 0, 5_000, 'book mirrored');
    const res = await h.get('/api/markets/kalshi/LF-BOOK');
    expect(res.status).toBe(200);
    expect(res.body.book).toMatchObject({ book_seq: 7, yes_bids: [[0.4, 5]] });
    expect(metric('ws.books_on')).toBe(1);
    // No reader for the linger: books are dropped again.
    await eventually(() => metric('ws.books_on') === 0, 5_000, 'books switched off');
  });

  it('a client arriving within the linger finds prices still on: no switch-off, its snapshot at once', async () => {
    const first = await openClient();
    first.ws.send(JSON.stringify({ subscribe: ['prices.kalshi.LF-A'] }));
    await eventually(() => first.messages.some((m) => m.kind === 'snapshot'), 5_000, 'first snapshot');
    const switchedOff = metric('ws.live_switched_off');
    const switchedOn = metric('ws.live_switched_on');
    first.ws.close();
    await sleep(LINGER_MS / 3);
    const second = await openClient();
    second.ws.send(JSON.stringify({ subscribe: ['prices.kalshi.'] }));
    await eventually(() => second.messages.some((m) => m.kind === 'snapshot'), 1_000, 'second snapshot');
    await sleep(LINGER_MS);
    expect(metric('ws.live_switched_off')).toBe(switchedOff);
    expect(metric('ws.live_switched_on')).toBe(switchedOn);
    expect(metric('ws.prices_on')).toBe(1);
    second.ws.close();
    await eventually(() => metric('ws.prices_on') === 0, 5_000, 'prices switched off after the last client');
  });
});
