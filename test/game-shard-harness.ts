/**
 * Shared set-up of the game_shard integration tests: real Redis (unique key prefix), a loopback
 * ESPN scoreboard whose games the test sets state by state (so it can go backwards, go final or
 * fail), a stand-in orchestrator service that publishes game_info, a stand-in monitor service that
 * publishes crafted prices, the shard under test started with startService, and a ZMQ subscriber
 * on the shard's endpoint recording its game_state and signals.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { HotPublisher } from '../src/bus/hot-publisher.js';
import { writeLatestGame, writeLatestPrice } from '../src/bus/slow-track.js';
import { SlowKey } from '../src/core/slow-keys.js';
import { ZmqSubscriber } from '../src/bus/zmq-subscriber.js';
import type { RawEnvelope } from '../src/core/envelope.js';
import type { GameInfo, GameState, GameStatus, PriceUpdate, TradeSignal } from '../src/core/messages.js';
import { nowMicros } from '../src/core/time.js';
import { Topic, type Sport } from '../src/core/topics.js';
import { defineService, startService, type RunningService } from '../src/runtime/service.js';
import { gameShard } from '../src/services/game-shard/game-shard.js';
import { espnPath } from '../src/venues/espn/leagues.js';
import { eventually, testRedis } from './helpers/redis.js';
import { baseServiceEnv } from './helpers/service-env.js';

export interface StubGame {
  id: string;
  sport: Sport;
  home: { abbr: string; name: string };
  away: { abbr: string; name: string };
  status: GameStatus;
  period: number;
  clockS: number;
  homeScore: number;
  awayScore: number;
}

const STATUS_NAME: Record<GameStatus, [string, string]> = {
  scheduled: ['STATUS_SCHEDULED', 'pre'],
  live: ['STATUS_IN_PROGRESS', 'in'],
  halftime: ['STATUS_HALFTIME', 'in'],
  final: ['STATUS_FINAL', 'post'],
  postponed: ['STATUS_POSTPONED', 'post'],
  cancelled: ['STATUS_CANCELED', 'post'],
  delayed: ['STATUS_DELAYED', 'in'],
};

/** One event in ESPN's scoreboard shape (what src/venues/espn/parse.ts reads). */
function eventJson(g: StubGame): Record<string, unknown> {
  const [name, state] = STATUS_NAME[g.status];
  const status = {
    clock: g.clockS,
    displayClock: `${Math.floor(g.clockS / 60)}:${String(Math.floor(g.clockS % 60)).padStart(2, '0')}`,
    period: g.period,
    type: { name, state, completed: g.status === 'final', detail: name },
  };
  const side = (homeAway: 'home' | 'away', id: string, t: StubGame['home'], score: number) => ({
    id,
    homeAway,
    score: String(score),
    team: { id, abbreviation: t.abbr, displayName: t.name, shortDisplayName: t.name, location: t.name, name: t.name },
  });
  return {
    id: g.id,
    date: '2026-11-24T00:00Z',
    name: `${g.away.name} at ${g.home.name}`,
    shortName: `${g.away.abbr} @ ${g.home.abbr}`,
    status,
    competitions: [
      {
        id: g.id,
        date: '2026-11-24T00:00Z',
        timeValid: true,
        status,
        competitors: [side('home', '1', g.home, g.homeScore), side('away', '2', g.away, g.awayScore)],
      },
    ],
  };
}

