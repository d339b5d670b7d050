import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KalshiSimVenue } from '../src/sim/kalshi/kalshi-sim-venue.js';
import type { QuoteLadder } from '../src/sim/world.js';
import { nowMicros } from '../src/core/time.js';
import { KalshiHttpClient } from '../src/venues/kalshi/http.js';
import { KalshiWsClient, type KalshiBookEvent } from '../src/venues/kalshi/ws.js';
import { makeKey, nbaGame, soccerGame, startVenue, type TestKey } from './kalshi-helpers.js';

const BOS = 'KXNBAGAME-26NOV24BOSLAL-BOS';
const LAL = 'KXNBAGAME-26NOV24BOSLAL-LAL';
const key: TestKey = makeKey('ws-test-key');

let venue: KalshiSimVenue;
let restUrl: string;
let wsUrl: string;
let client: KalshiWsClient;
let events: KalshiBookEvent[];
let invalid: string[];

const ladder = (bid: number, ask: number, size = 100): QuoteLadder => ({
  yesBids: [
    [bid, size],
    [bid - 0.01, size * 2],
  ],
  yesAsks: [
    [ask, size],
    [ask + 0.01, size * 2],
  ],
});

/** The venue's own book in YES terms, best first: what the client must have rebuilt. */
function venueLadders(ticker: string) {
  const { yes, no } = venue.exchange.levels(ticker);
  return {
    yesBids: [...yes].reverse().map(([p, q]) => [p / 10_000, q]),
    yesAsks: [...no].reverse().map(([p, q]) => [(10_000 - p) / 10_000, q]),
  };
}

function clientLadders(ticker: string) {
  const view = client.book(ticker);
  return view?.state === 'valid' ? { yesBids: view.yesBids, yesAsks: view.yesAsks } : null;
}

async function booksAgree(...tickers: string[]): Promise<void> {
  for (const t of tickers) await expect.poll(() => clientLadders(t), { timeout: 5_000 }).toEqual(venueLadders(t));
}

beforeEach(async () => {
  ({ venue, restUrl, wsUrl } = await startVenue({ pingIntervalMs: 100 }));
  venue.registerKey(key.keyId, key.publicKeyPem);
  venue.listGame(nbaGame());
  venue.setMakerQuotes(BOS, ladder(0.44, 0.46));
  venue.setMakerQuotes(LAL, ladder(0.53, 0.55));
  client = new KalshiWsClient({ url: wsUrl, signer: key.signer, reconnectBaseMs: 50, reconnectMaxMs: 500, resyncTimeoutMs: 1_000, staleTimeoutMs: 2_000 });
  events = [];
  invalid = [];
  client.on('book', (e) => events.push(e));
  client.on('book_invalid', (e) => invalid.push(e.ticker));
});

afterEach(async () => {
  await client.close();
  await venue.close();
});

