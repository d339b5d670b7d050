/**
 * The /ws protocol against the real api and a real hot-path publisher: snapshot on subscribe,
 * live events as {kind, topic, type, ts, data}, unsubscribe, errors for malformed messages and
 * unknown prefixes (closed with 1008 after too many), price coalescing, and a client that never
 * reads: its queue overflows, drops are counted, it is disconnected, and a reading client beside
 * it still gets every message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import type { WsServerMessage } from '../src/core/api-protocol.js';
import { Topic } from '../src/core/topics.js';
import { eventually } from './helpers/redis.js';
import { ApiHarness, price, signal } from './helpers/api-harness.js';

const h = new ApiHarness();

beforeAll(() => h.start({ ARBEES_API_WS_QUEUE: '200', ARBEES_API_WS_BUFFER: '4096', ARBEES_API_WS_HOPELESS_MS: '300' }), 60_000);
afterAll(() => h.close());

class Client {
  readonly messages: WsServerMessage[] = [];
  closeCode: number | null = null;
  constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => this.messages.push(JSON.parse(String(raw)) as WsServerMessage));
    ws.on('close', (code) => (this.closeCode = code));
  }
  static async open(): Promise<Client> {
    const c = new Client(h.ws());
    await new Promise((resolve, reject) => c.ws.once('open', resolve).once('error', reject));
    return c;
  }
  send(m: unknown): void {
    this.ws.send(typeof m === 'string' ? m : JSON.stringify(m));
  }
  of<K extends WsServerMessage['kind']>(kind: K): Extract<WsServerMessage, { kind: K }>[] {
    return this.messages.filter((m): m is Extract<WsServerMessage, { kind: K }> => m.kind === kind);
  }
}

/** Publishes until the api has heard a message on `topic` (the subscriber joins the publisher asynchronously). */
async function publishUntilHeard(topic: string, publish: () => void): Promise<void> {
  const hub = () => h.api.ctx.metrics.snapshot()['ws.cache_topics'] ?? 0;
  const start = hub();
  await eventually(async () => {
    publish();
    await new Promise((r) => setTimeout(r, 50));
    return hub() > start || (await h.get(`/api/markets/${topic}`)).status === 200;
  }, 10_000, `api hears ${topic}`);
}

