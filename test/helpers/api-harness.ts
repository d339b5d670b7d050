/**
 * Shared set-up of the api tests: a private redis-server (the registry and the control keys are
 * global names), the api service in this process on a free port, a stand-in publisher service on
 * the hot path (optionally zmq_listener, writing the slow track from it), and helpers for HTTP, WebSocket and slow-track seeding.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import type { HotPublisher } from '../../src/bus/hot-publisher.js';
import { appendToStream, writeLatestGame, writeLatestPrice } from '../../src/bus/slow-track.js';
import { ZmqSubscriber } from '../../src/bus/zmq-subscriber.js';
import type { RawEnvelope } from '../../src/core/envelope.js';
import type { WsServerMessage } from '../../src/core/api-protocol.js';
import type { GameInfo, GameState, MessageData, MessageType, Position, PriceUpdate, TradeCompleted, TradeSignal } from '../../src/core/messages.js';
import { SlowKey } from '../../src/core/slow-keys.js';
import { nowMicros } from '../../src/core/time.js';
import { Topic } from '../../src/core/topics.js';
import { defineService, startService, type RunningService } from '../../src/runtime/service.js';
import { api } from '../../src/services/api/api.js';
import { zmqListener } from '../../src/services/zmq-listener/zmq-listener.js';
import { PrivateRedis } from './private-redis.js';
import { baseServiceEnv } from './service-env.js';

export const TOKEN = 'test-token-0123456789abcdef';

export class ApiHarness {
  server!: PrivateRedis;
  redis!: Redis;
  api!: RunningService;
  source!: RunningService;
  /** zmq_listener, when started: it writes the slow track (latest prices...) from the hot path. */
  listener: RunningService | null = null;
  pub!: HotPublisher;
  readonly dataDir = mkdtempSync(path.join(tmpdir(), 'arb-api-'));
  #seq = 0;

  async start(extra: Record<string, string> = {}, options: { listener?: boolean } = {}): Promise<void> {
    this.server = await PrivateRedis.start();
    this.redis = new Redis(this.server.url);
    // The stand-in publishes prices as a monitor would; /ws prices follow them unless a test asks for quotes.
    // Likewise the listener stores the prices it hears (no monitor sends quote snapshots here).
    const env = this.env({ ARBEES_API_PORT: '0', ARBEES_API_TOKEN: TOKEN, ARBEES_API_PRICES_FROM: 'prices', LISTENER_PRICES_FROM: 'prices', LISTENER_BOOKS_MS: '0', ...extra });
    const def = defineService({ name: 'api_test_source', description: 'stand-in publisher', start: async (ctx) => void (await ctx.publisher()) });
    this.source = await startService(def, env);
    this.pub = await this.source.ctx.publisher();
    if (options.listener === true) this.listener = await startService(zmqListener, env);
    this.api = await startService(api, env);
  }

  env(extra: Record<string, string> = {}): Record<string, string> {
    return baseServiceEnv({ REDIS_URL: this.server.url, ARBEES_DATA_DIR: this.dataDir, ...extra });
  }

  get port(): number {
    return this.api.ctx.metrics.get('http_port');
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async get(pathAndQuery: string): Promise<{ status: number; body: any }> {
    const res = await fetch(this.base + pathAndQuery);
    return { status: res.status, body: await res.json().catch(() => null) };
  }

  async post(pathName: string, body: unknown, token: string | null = TOKEN, raw?: string): Promise<{ status: number; body: any }> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    const res = await fetch(this.base + pathName, { method: 'POST', headers, body: raw ?? JSON.stringify(body) });
    return { status: res.status, body: await res.json().catch(() => null) };
  }

  ws(): WebSocket {
    return new WebSocket(`ws://127.0.0.1:${this.port}/ws`);
  }

  /** A /ws client, open, collecting every server message in order. */
  async openClient(): Promise<{ ws: WebSocket; messages: WsServerMessage[] }> {
    const ws = this.ws();
    const messages: WsServerMessage[] = [];
    ws.on('message', (raw) => messages.push(JSON.parse(String(raw)) as WsServerMessage));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return { ws, messages };
  }

  /** A subscriber on the api's own publisher (what execution_service hears from it). */
  async listenToApi(prefix: string, onMessage: (topic: string, env: RawEnvelope) => void): Promise<ZmqSubscriber> {
    const sub = new ZmqSubscriber({});
    sub.onMessage(onMessage);
    sub.subscribe(prefix);
    sub.connect((await this.api.ctx.publisher()).endpoint!);
    await new Promise((r) => setTimeout(r, 300)); // ZMQ slow joiner
    return sub;
  }

  envelope<T extends MessageType>(type: T, data: MessageData<T>): RawEnvelope {
    const ts = nowMicros();
    return { v: 1, type, id: `e${++this.#seq}`, src: 'test.0', seq: this.#seq, ts, origin_ts: ts - 100, data };
  }

  async seedGame(info: GameInfo, state: GameState | null): Promise<void> {
    await this.redis.hset(SlowKey.activeGames, info.game_id, JSON.stringify(info));
    const topic = Topic.game(info.sport, info.game_id);
    if (state) await writeLatestGame(this.redis, info.sport, info.game_id, topic, this.envelope('game_state', state));
  }

  async seedPrice(p: PriceUpdate): Promise<void> {
    await writeLatestPrice(this.redis, p.venue, p.market_id, Topic.price(p.venue, p.market_id), this.envelope('price', p));
  }

  async seedSignal(s: TradeSignal): Promise<void> {
    await appendToStream(this.redis, SlowKey.signalsStream, Topic.tradeSignal(s.signal_id), this.envelope('trade_signal', s), 1000);
  }

  async seedTrade(t: TradeCompleted): Promise<void> {
    await appendToStream(this.redis, SlowKey.tradesCompleted, Topic.tradeCompleted(t.trade_id), this.envelope('trade_completed', t), 100_000);
  }

  async seedOpenPosition(p: Position): Promise<void> {
    await this.redis.hset(SlowKey.positionsOpen, p.position_id, JSON.stringify({ position: p, book: { positionId: p.position_id } }));
  }

  async close(): Promise<void> {
    await this.api?.stop();
    await this.listener?.stop();
    await this.source?.stop();
    this.redis?.disconnect();
    await this.server?.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export function gameInfo(id: string, over: Partial<GameInfo> = {}): GameInfo {
  return {
    event: 'discovered',
    game_id: id,
    sport: 'nba',
    name: `Away at Home ${id}`,
    home: { name: 'Home', abbr: 'HOM' },
    away: { name: 'Away', abbr: 'AWY' },
    start_time: '2026-12-05T20:00:00Z',
    status: 'live',
    markets: [
      { venue: 'kalshi', market_id: `K-${id}-HOM`, team: 'HOM', outcome: 'home' },
      { venue: 'poly', market_id: `P${id}`, team: 'HOM', outcome: 'home' },
    ],
    shard: 'game_shard.0',
    ...over,
  };
}

export function gameState(id: string, over: Partial<GameState> = {}): GameState {
  return {
    game_id: id, sport: 'nba', status: 'live', period: 2, clock_s: 300, home_score: 50, away_score: 44, possession: 'home',
    situation: null, model_home_prob: 0.62, espn_home_prob: null, markets: [], updated_ts: nowMicros(), ...over,
  };
}

export function price(venue: 'kalshi' | 'poly', marketId: string, bid: number, ask: number, gameId: string | null = null): PriceUpdate {
  return { venue, market_id: marketId, game_id: gameId, team: 'HOM', yes_bid: bid, yes_ask: ask, yes_bid_size: 10, yes_ask_size: 10, status: 'open' };
}

export function signal(id: string, kind: TradeSignal['kind'], gameId: string, reason = 'test'): TradeSignal {
  const now = nowMicros();
  return {
    signal_id: id, kind, game_id: gameId, sport: 'nba',
    legs: [{ venue: 'kalshi', market_id: `K-${gameId}-HOM`, team: 'HOM', side: 'yes', action: 'buy', yes_price: 0.5, contracts: 10, fee_cc: 100 }],
    model_prob: 0.6, net_edge: 0.05, gross_edge: 0.06, confidence: 0.8, reason, created_ts: now, expires_ts: now + 5_000_000,
  };
}

export function trade(id: string, sourceId: string, gameId: string, status: TradeCompleted['status'], reason: string | null): TradeCompleted {
  return {
    trade_id: id, source: 'signal', source_id: sourceId, game_id: gameId, sport: 'nba', mode: 'paper', status, reason,
    fills: status === 'filled' ? [{ venue: 'kalshi', market_id: `K-${gameId}-HOM`, side: 'yes', action: 'buy', contracts: 10, yes_price: 0.5, fee_cc: 1_800, order_id: 'o1' }] : [],
    decided_ts: nowMicros(),
  };
}

export function position(id: string, gameId: string, over: Partial<Position> = {}): Position {
  const now = nowMicros();
  return {
    position_id: id, game_id: gameId, sport: 'nba', venue: 'kalshi', market_id: `K-${gameId}-HOM`, team: 'HOM', side: 'yes', state: 'open',
    contracts: 10, avg_yes_price: 0.5, mark_yes_price: 0.55, cost_cc: 50_000, fees_cc: 1_800, realized_pnl_cc: 0, unrealized_pnl_cc: 3_200,
    opened_ts: now, updated_ts: now, ...over,
  };
}
