import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KalshiSimVenue } from '../src/sim/kalshi/kalshi-sim-venue.js';
import { KalshiHttpError, KalshiNotFoundError, KalshiOrderInvalidError, KalshiRateLimitError, KalshiRejectedError, KalshiTimeoutError } from '../src/venues/kalshi/errors.js';
import { KalshiHttpClient } from '../src/venues/kalshi/http.js';
import { makeKey, nbaGame, soccerGame, startVenue, type TestKey } from './kalshi-helpers.js';

let venue: KalshiSimVenue;
let restUrl: string;
let key: TestKey;
let client: KalshiHttpClient;
let nba: string[];
let epl: string[];

const BOS = 'KXNBAGAME-26NOV24BOSLAL-BOS';
const LAL = 'KXNBAGAME-26NOV24BOSLAL-LAL';

beforeAll(async () => {
  ({ venue, restUrl } = await startVenue());
  key = makeKey('rest-test-key');
  venue.registerKey(key.keyId, key.publicKeyPem);
  client = new KalshiHttpClient({ baseUrl: restUrl, signer: key.signer, retryBaseMs: 10 });
  nba = venue.listGame(nbaGame());
  epl = venue.listGame(soccerGame());
});

afterAll(async () => {
  await venue.close();
});

describe('Kalshi REST client against the simulator: market data', () => {
  it('lists game-winner markets in the real ticker style, two per game and three in soccer', async () => {
    expect(nba).toEqual([BOS, LAL]);
    expect(epl).toEqual(['KXEPLGAME-26NOV28CHEARS-CHE', 'KXEPLGAME-26NOV28CHEARS-ARS', 'KXEPLGAME-26NOV28CHEARS-TIE']);
    expect(venue.listGame(nbaGame())).toEqual(nba); // idempotent
    const page = await client.getMarkets({ seriesTicker: 'KXNBAGAME', status: 'open' });
    expect(page.markets.map((m) => m.ticker)).toEqual(nba);
    expect(page.markets[0]).toMatchObject({ eventTicker: 'KXNBAGAME-26NOV24BOSLAL', status: 'active', yesSubTitle: 'Boston', yesBid: null, yesAsk: null });
  });

  it('follows cursor pagination to the end', async () => {
    const first = await client.getMarkets({ limit: 2 });
    expect(first.markets).toHaveLength(2);
    expect(first.cursor).not.toBeNull();
    const all = await client.getAllMarkets({ limit: 2 });
    expect(all.map((m) => m.ticker).sort()).toEqual([...nba, ...epl].sort());
    const byEvent = await client.getAllMarkets({ eventTicker: 'KXEPLGAME-26NOV28CHEARS', limit: 1 });
    expect(byEvent.map((m) => m.ticker)).toEqual(epl);
  });

  it('reads events, one event with its markets, and one market', async () => {
    const events = await client.getEvents({ seriesTicker: 'KXNBAGAME', withNestedMarkets: true });
    expect(events.events.map((e) => e.eventTicker)).toEqual(['KXNBAGAME-26NOV24BOSLAL']);
    expect(events.events[0]!.markets?.map((m) => m.ticker)).toEqual(nba);
    const detail = await client.getEvent('KXEPLGAME-26NOV28CHEARS');
    expect(detail.event.seriesTicker).toBe('KXEPLGAME');
    expect(detail.markets.map((m) => m.ticker)).toEqual(epl);
    expect((await client.getMarket(LAL)).ticker).toBe(LAL);
    await expect(client.getMarket('KXNBAGAME-NOPE')).rejects.toBeInstanceOf(KalshiNotFoundError);
  });

  it('serves the maker ladder as a bids-only book (YES asks as NO bids)', async () => {
    venue.setMakerQuotes(BOS, {
      yesBids: [
        [0.44, 100],
        [0.43, 200],
      ],
      yesAsks: [
        [0.46, 50],
        [0.47, 80],
      ],
    });
    const book = await client.getOrderbook(BOS);
    expect(book.yes).toEqual([
      [0.43, 200],
      [0.44, 100],
    ]);
    expect(book.no).toEqual([
      [0.53, 80],
      [0.54, 50],
    ]);
    expect(await client.getOrderbook(BOS, 1)).toEqual({ yes: [[0.44, 100]], no: [[0.54, 50]] });
    const m = await client.getMarket(BOS);
    expect(m).toMatchObject({ yesBid: 0.44, yesBidSize: 100, yesAsk: 0.46, yesAskSize: 50 });
  });
});

