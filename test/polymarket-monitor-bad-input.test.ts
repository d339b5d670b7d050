/**
 * polymarket_monitor against a scripted market WebSocket (a real `ws` server on loopback) that
 * sends what the simulator never does: malformed frames, a price_change whose stated best bid
 * disagrees with the book it should produce, and a crossed book. The monitor must keep going,
 * never publish the drifted numbers (one `halted` instead), resubscribe the token for a fresh
 * snapshot, and publish that snapshot's prices.
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { simGame } from './helpers/polymarket-games.js';
import { eventually } from './helpers/redis.js';
import { gameInfo, MonitorHarness } from './monitor-harness.js';
import { marketMonitorService } from '../src/services/market-monitor/market-monitor.js';

const polymarketMonitor = marketMonitorService('poly');

const T1 = '71321045679252212594626385532706912750332728571942532289631379312455583992563';
const T2 = '52114319501245915516055106046884209969926127482827954674443846427813813222426';
const MARKET = '0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1';
const game = simGame('g-mon-bad-1', 'nba', 'BOS', 'LAL', '2026-11-25T00:30:00Z');

type Level = { price: string; size: string };

/** A minimal market channel: answers subscriptions with the current scripted books. */
class ScriptedMarketWs {
  readonly server: WebSocketServer;
  readonly books = new Map<string, { bids: Level[]; asks: Level[] }>();
  readonly subscribes: string[] = [];
  readonly unsubscribes: string[] = [];
  socket: WebSocket | null = null;