describe('/ws', () => {
  it('snapshot on subscribe, then live events; unsubscribe stops them', async () => {
    // Nobody follows prices yet, so the api does not hear them: the snapshot comes from the stored state.
    await h.seedPrice(price('kalshi', 'SNAP1', 0.4, 0.42));
    const c = await Client.open();
    c.send({ subscribe: ['prices.kalshi.', 'signals.'] });
    await eventually(() => c.of('snapshot').length === 2, 3_000, 'two snapshots');
    expect(c.of('subscribed')[0]!.prefixes).toEqual(['prices.kalshi.', 'signals.']);
    const snap = c.of('snapshot').find((s) => s.prefix === 'prices.kalshi.')!;
    expect(snap.events.find((e) => e.topic === 'prices.kalshi.SNAP1')).toMatchObject({ type: 'price', data: { yes_bid: 0.4 } });

    h.pub.publish(Topic.tradeSignal('live1'), 'trade_signal', signal('live1', 'model_edge', 'g1'));
    h.pub.publish(Topic.price('poly', 'NOTME'), 'price', price('poly', 'NOTME', 0.1, 0.2));
    await eventually(() => c.of('event').some((e) => e.topic === 'signals.trade.live1'), 3_000, 'live signal');
    const ev = c.of('event').find((e) => e.topic === 'signals.trade.live1')!;
    expect(ev).toMatchObject({ type: 'trade_signal', data: { signal_id: 'live1' } });
    expect(ev.ts).toBeGreaterThan(ev.origin_ts - 1);
    expect(c.of('event').some((e) => e.topic.startsWith('prices.poly.'))).toBe(false);

    c.send({ unsubscribe: ['signals.'] });
    await eventually(() => c.of('unsubscribed').length === 1, 3_000, 'unsubscribed');
    h.pub.publish(Topic.tradeSignal('after'), 'trade_signal', signal('after', 'model_edge', 'g1'));
    h.pub.publish(Topic.price('kalshi', 'SNAP1'), 'price', price('kalshi', 'SNAP1', 0.41, 0.43));
    await eventually(() => c.of('event').some((e) => e.topic === 'prices.kalshi.SNAP1'), 3_000, 'price after unsubscribe');
    expect(c.of('event').some((e) => e.topic === 'signals.trade.after')).toBe(false);
    c.send({ ping: 7 });
    await eventually(() => c.of('pong').length === 1, 3_000, 'pong');
    expect(c.of('pong')[0]!.ping).toBe(7);
    c.ws.close();
  });

  it('malformed messages and unknown prefixes get ARB_API_WS_PROTOCOL errors; too many close with 1008', async () => {
    const c = await Client.open();
    const before = h.api.ctx.metrics.get('ws_protocol_errors');
    c.send('not json');
    c.send({ subscribe: ['weather.'] });
    c.send({ subscribe: 'prices.' });
    c.send({ hello: 1 });
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await eventually(() => c.of('error').length === 5, 3_000, 'five errors');
    expect(c.of('error').every((e) => e.code === 'ARB_API_WS_PROTOCOL')).toBe(true);
    expect(c.of('error')[1]!.message).toMatch(/unknown topic prefix "weather\."/);
    expect(h.api.ctx.metrics.get('ws_protocol_errors')).toBe(before + 5);
    for (let i = 0; i < 20; i++) c.send('x');
    await eventually(() => c.closeCode !== null, 3_000, 'closed');
    expect(c.closeCode).toBe(1008);
    expect((await h.get('/api/health')).status).toBe(200);
  });

  it('an oversize frame closes the client (1009), the api keeps serving', async () => {
    const c = await Client.open();
    c.send({ subscribe: ['prices.' + 'x'.repeat(20_000)] });
    await eventually(() => c.closeCode !== null, 3_000, 'closed');
    expect(c.closeCode).toBe(1009);
    expect((await h.get('/api/health')).status).toBe(200);
  });

  it('a client that never reads is cut off (1013) with counted drops; a reading client beside it misses nothing', async () => {
    const reader = await Client.open();
    const stuck = await Client.open();
    reader.send({ subscribe: ['signals.'] });
    stuck.send({ subscribe: ['signals.'] });
    await eventually(() => reader.of('subscribed').length === 1 && stuck.of('subscribed').length === 1, 3_000, 'subscribed');
    // Stop reading the socket: TCP backpressure builds up to the api.
    (stuck.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const dropsBefore = h.api.ctx.metrics.get('ws_slow_disconnects');
    const big = 'r'.repeat(4_000);
    const sent: string[] = [];
    for (let i = 0; i < 2_500; i++) {
      const id = `bulk${i}`;
      sent.push(id);
      h.pub.publish(Topic.tradeSignal(id), 'trade_signal', signal(id, 'arbitrage', 'g1', big));
      if (i % 100 === 99) await new Promise((r) => setTimeout(r, 20));
    }
    await eventually(() => h.api.ctx.metrics.get('ws_slow_disconnects') > dropsBefore, 10_000, 'slow client disconnected');
    await eventually(() => reader.of('event').filter((e) => e.topic.startsWith('signals.trade.bulk')).length === sent.length, 15_000, 'reader got every message');
    expect(h.api.ctx.metrics.get('ws_dropped')).toBeGreaterThan(0);
    // Reading again, the stuck client finds its connection closed by the api (1013, or 1006 once the api has terminated it).
    (stuck.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    await eventually(() => stuck.closeCode !== null, 10_000, 'stuck client closed');
    expect([1013, 1006]).toContain(stuck.closeCode);
    reader.ws.close();
  }, 40_000);

  it('prices waiting for a slow client are coalesced per market: only the newest is sent', async () => {
    const c = await Client.open();
    c.send({ subscribe: ['prices.kalshi.COAL'] });
    await eventually(() => c.of('snapshot').length === 1, 3_000, 'snapshot');
    const sock = (c.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    await publishUntilHeard('kalshi/COAL', () => h.pub.publish(Topic.price('kalshi', 'COAL'), 'price', price('kalshi', 'COAL', 0.2, 0.3)));
    sock.pause();
    const filler = 'f'.repeat(4_000);
    // Fill the socket first (big signals are not subscribed by this client, so use many prices of one market).
    for (let i = 1; i <= 3_000; i++) h.pub.publish(Topic.price('kalshi', 'COAL'), 'price', { ...price('kalshi', 'COAL', Math.round(i / 3_000 * 9_000) / 10_000, 0.95), team: filler });
    await new Promise((r) => setTimeout(r, 1_000));
    sock.resume();
    await eventually(() => c.of('event').some((e) => (e.data as { yes_bid: number }).yes_bid === 0.9), 10_000, 'newest price arrives');
    const prices = c.of('event').filter((e) => e.topic === 'prices.kalshi.COAL');
    expect(prices.length).toBeLessThan(3_000);
    expect(h.api.ctx.metrics.get('ws_coalesced')).toBeGreaterThan(0);
    // Each market's price is sent at most once per queue slot: never an older price after a newer one.
    const bids = prices.filter((e) => (e.data as { team: string }).team === filler).map((e) => (e.data as { yes_bid: number }).yes_bid);
    expect(bids).toEqual([...bids].sort((a, b) => a - b));
    c.ws.close();
  }, 30_000);
});
