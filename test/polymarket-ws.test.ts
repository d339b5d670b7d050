/**
 * The market-channel client against the Polymarket simulator over real WebSockets: book
 * snapshots on subscribe, price_change level updates matching the REST book, PING/PONG, trades,
 * tick size changes, subscriptions spread over several connections under a cap the server
 * enforces, a changing asset set, and a server-side drop followed by reconnect, resubscribe and
 * a correct book. Also: malformed frames from a raw server are counted and skipped.
 */
import type { AddressInfo } from 'node:net';
import { privateKeyToAccount } from 'viem/accounts';
import { WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { nowMicros } from '../src/core/time.js';
import { PolymarketSimVenue, type SimGameListing } from '../src/sim/polymarket/polymarket-sim-venue.js';
import { PolymarketClobClient } from '../src/venues/polymarket/http.js';
import { buildOrder, signOrder } from '../src/venues/polymarket/order-signing.js';
import { PolymarketMarketStream, type TradeEvent } from '../src/venues/polymarket/ws.js';
import type { PolyOrderBook } from '../src/venues/polymarket/order-book.js';
import { eventually } from './helpers/redis.js';
import { simGame } from './helpers/polymarket-games.js';

const GAMES = [
  ['BOS', 'LAL'],
  ['NY', 'MIA'],
  ['GS', 'DEN'],
  ['CHI', 'DAL'],
] as const;

interface Rig {
  venue: PolymarketSimVenue;
  clob: PolymarketClobClient;
  clobUrl: string;
  wsUrl: string;
  games: SimGameListing[];
  tokens: string[];
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function rig(maxAssetsPerConnection = 500): Promise<Rig> {
  const venue = new PolymarketSimVenue({ seed: 'ws-test', maxAssetsPerConnection });
  const { clobUrl, wsUrl } = await venue.start();
  cleanups.push(() => venue.close());
  const games = GAMES.map(([a, h], i) => venue.listGame(simGame(`g${i}`, 'nba', a, h, '2026-11-24T03:00:00Z')));
  const tokens = games.flatMap((g) => g.tokens.map((t) => t.tokenId));
  tokens.forEach((t, i) => venue.setMakerQuotes(t, { yesBids: [[0.4, 100 + i]], yesAsks: [[0.45, 50 + i], [0.5, 80]] }));
  return { venue, clob: new PolymarketClobClient({ baseUrl: clobUrl }), clobUrl, wsUrl, games, tokens };
}

function stream(wsUrl: string, extra: ConstructorParameters<typeof PolymarketMarketStream>[0] = {}): PolymarketMarketStream {
  const s = new PolymarketMarketStream({ url: wsUrl, reconnectBaseMs: 50, reconnectMaxMs: 200, ...extra });
  cleanups.push(() => s.close());
  return s;
}

/** The streamed book equals the REST book, level by level. */
async function sameAsRest(s: PolymarketMarketStream, clob: PolymarketClobClient, tokenId: string): Promise<boolean> {
  const book = s.book(tokenId);
  if (!book?.synced) return false;
  const rest = await clob.getBook(tokenId);
  return JSON.stringify([book.bidLevels(), book.askLevels()]) === JSON.stringify([rest.bids, rest.asks]);
}

describe('market WebSocket client against the simulator', () => {
  it('gets a book snapshot per token on subscribe, stamped with the receive time in µs', async () => {
    const r = await rig();
    const s = stream(r.wsUrl);
    const t0 = nowMicros();
    s.setAssets(r.tokens.slice(0, 2));
    await eventually(() => r.tokens.slice(0, 2).every((t) => s.book(t)?.synced), 5000, 'snapshots');
    const book = s.book(r.tokens[1]!)!;
    expect(book.bidLevels()).toEqual([{ price: 0.4, size: 101 }]);
    expect(book.askLevels()).toEqual([{ price: 0.45, size: 51 }, { price: 0.5, size: 80 }]);
    expect(book.market).toBe(r.games[0]!.conditionId);
    expect(book.receivedUs).toBeGreaterThanOrEqual(t0);
    expect(book.receivedUs).toBeLessThanOrEqual(nowMicros());
    expect(s.stats()).toMatchObject({ books: 2, parseErrors: 0, connections: 1, openConnections: 1 });
  });

  it('applies price_change level updates so the book matches the venue\'s REST book', async () => {
    const r = await rig();
    const s = stream(r.wsUrl);
    const [away, home] = r.games[0]!.tokens.map((t) => t.tokenId) as [string, string];
    s.setAssets([away, home]);
    await eventually(() => !!s.book(away)?.synced && !!s.book(home)?.synced);
    const updates: PolyOrderBook[] = [];
    s.on('book', (b) => updates.push(b));
    r.venue.setMakerQuotes(home, { yesBids: [[0.55, 10], [0.54, 20]], yesAsks: [[0.57, 30]] });
    r.venue.setMakerQuotes(away, { yesBids: [[0.43, 30]], yesAsks: [[0.45, 10], [0.46, 20]] });
    await eventually(async () => (await sameAsRest(s, r.clob, home)) && (await sameAsRest(s, r.clob, away)), 5000, 'books in step');
    expect(s.book(home)!.top()).toEqual({ bestBid: { price: 0.55, size: 10 }, bestAsk: { price: 0.57, size: 30 } });
    expect(s.stats().priceChanges).toBeGreaterThanOrEqual(2);
    expect(s.stats().bookMismatches).toBe(0);
    expect(updates.length).toBeGreaterThanOrEqual(2);
  });

  it('answers PING with PONG on every connection', async () => {
    const r = await rig();
    const s = stream(r.wsUrl, { pingIntervalMs: 100, staleAfterMs: 2000 });
    s.setAssets(r.tokens.slice(0, 1));
    await eventually(() => s.stats().pongs >= 3, 5000, 'three PONGs');
    expect(r.venue.stats().pings).toBeGreaterThanOrEqual(3);
  });

  it('reports trades and tick size changes', async () => {
    const r = await rig();
    const s = stream(r.wsUrl);
    const token = r.tokens[2]!;
    s.setAssets([token]);
    await eventually(() => !!s.book(token)?.synced);
    const trades: TradeEvent[] = [];
    s.on('trade', (t) => trades.push(t));
    const trader = privateKeyToAccount('0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6');
    const creds = r.venue.registerApiKey({ address: trader.address, collateralUsd: 100 });
    const client = new PolymarketClobClient({ baseUrl: r.clobUrl, credentials: creds, address: trader.address });
    await client.postOrder(await signOrder(trader, buildOrder({ tokenId: token, side: 'BUY', price: 0.45, size: 20, tickSize: '0.01', signer: trader.address })), 'FOK');
    await eventually(() => trades.length === 1, 5000, 'the trade');
    expect(trades[0]).toMatchObject({ assetId: token, price: 0.45, size: 20, side: 'BUY', feeRateBps: 300 });
    await eventually(() => sameAsRest(s, r.clob, token), 5000, 'book after the trade');
    expect(s.book(token)!.askLevels()[0]).toEqual({ price: 0.45, size: 32 });
    expect(s.book(token)!.lastTradePrice).toBe(0.45);
    r.venue.setTickSize(token, '0.001');
    await eventually(() => s.book(token)!.tickSize === '0.001', 5000, 'tick size');
    for (const tick of ['0.0025', '0.005'] as const) {
      r.venue.setTickSize(token, tick);
      await eventually(() => s.book(token)!.tickSize === tick, 5000, `tick size ${tick}`);
    }
  });

  it('refuses a token whose tick size changes to one it does not know, until a known one is announced', async () => {
    const token = '71321045679252212594626385532706912750332728571942532289631379312455583992563';
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => new Promise<void>((res) => wss.close(() => res())));
    const tickChange = (to: string) => ({ event_type: 'tick_size_change', asset_id: token, market: '0xabc', old_tick_size: '0.01', new_tick_size: to, timestamp: '2' });
    const book = { event_type: 'book', asset_id: token, market: '0xabc', bids: [{ price: '0.5', size: '10' }], asks: [], timestamp: '1', hash: 'h' };
    let peer: import('ws').WebSocket | null = null;
    wss.on('connection', (ws) => {
      peer = ws;
      ws.on('message', () => ws.send(JSON.stringify(book)));
    });
    await new Promise((r) => wss.once('listening', r));
    const s = stream(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
    const refused: string[] = [];
    s.on('refused', (id, why) => refused.push(`${id}: ${why}`));
    s.setAssets([token]);
    await eventually(() => !!s.book(token)?.synced, 5000, 'the book');
    peer!.send(JSON.stringify(tickChange('0.05')));
    await eventually(() => refused.length === 1, 5000, 'refused');
    expect(refused[0]).toMatch(/unknown tick size 0\.05/);
    expect(s.book(token)).toMatchObject({ tickSize: null, refused: expect.stringMatching(/0\.05/) });
    peer!.send(JSON.stringify(book)); // a fresh snapshot does not make the tick known
    await new Promise((r) => setTimeout(r, 100));
    expect(s.book(token)!.refused).not.toBeNull();
    peer!.send(JSON.stringify(tickChange('0.0025')));
    await eventually(() => s.book(token)!.refused === null, 5000, 'a known tick again');
    expect(s.book(token)!.tickSize).toBe('0.0025');
    expect(s.stats()).toMatchObject({ unknownTickSizes: 1, parseErrors: 0 });
  });

  it('spreads subscriptions over several connections under the cap, and follows a changing set', async () => {
    const r = await rig(3);
    const s = stream(r.wsUrl, { maxAssetsPerConnection: 3 });
    s.setAssets(r.tokens); // 8 tokens -> 3 + 3 + 2
    await eventually(() => r.tokens.every((t) => s.book(t)?.synced), 5000, 'all snapshots');
    expect(s.layout().map((c) => c.length)).toEqual([3, 3, 2]);
    await eventually(() => r.venue.wsLayout().length === 3);
    expect(r.venue.wsLayout().map((c) => c.length).sort()).toEqual([2, 3, 3]);
    expect(r.venue.stats().capExceeded).toBe(0);

    // Drop the first three, keep the rest: the emptied connection closes, the set stays spread.
    s.setAssets(r.tokens.slice(3));
    await eventually(() => r.venue.wsLayout().flat().length === 5 && r.venue.wsLayout().length === 2, 5000, 'server sees the new set');
    expect(s.book(r.tokens[0]!)).toBeUndefined();
    expect(s.stats()).toMatchObject({ assets: 5, connections: 2 });
    // Updates for an unsubscribed token no longer arrive; those for kept tokens do.
    const before = s.stats().priceChanges;
    r.venue.setMakerQuotes(r.tokens[0]!, { yesBids: [[0.3, 1]], yesAsks: [] });
    r.venue.setMakerQuotes(r.tokens[7]!, { yesBids: [[0.3, 1]], yesAsks: [[0.33, 2]] });
    await eventually(() => sameAsRest(s, r.clob, r.tokens[7]!), 5000, 'kept token updated');
    expect(s.stats().priceChanges).toBe(before + 1);
    expect(s.stats().unknownAssets).toBe(0);
  });

  it('would be cut off by the venue if it did not spread: the cap is real', async () => {
    const r = await rig(3);
    const s = stream(r.wsUrl, { maxAssetsPerConnection: 8 });
    s.setAssets(r.tokens);
    await eventually(() => r.venue.stats().capExceeded >= 1, 5000, 'the venue closing the connection');
    expect(r.tokens.some((t) => s.book(t)?.synced)).toBe(false);
  });

  it('reconnects after the server drops every connection, resubscribes, and the books are right again', async () => {
    const r = await rig(3);
    const s = stream(r.wsUrl, { maxAssetsPerConnection: 3 });
    s.setAssets(r.tokens);
    await eventually(() => r.tokens.every((t) => s.book(t)?.synced), 5000, 'all snapshots');
    const staleReported: string[] = [];
    s.on('stale', (ids) => staleReported.push(...ids));

    r.venue.dropWsConnections();
    // The market moves while we are away: only a fresh snapshot can tell us.
    r.venue.setMakerQuotes(r.tokens[4]!, { yesBids: [[0.61, 7]], yesAsks: [[0.63, 9]] });
    await eventually(() => staleReported.length === 8, 5000, 'every book marked stale');
    await eventually(() => s.stats().reconnects >= 3 && s.stats().openConnections === 3, 5000, 'reconnected');
    await eventually(() => r.tokens.every((t) => s.book(t)?.synced), 5000, 'fresh snapshots');
    for (const t of r.tokens) expect(await sameAsRest(s, r.clob, t)).toBe(true);
    expect(s.book(r.tokens[4]!)!.top().bestBid).toEqual({ price: 0.61, size: 7 });
    expect(r.venue.wsLayout().flat().sort()).toEqual([...r.tokens].sort());

    // And live updates flow again.
    r.venue.setMakerQuotes(r.tokens[5]!, { yesBids: [[0.2, 3]], yesAsks: [[0.25, 4]] });
    await eventually(() => sameAsRest(s, r.clob, r.tokens[5]!), 5000, 'update after reconnect');
  });
});

describe('market WebSocket client against malformed frames', () => {
  it('counts and skips bad frames and keeps reading the good ones', async () => {
    const token = '71321045679252212594626385532706912750332728571942532289631379312455583992563';
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => new Promise<void>((res) => wss.close(() => res())));
    const book = (bid: string) => ({ event_type: 'book', asset_id: token, market: '0xabc', bids: [{ price: bid, size: '10' }], asks: [], timestamp: '1', hash: 'h' });
    wss.on('connection', (ws) => {
      ws.on('message', () => {
        ws.send('{"event_type":"book","asset_id":"7132'); // truncated
        ws.send(JSON.stringify({ ...book('0.5'), bids: [{ price: 0.5, size: '10' }] })); // number where a string is due
        ws.send(JSON.stringify([book('0.6'), { event_type: 'price_change', market: '0xabc', timestamp: '2', price_changes: [{ asset_id: token, price: '7', size: '1', side: 'BUY' }] }]));
        ws.send('INVALID OPERATION');
        ws.send(JSON.stringify({ event_type: 'price_change', market: '0xabc', timestamp: '3', price_changes: [{ asset_id: token, price: '0.61', size: '5', side: 'BUY', hash: 'x', best_bid: '0.61', best_ask: '' }] }));
      });
    });
    await new Promise((r) => wss.once('listening', r));
    const s = stream(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
    const problems: string[] = [];
    s.on('problem', (e) => problems.push(e.message));
    s.setAssets([token]);
    await eventually(() => s.book(token)?.top().bestBid?.price === 0.61, 5000, 'the good frames applied');
    expect(s.stats()).toMatchObject({ parseErrors: 3, textFrames: 1, books: 1, priceChanges: 1 });
    expect(problems.join('\n')).toMatch(/not valid JSON/);
    expect(problems.join('\n')).toMatch(/bids\[0\]\.price: expected a decimal string/);
    expect(problems.join('\n')).toMatch(/\[1\]\.price_changes\[0\]\.price: price 7 is outside \[0,1\]/);
    expect(s.book(token)!.bidLevels()).toEqual([{ price: 0.61, size: 5 }, { price: 0.6, size: 10 }]);
  });

  it('declares a silent connection dead (no PONG) and reconnects', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => new Promise<void>((res) => {
      for (const c of wss.clients) c.terminate();
      wss.close(() => res());
    }));
    let connections = 0;
    wss.on('connection', () => connections++); // accepts, then never says a word
    await new Promise((r) => wss.once('listening', r));
    const s = stream(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, { pingIntervalMs: 50, staleAfterMs: 200 });
    s.setAssets(['1']);
    await eventually(() => connections >= 3, 5000, 'two reconnects');
    expect(s.stats().reconnects).toBeGreaterThanOrEqual(2);
    expect(s.stats().pongs).toBe(0);
  });
});