/** A loopback ESPN whose scoreboards show exactly the games the test sets. */
export class EspnStub {
  readonly games = new Map<string, StubGame>();
  requests = 0;
  failNext = 0;
  #server: Server | null = null;

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      this.requests++;
      if (this.failNext > 0) {
        this.failNext--;
        res.writeHead(500).end('oops');
        return;
      }
      const url = new URL(req.url ?? '/', 'http://x');
      const events = [...this.games.values()].filter((g) => url.pathname.includes(`/${espnPath(g.sport)}/scoreboard`)).map(eventJson);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ events }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.#server = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  set(g: StubGame): void {
    this.games.set(g.id, { ...g });
  }

  update(id: string, over: Partial<StubGame>): void {
    const g = this.games.get(id);
    if (g === undefined) throw new Error(`no stub game ${id}`);
    this.games.set(id, { ...g, ...over });
  }

  async close(): Promise<void> {
    const s = this.#server;
    this.#server = null;
    if (s === null) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

export interface Got<T> {
  topic: string;
  envelope: RawEnvelope;
  data: T;
  receivedUs: number;
}

export class ShardHarness {
  readonly uid = randomBytes(4).toString('hex');
  readonly redis: Redis;
  readonly prefix: string;
  readonly gamesKey: string;
  readonly orchName = `orch_${this.uid}`;
  readonly monName = `mon_${this.uid}`;
  readonly dataDir = mkdtempSync(path.join(tmpdir(), 'arb-shard-'));
  readonly espn = new EspnStub();
  readonly states: Got<GameState>[] = [];
  readonly signals: Got<TradeSignal>[] = [];
  readonly highEdge: Got<TradeSignal>[] = [];
  espnUrl = '';
  shard: RunningService | null = null;
  #instance = 0;
  #orch: RunningService | null = null;
  #mon: RunningService | null = null;
  #orchPub: HotPublisher | null = null;
  #monPub: HotPublisher | null = null;
  #sub: ZmqSubscriber | null = null;
  /** Slow-track keys outside the prefix that this test wrote (deleted at close). */
  readonly #globalKeys = new Set<string>();

  constructor() {
    const { redis, prefix } = testRedis();
    this.redis = redis;
    this.prefix = prefix;
    this.gamesKey = `${prefix}games:active`;
  }

  get shardInstance(): string {
    return `s${this.uid}`;
  }

  get shardId(): string {
    return `game_shard.${this.shardInstance}`;
  }

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return baseServiceEnv({
      ARBEES_DATA_DIR: this.dataDir,
      ESPN_BASE_URL: this.espnUrl,
      SHARD_ACTIVE_GAMES_KEY: this.gamesKey,
      SHARD_KEY_PREFIX: this.prefix,
      SHARD_GAMES_SERVICES: this.orchName,
      SHARD_PRICE_SERVICES: this.monName,
      SHARD_POLL_MS: '100',
      SHARD_ESPN_MIN_INTERVAL_MS: '0',
      SHARD_ESPN_TIMEOUT_MS: '1000',
      SHARD_HEAL_MS: '300',
      SHARD_STATE_MIN_INTERVAL_MS: '50',
      SHARD_DEBOUNCE_MS: '0',
      // Long enough for the recorder to join before the first game_state.
      SHARD_START_DELAY_MS: '300',
      ...extra,
    });
  }

  async start(): Promise<void> {
    this.espnUrl = await this.espn.start();
    const standIn = (name: string) => defineService({ name, description: 'test stand-in', start: async (ctx) => void (await ctx.publisher()) });
    this.#orch = await startService(standIn(this.orchName), this.env({ ARBEES_INSTANCE: `o${this.uid}` }));
    this.#orchPub = await this.#orch.ctx.publisher();
    this.#mon = await startService(standIn(this.monName), this.env({ ARBEES_INSTANCE: `m${this.uid}` }));
    this.#monPub = await this.#mon.ctx.publisher();
  }

  async startShard(extra: Record<string, string> = {}): Promise<RunningService> {
    this.shard = await startService(gameShard, this.env({ ARBEES_INSTANCE: this.shardInstance, ...extra }));
    const endpoint = (await this.shard.ctx.publisher()).endpoint!;
    if (this.#sub === null) {
      const sub = new ZmqSubscriber({ validate: true });
      sub.subscribe('games.');
      sub.subscribe('signals.');
      sub.onMessage((topic, envelope) => {
        const got = { topic, envelope, receivedUs: nowMicros() };
        if (envelope.type === 'game_state') this.states.push({ ...got, data: envelope.data as GameState });
        else if (envelope.type === 'trade_signal') this.signals.push({ ...got, data: envelope.data as TradeSignal });
        else if (envelope.type === 'high_edge_signal') this.highEdge.push({ ...got, data: envelope.data as TradeSignal });
      });
      this.#sub = sub;
    }
    this.#sub.connect(endpoint);
    return this.shard;
  }

  async stopShard(): Promise<void> {
    const s = this.shard;
    this.shard = null;
    await s?.stop();
  }

  metrics(): Record<string, number> {
    return this.shard?.ctx.metrics.snapshot() ?? {};
  }

  metric(name: string): number {
    return this.metrics()[name] ?? 0;
  }

  async writeGame(info: GameInfo): Promise<void> {
    await this.redis.hset(this.gamesKey, info.game_id, JSON.stringify(info));
  }

  publishGame(info: GameInfo): void {
    this.#orchPub!.publish(Topic.game(info.sport, info.game_id), 'game_info', info);
  }

  /** Publishes a price as a monitor would; origin_ts defaults to now. Returns the message id. */
  publishPrice(p: PriceUpdate, originTs = nowMicros()): string | null {
    return this.#monPub!.publishRaw(Topic.price(p.venue, p.market_id), 'price', p, { originTs });
  }

  /** Publishes the same price with a fresh origin until the shard has counted `metric` up. */
  async publishPriceUntilCounted(p: PriceUpdate, metric: string, timeoutMs = 8_000): Promise<void> {
    const before = this.metric(metric);
    await eventually(
      async () => {
        this.publishPrice(p);
        await new Promise((r) => setTimeout(r, 30));
        return this.metric(metric) > before;
      },
      timeoutMs,
      `the shard to count ${metric}`,
    );
  }

  /** Writes the slow-track latest-price hash, as zmq_listener would. */
  async writeLatestPrice(p: PriceUpdate, originTs: number): Promise<void> {
    const envelope: RawEnvelope = { v: 1, type: 'price', id: `x${randomBytes(4).toString('hex')}`, src: `${this.monName}.m`, seq: 1, ts: originTs, origin_ts: originTs, data: p };
    await writeLatestPrice(this.redis, p.venue, p.market_id, Topic.price(p.venue, p.market_id), envelope);
    this.#globalKeys.add(SlowKey.latestPrice(p.venue, p.market_id));
  }

  /** Writes the slow-track latest game value, as zmq_listener would. */
  async writeLatestGameState(state: GameState): Promise<void> {
    const ts = nowMicros();
    await writeLatestGame(this.redis, state.sport, state.game_id, Topic.game(state.sport, state.game_id), {
      v: 1, type: 'game_state', id: `x${randomBytes(4).toString('hex')}`, src: 'game_shard.previous', seq: 1, ts, origin_ts: ts, data: state,
    });
    this.#globalKeys.add(SlowKey.gameLatest(state.sport, state.game_id));
  }

  /** The stand-in monitor's publisher (tests skip its sequence numbers to fake a loss). */
  monitorPublisher(): HotPublisher {
    return this.#monPub!;
  }

  statesOf(gameId: string): GameState[] {
    return this.states.filter((s) => s.data.game_id === gameId).map((s) => s.data);
  }

  lastState(gameId: string): GameState | undefined {
    return this.statesOf(gameId).at(-1);
  }

  async close(): Promise<void> {
    await this.stopShard();
    await this.#sub?.close();
    await this.#mon?.stop();
    await this.#orch?.stop();
    await this.espn.close();
    const keys = [...(await this.redis.keys(`${this.prefix}*`)), ...this.#globalKeys];
    if (keys.length > 0) await this.redis.del(...keys);
    await this.redis.quit();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export function nbaInfo(gameId: string, shard: string | null, over: Partial<GameInfo> = {}): GameInfo {
  return {
    event: 'discovered',
    game_id: gameId,
    sport: 'nba',
    name: 'Los Angeles Lakers at Boston Celtics',
    home: { name: 'Boston Celtics', abbr: 'BOS' },
    away: { name: 'Los Angeles Lakers', abbr: 'LAL' },
    start_time: '2026-11-24T00:00:00Z',
    status: 'live',
    markets: [
      { venue: 'kalshi', market_id: `K-${gameId}-BOS`, team: 'BOS', outcome: 'home' },
      { venue: 'kalshi', market_id: `K-${gameId}-LAL`, team: 'LAL', outcome: 'away' },
      { venue: 'poly', market_id: `P${gameId}BOS`, team: 'BOS', outcome: 'home' },
      { venue: 'poly', market_id: `P${gameId}LAL`, team: 'LAL', outcome: 'away' },
    ],
    shard,
    ...over,
  };
}

export function nbaStub(gameId: string, over: Partial<StubGame> = {}): StubGame {
  return {
    id: gameId,
    sport: 'nba',
    home: { abbr: 'BOS', name: 'Boston Celtics' },
    away: { abbr: 'LAL', name: 'Los Angeles Lakers' },
    status: 'live',
    period: 2,
    clockS: 300,
    homeScore: 50,
    awayScore: 48,
    ...over,
  };
}

/** A PriceUpdate of one of nbaInfo's markets. */
export function nbaPrice(gameId: string, market: 'K-BOS' | 'K-LAL' | 'P-BOS' | 'P-LAL', bid: number | null, ask: number | null, over: Partial<PriceUpdate> = {}): PriceUpdate {
  const venue = market.startsWith('K') ? 'kalshi' : 'poly';
  const team = market.endsWith('BOS') ? 'BOS' : 'LAL';
  const marketId = venue === 'kalshi' ? `K-${gameId}-${team}` : `P${gameId}${team}`;
  return {
    venue,
    market_id: marketId,
    game_id: gameId,
    team,
    yes_bid: bid,
    yes_ask: ask,
    yes_bid_size: bid === null ? 0 : 200,
    yes_ask_size: ask === null ? 0 : 200,
    status: 'open',
    ...over,
  };
}
