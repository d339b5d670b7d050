/**
 * zmq_listener key and stream layout: a real publisher service registered in a private Redis
 * registry, the listener following it, and the exact slow-track keys, stream lengths, fields
 * and JSON data it writes for each kind of hot topic.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLatestGame, readLatestPrice, readRecent } from '../src/bus/slow-track.js';
import type { GameInfo, OrderBook, TradeSignal } from '../src/core/messages.js';
import { SlowKey } from '../src/core/slow-keys.js';
import { Topic } from '../src/core/topics.js';
import { eventually } from './helpers/redis.js';
import {
  exitSignal,
  fieldsOf,
  healthAlert,
  position,
  tradeCompleted,
  tradeSignal,
  metricsOf,
  priceUpdate,
  startBridge,
  type Bridge,
  type TestNode,
  type TestPublisher,
} from './zmq-listener-harness.js';

const price = priceUpdate;

const gameInfo = (event: GameInfo['event']): GameInfo => ({
  event,
  game_id: '401585601',
  sport: 'nba',
  name: 'LAL at BOS',
  home: { name: 'Boston Celtics', abbr: 'BOS' },
  away: { name: 'Los Angeles Lakers', abbr: 'LAL' },
  start_time: '2026-01-05T00:30:00Z',
  status: event === 'final' ? 'final' : 'live',
  markets: [{ venue: 'kalshi', market_id: 'KXNBAGAME-26JAN05LALBOS-BOS', team: 'BOS', outcome: 'home' }],
  shard: 'game_shard.0',
});

const signal: TradeSignal = tradeSignal('sig1');

const book: OrderBook = {
  venue: 'kalshi',
  market_id: 'KXA',
  game_id: null,
  book_seq: 42,
  yes_bids: [[0.54, 100]],
  yes_asks: [[0.56, 70]],
};

describe.each(['script', 'xadd'])('zmq_listener slow-track layout (%s writer)', (writeMode) => {
  let bridge: Bridge;
  let redis: Redis;
  let listener: TestNode;
  let pub: TestPublisher;

  beforeAll(async () => {
    bridge = await startBridge({ LISTENER_WRITE_MODE: writeMode });
    ({ redis, listener, pub } = bridge);
  }, 30_000);

  afterAll(() => bridge?.stop());

  it('mirrors each topic family to its keys with the shared entry layout', async () => {
    const p = pub.publisher;
    const kalshiTopic = Topic.price('kalshi', 'KXA');
    const first = p.publish(kalshiTopic, 'price', price('KXA', 0.41, { last_price: 0.4 }), { cause: 'c-0' })!;
    // Let the first land on its own, so the second must replace (not merge into) its hash.
    await eventually(async () => (await redis.hget('price:kalshi:KXA', 'seq')) === '1', 5_000, 'first price hash');
    expect(await redis.hget('price:kalshi:KXA', 'cause')).toBe('c-0');
    const second = p.publish(kalshiTopic, 'price', price('KXA', 0.43))!;
    p.publish(Topic.price('poly', '7100000001'), 'price', price('7100000001', 0.5, { venue: 'poly' }));
    p.publish(Topic.game('nba', '401585601'), 'game_info', gameInfo('discovered'));
    p.publish(Topic.game('nba', '401585601'), 'game_info', gameInfo('updated'));
    p.publish(Topic.tradeSignal('sig1'), 'trade_signal', signal);
    p.publish(Topic.exitSignal('pos1'), 'exit_signal', exitSignal('pos1'));
    p.publish(Topic.orderbook('kalshi', 'KXA'), 'orderbook', book);
    p.publish(Topic.tradeCompleted('t1'), 'trade_completed', tradeCompleted('t1'));
    p.publish(Topic.position('pos1'), 'position', position('pos1'));
    p.publish('health.game_shard.0', 'health_alert', healthAlert('layout'));
    await p.flush();

    await eventually(async () => (await redis.xlen(SlowKey.mirrorStream('health.game_shard'))) === 1, 10_000, 'last topic mirrored');
    await eventually(async () => (await redis.exists(SlowKey.latestPrice('kalshi', 'KXA'), SlowKey.gameLatest('nba', '401585601'))) === 2, 5_000, 'latest keys');

    // Streams and their exact lengths.
    expect(await redis.xlen('prices:kalshi')).toBe(2);
    expect(await redis.xlen('prices:poly')).toBe(1);
    expect(await redis.xlen('games:events')).toBe(2);
    expect(await redis.xlen('signals:trades')).toBe(2);
    expect(await redis.xlen('mirror:orderbook:kalshi')).toBe(1);
    expect(await redis.xlen('mirror:trades:completed')).toBe(1);
    expect(await redis.xlen('mirror:positions')).toBe(1);
    // Never the owners' keys.
    expect(await redis.exists('trades:completed', 'positions:open', 'positions:closed')).toBe(0);

    // A stream entry: exact fields, numbers as decimal text, data as JSON.
    const entries = await redis.xrange('prices:kalshi', '-', '+');
    const e1 = fieldsOf(entries[0]![1]);
    expect(Object.keys(e1)).toEqual(['topic', 'id', 'src', 'seq', 'ts', 'type', 'origin_ts', 'cause', 'data']);
    expect(e1).toMatchObject({ topic: kalshiTopic, id: first, src: p.src, seq: '1', type: 'price', cause: 'c-0' });
    expect(JSON.parse(e1.data!)).toEqual(price('KXA', 0.41, { last_price: 0.4 }));
    expect(Number(e1.ts)).toBeGreaterThan(1.7e15);
    const e2 = fieldsOf(entries[1]![1]);
    expect(Object.keys(e2)).toEqual(['topic', 'id', 'src', 'seq', 'ts', 'type', 'origin_ts', 'data']);
    expect(e2).toMatchObject({ id: second, seq: '2' });

    // The latest-price hash: the newest message, flattened data plus the entry fields.
    const hash = await redis.hgetall('price:kalshi:KXA');
    expect(hash).toMatchObject({
      venue: 'kalshi', market_id: 'KXA', game_id: 'g401', team: 'BOS', yes_bid: '0.43', yes_ask: '0.45',
      yes_bid_size: '120', yes_ask_size: '80', status: 'open',
      topic: kalshiTopic, id: second, src: p.src, seq: '2', type: 'price', origin_ts: e2.origin_ts, ts: e2.ts,
    });
    // Replaced, not merged: the first message's cause and last_price do not linger.
    expect(hash.cause).toBeUndefined();
    expect(hash.last_price).toBeUndefined();
    const latest = await readLatestPrice(redis, 'kalshi', 'KXA');
    expect(latest?.envelope.data).toEqual(price('KXA', 0.43));

    // The latest game: a day-long key holding the newest message.
    const ttl = await redis.ttl('games:nba:401585601');
    expect(ttl).toBeGreaterThan(86_000);
    expect(ttl).toBeLessThanOrEqual(86_400);
    const game = await readLatestGame(redis, 'nba', '401585601');
    expect(game?.envelope.type).toBe('game_info');
    expect(game?.envelope.data).toMatchObject({ event: 'updated', game_id: '401585601' });

    // Signals of every kind share one capped stream; other families keep their data.
    const signals = await readRecent(redis, 'signals:trades', 10);
    expect(signals.map((s) => s.topic)).toEqual(['signals.trade.sig1', 'signals.exit.pos1']);
    expect(signals[0]!.envelope.data).toEqual(signal);
    const books = await readRecent(redis, 'mirror:orderbook:kalshi', 10);
    expect(books[0]!.envelope.data).toEqual(book);
  });

  it('coalesces latest-state writes but keeps every stream entry', async () => {
    const p = pub.publisher;
    for (let i = 1; i <= 500; i++) p.publish(Topic.price('poly', 'COAL1'), 'price', price('COAL1', Math.round(i) / 1000, { venue: 'poly' }));
    await p.flush();
    await eventually(async () => (await redis.hget('price:poly:COAL1', 'seq')) === '500', 10_000, 'latest price seq 500');
    const inStream = (await redis.xrange('prices:poly', '-', '+')).filter(([, f]) => fieldsOf(f).topic === 'prices.poly.COAL1');
    expect(inStream.map(([, f]) => Number(fieldsOf(f).seq))).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect(await redis.hget('price:poly:COAL1', 'yes_bid')).toBe('0.5');
    const m = metricsOf(listener);
    // 500 updates of one key arrived far faster than a Redis round trip: most were coalesced.
    expect(m['bridge.coalesced']).toBeGreaterThan(0);
    expect(m['bridge.latest_written']! + m['bridge.coalesced']!).toBeGreaterThanOrEqual(500);
  });

  it('reports its counters in the registry metrics and the status hash', async () => {
    await eventually(async () => Number(await redis.hget(SlowKey.bridgeStatus, 'bridge.mirrored')) >= 511, 5_000, 'status hash');
    const status = await redis.hgetall(SlowKey.bridgeStatus);
    expect(status).toMatchObject({ service: 'zmq_listener', instance: listener.running.ctx.instance, 'bridge.redis_up': '1', 'bridge.dropped': '0' });
    for (const name of ['bridge.pipelines', 'bridge.buffered', 'bridge.redis_errors', 'bridge.flush_ms_p99', 'sub.gaps', 'sub.received']) {
      expect(status[name], name).toMatch(/^\d+(\.\d+)?$/);
    }
    expect(Number(status['sub.gaps'])).toBe(0);
    expect(await redis.pttl(SlowKey.bridgeStatus)).toBeGreaterThan(0);
    const m = metricsOf(listener);
    expect(m['bridge.mirrored']).toBe(m['bridge.received']);
    expect(m['bridge.write_errors']).toBe(0);
    expect(m['bridge.unrouted']).toBe(0);
  });

  it('keeps going and counts when Redis refuses a write for good', async () => {
    await redis.set('mirror:clash:x', 'not a stream');
    const p = pub.publisher;
    p.publish('clash.x.1', 'health_alert', healthAlert('clash 1'));
    p.publish('clash.y.1', 'health_alert', healthAlert('clash 2'));
    await p.flush();
    await eventually(async () => (await redis.xlen('mirror:clash:y')) === 1, 5_000, 'the next family still mirrored');
    await eventually(() => (metricsOf(listener)['bridge.write_errors'] ?? 0) >= 1, 5_000, 'write error counted');
    expect(metricsOf(listener)['bridge.buffered']).toBe(0);
    expect(await redis.type('mirror:clash:x')).toBe('string');
  });
});