describe('Kalshi REST client against the simulator: orders and portfolio', () => {
  it('create -> fill -> positions, fills and balance, with the Kalshi taker fee', async () => {
    venue.setMakerQuotes(LAL, { yesBids: [[0.49, 100]], yesAsks: [[0.5, 10], [0.52, 100]] });
    const before = await client.getBalance();
    // 15 at up to 0.52: 10 fill at 0.50, 5 at 0.52.
    const r = await client.createOrder({ ticker: LAL, side: 'bid', count: 15, yesPrice: 0.52, timeInForce: 'immediate_or_cancel', clientOrderId: 'c-1' });
    expect(r).toMatchObject({ clientOrderId: 'c-1', fillCount: 15, remainingCount: 0 });
    expect(r.averageFillPrice).toBeCloseTo((10 * 0.5 + 5 * 0.52) / 15, 4);
    // Order fee: 0.07 x (10 x .25 + 5 x .52 x .48) = 0.262360 -> rounded up to 0.27.
    const after = await client.getBalance();
    expect(before.balanceCc - after.balanceCc).toBe(10 * 5000 + 5 * 5200 + 2700);
    const pos = await client.getPositions({ ticker: LAL });
    expect(pos.marketPositions).toEqual([
      expect.objectContaining({ ticker: LAL, position: 15, marketExposureCc: 76_000, feesPaidCc: 2700, realizedPnlCc: 0 }),
    ]);
    expect(pos.eventPositions[0]).toMatchObject({ eventTicker: 'KXNBAGAME-26NOV24BOSLAL', totalCostCc: 76_000 });
    const fills = await client.getFills({ orderId: r.orderId });
    expect(fills.fills.map((f) => [f.count, f.yesPrice, f.isTaker, f.bookSide]).sort()).toEqual(
      [
        [10, 0.5, true, 'bid'],
        [5, 0.52, true, 'bid'],
      ].sort(),
    );
    expect(fills.fills.reduce((s, f) => s + f.feeCc, 0)).toBe(2700);
    // The maker's level was consumed.
    expect((await client.getOrderbook(LAL)).no).toEqual([[0.48, 95]]);
  });

  it('charges 0.18 on 10 contracts at 0.50 (the documented worked example)', async () => {
    venue.setMakerQuotes(LAL, { yesBids: [[0.49, 100]], yesAsks: [[0.5, 10]] });
    const before = (await client.getBalance()).balanceCc;
    await client.createOrder({ ticker: LAL, side: 'bid', count: 10, yesPrice: 0.5, timeInForce: 'fill_or_kill' });
    expect(before - (await client.getBalance()).balanceCc).toBe(10 * 5000 + 1800);
  });

  it('selling YES closes a long position and realizes P&L', async () => {
    venue.setMakerQuotes(LAL, { yesBids: [[0.6, 100]], yesAsks: [[0.62, 100]] });
    const r = await client.createOrder({ ticker: LAL, side: 'ask', count: 25, yesPrice: 0.6, timeInForce: 'immediate_or_cancel' });
    expect(r.fillCount).toBe(25);
    const pos = (await client.getPositions({ ticker: LAL })).marketPositions[0]!;
    expect(pos.position).toBe(0);
    // Bought 10@.50 + 5@.52 + 10@.50 = 12.60, sold 25@.60 = 15.00.
    expect(pos.realizedPnlCc).toBe(150_000 - 126_000);
    expect(pos.marketExposureCc).toBe(0);
  });

  it('rests a GTC remainder, shows it in the book, and cancels it', async () => {
    venue.setMakerQuotes(BOS, { yesBids: [[0.4, 10]], yesAsks: [[0.45, 5]] });
    const r = await client.createOrder({ ticker: BOS, side: 'bid', count: 20, yesPrice: 0.45, timeInForce: 'good_till_canceled' });
    expect(r).toMatchObject({ fillCount: 5, remainingCount: 15 });
    expect((await client.getOrderbook(BOS)).yes).toEqual([
      [0.4, 10],
      [0.45, 15],
    ]);
    const order = await client.getOrder(r.orderId);
    expect(order).toMatchObject({ status: 'resting', fillCount: 5, remainingCount: 15, initialCount: 20 });
    const resting = await client.getOrders({ status: 'resting' });
    expect(resting.orders.map((o) => o.orderId)).toContain(r.orderId);
    const cancel = await client.cancelOrder(r.orderId);
    expect(cancel).toMatchObject({ orderId: r.orderId, reducedBy: 15 });
    expect((await client.getOrderbook(BOS)).yes).toEqual([[0.4, 10]]);
    expect((await client.getOrder(r.orderId)).status).toBe('canceled');
    await expect(client.cancelOrder(r.orderId)).rejects.toBeInstanceOf(KalshiRejectedError);
  });

  it('a resting member order fills as maker when the market maker crosses it', async () => {
    venue.setMakerQuotes(BOS, { yesBids: [[0.3, 10]], yesAsks: [[0.6, 10]] });
    const r = await client.createOrder({ ticker: BOS, side: 'bid', count: 8, yesPrice: 0.5, timeInForce: 'good_till_canceled' });
    expect(r.remainingCount).toBe(8);
    venue.setMakerQuotes(BOS, { yesBids: [[0.4, 10]], yesAsks: [[0.48, 20]] });
    const order = await client.getOrder(r.orderId);
    expect(order).toMatchObject({ status: 'executed', fillCount: 8 });
    const fills = await client.getFills({ orderId: r.orderId });
    expect(fills.fills).toEqual([expect.objectContaining({ count: 8, yesPrice: 0.5, isTaker: false })]);
    expect((await client.getOrderbook(BOS)).no).toEqual([[0.52, 12]]);
  });

  it('refuses what the venue would refuse: balance, tick, duplicate id, closed market', async () => {
    const poor = makeKey('poor-key');
    venue.registerKey(poor.keyId, poor.publicKeyPem, 100 * 100); // $1
    const poorClient = new KalshiHttpClient({ baseUrl: restUrl, signer: poor.signer });
    venue.setMakerQuotes(BOS, { yesBids: [[0.4, 10]], yesAsks: [[0.45, 500]] });
    const e = await poorClient.createOrder({ ticker: BOS, side: 'bid', count: 100, yesPrice: 0.45, timeInForce: 'immediate_or_cancel' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(KalshiRejectedError);
    expect((e as KalshiRejectedError).venueCode).toBe('insufficient_balance');
    await expect(client.createOrder({ ticker: BOS, side: 'bid', count: 1, yesPrice: 0.455, timeInForce: 'immediate_or_cancel' })).rejects.toMatchObject({
      venueCode: 'invalid_price',
    });
    await client.createOrder({ ticker: BOS, side: 'bid', count: 1, yesPrice: 0.45, timeInForce: 'immediate_or_cancel', clientOrderId: 'dup' });
    await expect(client.createOrder({ ticker: BOS, side: 'bid', count: 1, yesPrice: 0.45, timeInForce: 'immediate_or_cancel', clientOrderId: 'dup' })).rejects.toMatchObject({
      status: 409,
    });
    // Never sent: a price that is not a probability, or a fractional count.
    expect(() => client.createOrder({ ticker: BOS, side: 'bid', count: 1, yesPrice: 45, timeInForce: 'immediate_or_cancel' })).toThrow(KalshiOrderInvalidError);
    expect(() => client.createOrder({ ticker: BOS, side: 'bid', count: 0.001, yesPrice: 0.45, timeInForce: 'immediate_or_cancel' })).toThrow(KalshiOrderInvalidError);
    const legacy = await fetch(`${restUrl}/portfolio/orders`, {
      method: 'POST',
      headers: { ...key.signer.headers('POST', '/trade-api/v2/portfolio/orders'), 'content-type': 'application/json' },
      body: JSON.stringify({ ticker: BOS, side: 'yes', action: 'buy', count: 1, yes_price: 45 }),
    });
    expect(legacy.status).toBe(400);
    expect(await legacy.text()).toContain('Please switch to the V2 endpoints');
  });

  it('settles a market: $1 per winning contract, positions closed, market finalized', async () => {
    const ticker = epl[0]!;
    venue.setMakerQuotes(ticker, { yesBids: [[0.3, 100]], yesAsks: [[0.32, 100]] });
    await client.createOrder({ ticker, side: 'bid', count: 40, yesPrice: 0.32, timeInForce: 'immediate_or_cancel' });
    const mid = (await client.getBalance()).balanceCc;
    venue.settle(ticker, 'yes');
    expect((await client.getBalance()).balanceCc - mid).toBe(40 * 10_000);
    const pos = (await client.getPositions({ ticker })).marketPositions[0]!;
    expect(pos.position).toBe(0);
    // Paid 40 x 0.32 = 12.80 plus a 0.61 fee; got 40.00 back.
    expect(pos.realizedPnlCc).toBe(400_000 - 128_000);
    const m = await client.getMarket(ticker);
    expect(m).toMatchObject({ status: 'finalized', result: 'yes', yesBid: null, yesAsk: null });
    expect((await client.getMarkets({ status: 'settled' })).markets.map((x) => x.ticker)).toEqual([ticker]);
    await expect(client.createOrder({ ticker, side: 'bid', count: 1, yesPrice: 0.5, timeInForce: 'immediate_or_cancel' })).rejects.toMatchObject({
      venueCode: 'market_closed',
    });
  });
});

describe('Kalshi REST client transport behaviour', () => {
  it('retries an idempotent GET after 5xx answers', async () => {
    const c = new KalshiHttpClient({ baseUrl: restUrl, retryBaseMs: 5 });
    venue.faults.failNext(2, 503);
    expect((await c.getMarket(BOS)).ticker).toBe(BOS);
    expect(c.stats()).toMatchObject({ requests: 3, retries: 2, httpErrors: 2 });
  });

  it('never retries an order', async () => {
    const c = new KalshiHttpClient({ baseUrl: restUrl, signer: key.signer, retryBaseMs: 5 });
    venue.faults.failNext(1, 503);
    const e = await c.createOrder({ ticker: BOS, side: 'bid', count: 1, yesPrice: 0.45, timeInForce: 'immediate_or_cancel' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(KalshiHttpError);
    expect((e as KalshiHttpError).status).toBe(503);
    expect(c.stats()).toMatchObject({ requests: 1, retries: 0 });
  });

  it('backs off and retries a 429 from a rate-limited venue, and gives up after maxRetries', async () => {
    const limited = await startVenue({ rateLimit: { readTokensPerSecond: 20, writeTokensPerSecond: 20 } });
    try {
      limited.venue.listGame(nbaGame());
      // The client paces itself far above the venue's budget, so the venue answers 429.
      const c = new KalshiHttpClient({ baseUrl: limited.restUrl, retryBaseMs: 200, maxRetries: 5, readTokensPerSecond: 10_000 });
      const results = await Promise.all([c.getMarket(BOS), c.getMarket(BOS), c.getMarket(BOS)]);
      expect(results.map((m) => m.ticker)).toEqual([BOS, BOS, BOS]);
      expect(c.stats().rateLimited).toBeGreaterThan(0);
      const impatient = new KalshiHttpClient({ baseUrl: limited.restUrl, maxRetries: 0, readTokensPerSecond: 10_000 });
      const outcomes = await Promise.allSettled([impatient.getMarket(BOS), impatient.getMarket(BOS), impatient.getMarket(BOS)]);
      expect(outcomes.some((o) => o.status === 'rejected' && o.reason instanceof KalshiRateLimitError)).toBe(true);
    } finally {
      await limited.venue.close();
    }
  });

  it('paces itself with its own token bucket', async () => {
    // 20 requests at 10 tokens each against 100 tokens per second: at least ~1 s.
    const c = new KalshiHttpClient({ baseUrl: restUrl, readTokensPerSecond: 100 });
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 20 }, () => c.getMarket(BOS)));
    expect(performance.now() - t0).toBeGreaterThan(900);
  });

  it('times out a request that never answers', async () => {
    const hang: Server = createServer(() => {
      /* never answers */
    });
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', () => r()));
    try {
      const { port } = hang.address() as AddressInfo;
      const c = new KalshiHttpClient({ baseUrl: `http://127.0.0.1:${port}/trade-api/v2`, timeoutMs: 150, maxRetries: 1, retryBaseMs: 5 });
      await expect(c.getMarket(BOS)).rejects.toBeInstanceOf(KalshiTimeoutError);
      expect(c.stats()).toMatchObject({ timeouts: 2, retries: 1 });
    } finally {
      hang.closeAllConnections();
      await new Promise<void>((r) => hang.close(() => r()));
    }
  });

  it('counts a malformed answer as a parse error instead of returning a wrong value', async () => {
    const legacy: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ orderbook: { yes: [[44, 100]], no: [[54, 50]] } }));
    });
    await new Promise<void>((r) => legacy.listen(0, '127.0.0.1', () => r()));
    try {
      const { port } = legacy.address() as AddressInfo;
      const c = new KalshiHttpClient({ baseUrl: `http://127.0.0.1:${port}/trade-api/v2` });
      await expect(c.getOrderbook(BOS)).rejects.toMatchObject({ code: 'ARB_KALSHI_PAYLOAD', reason: 'legacy' });
      expect(c.stats().parseErrors).toBe(1);
    } finally {
      legacy.closeAllConnections();
      await new Promise<void>((r) => legacy.close(() => r()));
    }
  });
});
