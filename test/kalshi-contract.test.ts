/**
 * One contract test per Kalshi message: the simulator's payload, over real HTTP and WebSocket,
 * has the shape (keys and JSON types) of the fixture taken from Kalshi's documentation examples
 * (src/venues/kalshi/fixtures/good). Optional fields the documentation marks as such are named.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KalshiSimVenue } from '../src/sim/kalshi/kalshi-sim-venue.js';
import { eventually } from './helpers/redis.js';
import { shapeDiff } from './helpers/wire-shape.js';
import { makeKey, nbaGame, startVenue } from './kalshi-helpers.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../src/venues/kalshi/fixtures/good/${name}`, import.meta.url), 'utf8'));
const key = makeKey('contract-key');
const BOS = 'KXNBAGAME-26NOV24BOSLAL-BOS';
let venue: KalshiSimVenue;
let restUrl = '';
let wsUrl = '';
let ws: WebSocket;
const frames: Record<string, unknown>[] = [];
let created: Record<string, unknown>;

async function rest(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown>> {
  const url = new URL(`${restUrl}${path}`);
  const headers = { ...key.signer.headers(method, url.pathname), 'content-type': 'application/json' };
  const res = await fetch(url, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return (await res.json()) as Record<string, unknown>;
}

async function frame(type: string, pred: (f: Record<string, unknown>) => boolean = () => true): Promise<Record<string, unknown>> {
  await eventually(() => frames.some((f) => f.type === type && pred(f)), 5_000, `a ${type} frame`);
  return frames.find((f) => f.type === type && pred(f))!;
}

beforeAll(async () => {
  ({ venue, restUrl, wsUrl } = await startVenue());
  venue.registerKey(key.keyId, key.publicKeyPem);
  venue.listGame(nbaGame());
  venue.setMakerQuotes(BOS, { yesBids: [[0.44, 100]], yesAsks: [[0.46, 100]] });
  ws = new WebSocket(wsUrl, { headers: key.signer.headers('GET', new URL(wsUrl).pathname) });
  ws.on('message', (d) => frames.push(JSON.parse(String(d)) as Record<string, unknown>));
  await new Promise((r, j) => {
    ws.once('open', r);
    ws.once('error', j);
  });
  ws.send(JSON.stringify({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta', 'ticker', 'market_lifecycle_v2'], market_tickers: [BOS], send_initial_snapshot: true } }));
  await frame('orderbook_snapshot');
  created = await rest('POST', '/portfolio/events/orders', {
    ticker: BOS, side: 'bid', count: '5.00', price: '0.4600', time_in_force: 'immediate_or_cancel', self_trade_prevention_type: 'taker_at_cross', client_order_id: randomUUID(),
  });
});

afterAll(async () => {
  ws?.close();
  await venue?.close();
});

describe('Kalshi simulator payloads have the documented shapes', () => {
  it('GET /markets/{ticker}', async () => {
    expect(shapeDiff(fixture('market.json'), await rest('GET', `/markets/${BOS}`), ['market.fractional_trading_enabled', 'market.settlement_ts', 'market.settlement_value_dollars'])).toEqual([]);
  });

  it('GET /markets/{ticker}/orderbook', async () => {
    expect(shapeDiff(fixture('orderbook.json'), await rest('GET', `/markets/${BOS}/orderbook`))).toEqual([]);
  });

  it('POST /portfolio/events/orders, GET /portfolio/orders/{id} and GET /portfolio/fills', async () => {
    expect(created).toMatchObject({ fill_count: '5.00' });
    expect(shapeDiff(fixture('create-order-v2.json'), created)).toEqual([]);
    // self_trade_prevention_type is null on the documentation's example order, set on ours
    expect(shapeDiff(fixture('order.json'), await rest('GET', `/portfolio/orders/${String(created.order_id)}`), ['order.self_trade_prevention_type'])).toEqual([]);
    // created_time is optional in the fills schema (fills-no-created-time.json); the rest must match
    expect(shapeDiff(fixture('fills.json'), await rest('GET', `/portfolio/fills?order_id=${String(created.order_id)}`), ['fills[].created_time'])).toEqual([]);
  });

  it('WS orderbook_snapshot, orderbook_delta, ticker and market_lifecycle_v2', async () => {
    expect(shapeDiff(fixture('ws-orderbook-snapshot.json'), await frame('orderbook_snapshot'))).toEqual([]);
    expect(shapeDiff(fixture('ws-orderbook-delta.json'), await frame('orderbook_delta'), ['msg.client_order_id', 'msg.subaccount'])).toEqual([]);
    expect(shapeDiff(fixture('ws-ticker.json'), await frame('ticker'))).toEqual([]);
    venue.settle(BOS, 'yes');
    const lifecycle = await frame('market_lifecycle_v2');
    expect(lifecycle).toMatchObject({ msg: { event_type: 'determined', market_ticker: BOS, result: 'yes' } });
    expect(shapeDiff(fixture('ws-market-lifecycle.json'), lifecycle)).toEqual([]);
  });
});