describe('Kalshi WebSocket client against the simulator', () => {
  it('subscribes with a signed handshake and rebuilds each book from its snapshot', async () => {
    await client.start();
    client.setTickers([BOS, LAL]);
    await booksAgree(BOS, LAL);
    expect(client.book(BOS)?.top).toEqual({ yesBid: 0.44, yesBidSize: 100, yesAsk: 0.46, yesAskSize: 100 });
    const first = events.find((e) => e.ticker === BOS)!;
    expect(first.cause).toBe('snapshot');
    expect(first.receivedUs).toBeGreaterThan(nowMicros() - 10_000_000);
    expect(client.sid('orderbook_delta')).not.toBeNull();
  });

  it('follows deltas from quote changes and trades', async () => {
    await client.start();
    client.setTickers([BOS, LAL]);
    await booksAgree(BOS, LAL);
    const before = events.length;
    venue.setMakerQuotes(BOS, ladder(0.47, 0.49, 60));
    await booksAgree(BOS);
    const rest = new KalshiHttpClient({ baseUrl: restUrl, signer: key.signer });
    await rest.createOrder({ ticker: BOS, side: 'bid', count: 25, yesPrice: 0.49, timeInForce: 'immediate_or_cancel' });
    await booksAgree(BOS);
    expect(client.book(BOS)?.top).toMatchObject({ yesAsk: 0.49, yesAskSize: 35 });
    expect(events.slice(before).every((e) => e.cause === 'delta')).toBe(true);
    expect(events.slice(before).some((e) => e.venueTsMs !== null)).toBe(true);
    expect(client.stats()).toMatchObject({ gaps: 0, parseErrors: 0 });
  });

  it('emits ticker updates for subscribed markets', async () => {
    const tickers: number[] = [];
    client.on('ticker', (t) => {
      if (t.ticker === BOS && t.yesBid !== null) tickers.push(t.yesBid);
    });
    await client.start();
    client.setTickers([BOS]);
    await expect.poll(() => tickers.length, { timeout: 5_000 }).toBeGreaterThan(0);
    venue.setMakerQuotes(BOS, ladder(0.5, 0.52));
    await expect.poll(() => tickers.at(-1), { timeout: 5_000 }).toBe(0.5);
  });

  it('adds and removes markets on the live subscription', async () => {
    const soccer = venue.listGame(soccerGame());
    venue.setMakerQuotes(soccer[2]!, ladder(0.25, 0.28));
    await client.start();
    client.setTickers([BOS]);
    await booksAgree(BOS);
    const sid = client.sid('orderbook_delta');
    client.addTickers([soccer[2]!]);
    await booksAgree(soccer[2]!);
    expect(client.sid('orderbook_delta')).toBe(sid); // update_subscription, not a new subscription
    client.removeTickers([BOS]);
    expect(client.book(BOS)).toBeUndefined();
    const seen = events.length;
    venue.setMakerQuotes(BOS, ladder(0.3, 0.35));
    venue.setMakerQuotes(soccer[2]!, ladder(0.2, 0.22));
    await booksAgree(soccer[2]!);
    expect(events.slice(seen).every((e) => e.ticker !== BOS)).toBe(true);
  });

  it('notices a sequence gap, invalidates, fetches fresh snapshots and ends with the right book', async () => {
    await client.start();
    client.setTickers([BOS, LAL]);
    await booksAgree(BOS, LAL);
    venue.faults.skipSeq(3);
    venue.setMakerQuotes(BOS, ladder(0.4, 0.43, 70));
    await expect.poll(() => client.stats().gaps, { timeout: 5_000 }).toBe(1);
    expect(invalid).toEqual(expect.arrayContaining([BOS, LAL]));
    await booksAgree(BOS, LAL);
    expect(client.stats()).toMatchObject({ resyncs: 1, resubscribes: 0 });
    // And the stream keeps working afterwards.
    venue.setMakerQuotes(LAL, ladder(0.6, 0.62, 10));
    await booksAgree(LAL);
  });

  it('falls back to a fresh subscription when the venue will not resend snapshots', async () => {
    await client.start();
    client.setTickers([BOS, LAL]);
    await booksAgree(BOS, LAL);
    const firstSid = client.sid('orderbook_delta');
    venue.faults.refuseSnapshotRequests(true);
    venue.faults.skipSeq(1);
    venue.setMakerQuotes(LAL, ladder(0.5, 0.52, 30));
    await expect.poll(() => client.stats().resubscribes, { timeout: 5_000 }).toBe(1);
    await booksAgree(BOS, LAL);
    expect(client.sid('orderbook_delta')).not.toBe(firstSid);
    expect(client.stats().serverErrors).toBe(1);
    venue.setMakerQuotes(BOS, ladder(0.3, 0.33, 9));
    await booksAgree(BOS);
  });

  it('reconnects after the server drops the connection and resubscribes the current set', async () => {
    await client.start();
    client.setTickers([BOS, LAL]);
    await booksAgree(BOS, LAL);
    const firstSid = client.sid('orderbook_delta');
    venue.faults.dropConnections();
    await expect.poll(() => invalid.length, { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
    // Changes made while the client is away must show up after it is back.
    venue.setMakerQuotes(BOS, ladder(0.35, 0.37, 5));
    await expect.poll(() => client.stats().reconnects, { timeout: 5_000 }).toBeGreaterThanOrEqual(1);
    await booksAgree(BOS, LAL);
    expect(client.connected).toBe(true);
    expect(client.stats().connects).toBeGreaterThanOrEqual(2);
    expect(client.sid('orderbook_delta')).not.toBeNull();
    expect(firstSid).not.toBeNull();
  });

  it('answers server pings and replaces a silent connection', async () => {
    await client.start();
    client.setTickers([BOS]);
    await expect.poll(() => client.stats().pings, { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
    expect(client.stats().staleDisconnects).toBe(0);
    await client.close();
    // A venue that never pings: the client must give up on the silence and reconnect.
    const quiet = await startVenue({ pingIntervalMs: 60_000 });
    try {
      quiet.venue.registerKey(key.keyId, key.publicKeyPem);
      client = new KalshiWsClient({ url: quiet.wsUrl, signer: key.signer, staleTimeoutMs: 300, reconnectBaseMs: 50 });
      await client.start();
      await expect.poll(() => client.stats().staleDisconnects, { timeout: 5_000 }).toBeGreaterThanOrEqual(1);
      await expect.poll(() => client.stats().connects, { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
    } finally {
      await client.close();
      await quiet.venue.close();
    }
  });

  it('survives settlement: the books empty but stay valid', async () => {
    await client.start();
    client.setTickers([BOS]);
    await booksAgree(BOS);
    const settled: { ticker: string; yesValue: number }[] = [];
    client.on('settled', (e) => settled.push({ ticker: e.ticker, yesValue: e.yesValue }));
    venue.settle(BOS, 'no');
    await expect.poll(() => client.book(BOS)?.top, { timeout: 5_000 }).toEqual({ yesBid: null, yesBidSize: 0, yesAsk: null, yesAskSize: 0 });
    expect(client.book(BOS)?.state).toBe('valid');
    // The settlement itself comes from the market lifecycle channel (determined, then settled), not from prices.
    await expect.poll(() => settled.length, { timeout: 5_000 }).toBe(2);
    expect(settled).toEqual([{ ticker: BOS, yesValue: 0 }, { ticker: BOS, yesValue: 0 }]);
  });
});