  constructor() {
    this.server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/ws/market' });
    this.server.on('connection', (ws) => {
      this.socket = ws;
      ws.on('message', (raw) => this.#onMessage(ws, raw.toString()));
    });
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/ws/market`;
  }

  send(frame: unknown): void {
    this.socket?.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  snapshot(asset: string): object {
    const b = this.books.get(asset) ?? { bids: [], asks: [] };
    return { event_type: 'book', asset_id: asset, market: MARKET, bids: b.bids, asks: b.asks, timestamp: String(Date.now()), hash: 'h' };
  }

  close(): Promise<void> {
    for (const c of this.server.clients) c.terminate();
    return new Promise((r) => this.server.close(() => r()));
  }

  #onMessage(ws: WebSocket, text: string): void {
    if (text === 'PING') return void ws.send('PONG');
    const msg = JSON.parse(text) as { assets_ids?: string[]; operation?: string };
    const ids = msg.assets_ids ?? [];
    if (msg.operation === 'unsubscribe') return void this.unsubscribes.push(...ids);
    this.subscribes.push(...ids);
    ws.send(JSON.stringify(ids.map((id) => this.snapshot(id))));
  }
}

const change = (asset: string, side: 'BUY' | 'SELL', price: string, size: string, bestBid: string, bestAsk: string) => ({
  event_type: 'price_change',
  market: MARKET,
  timestamp: String(Date.now()),
  price_changes: [{ asset_id: asset, price, size, side, hash: 'x', best_bid: bestBid, best_ask: bestAsk }],
});

let h: MonitorHarness;
let venue: ScriptedMarketWs;

beforeEach(async () => {
  h = new MonitorHarness();
  venue = new ScriptedMarketWs();
  await new Promise<void>((r) => venue.server.once('listening', () => r()));
  venue.books.set(T1, { bids: [{ price: '0.40', size: '100' }], asks: [{ price: '0.42', size: '100' }] });
  venue.books.set(T2, { bids: [{ price: '0.57', size: '100' }], asks: [{ price: '0.59', size: '100' }] });
  const markets = [
    { venue: 'poly' as const, market_id: T1, team: 'LAL', outcome: 'home' as const },
    { venue: 'poly' as const, market_id: T2, team: 'BOS', outcome: 'away' as const },
    // Unusable as a topic id: counted and skipped, the rest of the game still works.
    { venue: 'poly' as const, market_id: 'bad.id', team: 'BOS', outcome: 'away' as const },
  ];
  await h.writeGame(gameInfo(game, markets));
  await h.startMonitor(polymarketMonitor, {
    POLYMARKET_WS_URL: venue.url,
    POLYMARKET_WS_RECONNECT_BASE_MS: '50',
    POLYMARKET_WS_RECONNECT_MAX_MS: '300',
    POLYMARKET_RESYNC_MIN_INTERVAL_MS: '0',
  });
  // The bid size moves until a price with that size shows: the subscriber is then in place.
  let size = 100;
  await eventually(
    async () => {
      size++;
      venue.send(change(T1, 'BUY', '0.40', String(size), '0.40', '0.42'));
      await new Promise((r) => setTimeout(r, 40));
      return h.lastPrice(T1)?.yes_bid_size === size;
    },
    8_000,
    'a first price',
  );
  venue.books.set(T1, { bids: [{ price: '0.40', size: String(size) }], asks: [{ price: '0.42', size: '100' }] });
});

afterEach(async () => {
  await h.close();
  await venue.close();
});

describe('polymarket_monitor with a misbehaving venue', () => {
  it('survives malformed frames: counted, skipped, and the next good update is published', async () => {
    for (const bad of ['{', 'not json', '[1,2,3]', JSON.stringify({ event_type: 'book', asset_id: T1 }), JSON.stringify(change(T1, 'BUY', '2', '1', '2', '0.42'))]) venue.send(bad);
    venue.socket?.send(Buffer.from([0xff, 0x00, 0x13]), { binary: true });
    venue.send(change(T1, 'SELL', '0.42', '5', '0.40', '0.42'));
    await eventually(() => h.lastPrice(T1)?.yes_ask_size === 5, 5_000, 'the good update after the bad ones');
    expect(h.lastPrice(T1)).toMatchObject({ status: 'open', yes_bid: 0.4, yes_ask: 0.42, team: 'LAL' });
    await eventually(async () => ((await h.heartbeat())?.metrics['polymarket_ws.parseErrors'] ?? 0) >= 4, 3_000, 'parse errors counted');
    const hb = await h.heartbeat();
    expect(hb!.status).toBe('healthy');
    expect(hb!.metrics.assignment_errors).toBeGreaterThanOrEqual(1);
    expect(hb!.metrics.markets).toBe(2);
  });

  it('a book that disagrees with the venue’s stated best bid is halted, resubscribed, and republished from the fresh snapshot', async () => {
    const from = h.prices.length;
    // The venue fixes the book it will send on resubscription.
    venue.books.set(T1, { bids: [{ price: '0.45', size: '70' }], asks: [{ price: '0.47', size: '80' }] });
    // A size change at 0.39 cannot make the best bid 0.45: our copy missed something.
    venue.send(change(T1, 'BUY', '0.39', '10', '0.45', '0.42'));
    await eventually(() => h.lastPrice(T1)?.yes_bid === 0.45, 5_000, 'the resynced price');
    const seen = h.prices.slice(from).filter((p) => p.data.market_id === T1).map((p) => p.data);
    expect(seen[0]).toMatchObject({ status: 'halted', yes_bid: null, yes_ask: null });
    // Nothing between the halt and the fresh snapshot: the drifted book was never published.
    expect(seen.slice(1)).toEqual([expect.objectContaining({ status: 'open', yes_bid: 0.45, yes_bid_size: 70, yes_ask: 0.47, yes_ask_size: 80 })]);
    expect(venue.unsubscribes).toContain(T1);
    expect(venue.subscribes.filter((id) => id === T1).length).toBeGreaterThanOrEqual(2);
  });

  it('a crossed book is halted and resynced rather than published', async () => {
    const from = h.prices.length;
    venue.books.set(T1, { bids: [{ price: '0.41', size: '9' }], asks: [{ price: '0.43', size: '9' }] });
    venue.send(change(T1, 'BUY', '0.44', '10', '0.44', '0.42'));
    await eventually(() => h.lastPrice(T1)?.yes_bid === 0.41, 5_000, 'the resynced price');
    const seen = h.prices.slice(from).filter((p) => p.data.market_id === T1).map((p) => p.data);
    expect(seen.map((p) => p.status)).toEqual(['halted', 'open']);
    expect(seen.some((p) => p.yes_bid === 0.44)).toBe(false);
    // The other token was never disturbed.
    expect(h.pricesOf(T2).every((p) => p.data.status === 'open')).toBe(true);
  });
});
