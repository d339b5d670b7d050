/**
 * Shared set-up of the monitor integration tests: real Redis (a unique games:active key), a
 * stand-in orchestrator service (unique name) that publishes game_info on the hot path, the
 * monitor under test started with startService, and a ZMQ subscriber on the monitor's endpoint
 * that records every price and order book it publishes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { HotPublisher } from '../src/bus/hot-publisher.js';
import { registryKey } from '../src/bus/registry.js';
import { ZmqSubscriber } from '../src/bus/zmq-subscriber.js';
import type { RawEnvelope } from '../src/core/envelope.js';
import { HeartbeatSchema, type GameInfo, type GameState, type Heartbeat, type OrderBook, type PriceUpdate, type Quote, type QuoteSnapshot } from '../src/core/messages.js';
import { Topic, TopicPrefix } from '../src/core/topics.js';
import { defineService, startService, type RunningService, type ServiceDefinition } from '../src/runtime/service.js';
import type { SimGameView } from '../src/sim/world.js';
import { eventually, testRedis } from './helpers/redis.js';
import { baseServiceEnv } from './helpers/service-env.js';

export interface Received<T> {
  topic: string;
  envelope: RawEnvelope;
  data: T;
  receivedUs: number;
}

export function gameInfo(game: SimGameView, markets: GameInfo['markets'], event: GameInfo['event'] = 'discovered'): GameInfo {
  return {
    event,
    game_id: game.id,
    sport: game.sport,
    name: `${game.away.name} at ${game.home.name}`,
    home: { name: game.home.name, abbr: game.home.abbr, espn_id: game.home.espnId },
    away: { name: game.away.name, abbr: game.away.abbr, espn_id: game.away.espnId },
    start_time: game.startTime.toISOString(),
    status: event === 'final' ? 'final' : 'live',
    markets,
    shard: null,
  };
}

export class MonitorHarness {
  readonly uid = randomBytes(4).toString('hex');
  readonly redis: Redis;
  readonly prefix: string;
  readonly gamesKey: string;
  readonly orchestratorName = `orch_${this.uid}`;
  readonly dataDir = mkdtempSync(path.join(tmpdir(), 'arb-mon-'));
  readonly prices: Received<PriceUpdate>[] = [];
  readonly books: Received<OrderBook>[] = [];
  readonly quotes: Received<QuoteSnapshot>[] = [];
  monitor: RunningService | null = null;
  #monitorName = '';
  #instanceCount = 0;
  #orchestrator: RunningService | null = null;
  #orchPublisher: HotPublisher | null = null;
  #sub: ZmqSubscriber | null = null;

  constructor() {
    const { redis, prefix } = testRedis();
    this.redis = redis;
    this.prefix = prefix;
    this.gamesKey = `${prefix}games:active`;
  }

  baseEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return baseServiceEnv({
      ARBEES_DATA_DIR: this.dataDir,
      MONITOR_ACTIVE_GAMES_KEY: this.gamesKey,
      MONITOR_GAMES_SERVICES: this.orchestratorName,
      MONITOR_FINAL_GRACE_MS: '500',
      MONITOR_ORDERBOOK_INTERVAL_MS: '20',
      MONITOR_STATUS_INTERVAL_MS: '50',
      ...extra,
    });
  }

  async startOrchestrator(): Promise<void> {
    const def = defineService({
      name: this.orchestratorName,
      description: 'stand-in orchestrator: publishes game_info',
      async start(ctx) {
        await ctx.publisher();
      },
    });
    this.#orchestrator = await startService(def, this.baseEnv({ ARBEES_INSTANCE: `o${this.uid}` }));
    this.#orchPublisher = await this.#orchestrator.ctx.publisher();
  }

  /** Starts the monitor under a fresh instance id and subscribes to its endpoint. */
  async startMonitor(def: ServiceDefinition, env: Record<string, string>): Promise<RunningService> {
    this.#monitorName = def.name;
    const instance = `m${this.uid}x${this.#instanceCount++}`;
    this.monitor = await startService(def, this.baseEnv({ ARBEES_INSTANCE: instance, ...env }));
    const endpoint = (await this.monitor.ctx.publisher()).endpoint!;
    this.#sub ??= this.#newSubscriber();
    this.#sub.connect(endpoint);
    return this.monitor;
  }

  async stopMonitor(): Promise<void> {
    const m = this.monitor;
    this.monitor = null;
    await m?.stop();
  }

  /** The orchestrator's part: write a game into games:active. */
  async writeGame(info: GameInfo): Promise<void> {
    await this.redis.hset(this.gamesKey, info.game_id, JSON.stringify(info));
  }

  async deleteGame(gameId: string): Promise<void> {
    await this.redis.hdel(this.gamesKey, gameId);
  }

  publishGame(info: GameInfo): void {
    this.#orchPublisher!.publish(Topic.game(info.sport, info.game_id), 'game_info', info);
  }

  /** A shard's game_state on the same `games.` prefix (monitors must ignore it). */
  publishGameState(state: GameState): void {
    this.#orchPublisher!.publish(Topic.game(state.sport, state.game_id), 'game_state', state);
  }

  /** Publishes (again and again: PUB/SUB has a slow joiner) until `check` holds. */
  async publishGameUntil(info: GameInfo, check: () => boolean | Promise<boolean>, what: string, timeoutMs = 8_000): Promise<void> {
    await eventually(
      async () => {
        this.publishGame(info);
        await new Promise((r) => setTimeout(r, 30));
        return check();
      },
      timeoutMs,
      what,
    );
  }

  pricesOf(marketId: string): Received<PriceUpdate>[] {
    return this.prices.filter((p) => p.data.market_id === marketId);
  }

  lastPrice(marketId: string): PriceUpdate | undefined {
    return this.pricesOf(marketId).at(-1)?.data;
  }

  /** The market's quote in the latest snapshot that holds it. */
  lastQuote(marketId: string): Quote | undefined {
    for (let i = this.quotes.length - 1; i >= 0; i--) {
      const q = this.quotes[i]!.data.quotes.find((x) => x.market_id === marketId);
      if (q !== undefined) return q;
    }
    return undefined;
  }

  lastBook(marketId: string): OrderBook | undefined {
    return this.books.filter((b) => b.data.market_id === marketId).at(-1)?.data;
  }

  async heartbeat(): Promise<Heartbeat | null> {
    if (!this.monitor) return null;
    const raw = await this.redis.get(registryKey(this.#monitorName, this.monitor.ctx.instance));
    return raw === null ? null : HeartbeatSchema.parse(JSON.parse(raw));
  }

  async close(): Promise<void> {
    await this.stopMonitor();
    await this.#orchestrator?.stop();
    await this.#sub?.close();
    await this.redis.del(this.gamesKey);
    await this.redis.quit();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  #newSubscriber(): ZmqSubscriber {
    const sub = new ZmqSubscriber({ validate: true });
    sub.subscribe(TopicPrefix.prices);
    sub.subscribe(TopicPrefix.orderbooks);
    sub.subscribe(TopicPrefix.quotes);
    sub.onMessage((topic, envelope) => {
      const receivedUs = Math.round((performance.timeOrigin + performance.now()) * 1000);
      if (envelope.type === 'price') this.prices.push({ topic, envelope, data: envelope.data as PriceUpdate, receivedUs });
      else if (envelope.type === 'orderbook') this.books.push({ topic, envelope, data: envelope.data as OrderBook, receivedUs });
      else if (envelope.type === 'quotes') this.quotes.push({ topic, envelope, data: envelope.data as QuoteSnapshot, receivedUs });
    });
    return sub;
  }
}
