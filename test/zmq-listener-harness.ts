/**
 * Test harness of the zmq_listener tests, which each run on a private redis-server
 * (helpers/private-redis.ts, so the registry and every slow-track key belong to that test
 * alone): the listener started in-process with startService, and a publisher service that
 * registers its endpoint in the private registry.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { HotPublisher } from '../src/bus/hot-publisher.js';
import type { ExitSignal, GameInfo, HealthAlert, Position, PriceUpdate, TradeCompleted, TradeSignal } from '../src/core/messages.js';
import { nowMicros } from '../src/core/time.js';
import { defineService, startService, type RunningService } from '../src/runtime/service.js';
import { zmqListener } from '../src/services/zmq-listener/zmq-listener.js';
import { eventually } from './helpers/redis.js';
import { PrivateRedis } from './helpers/private-redis.js';
import { baseServiceEnv } from './helpers/service-env.js';

export interface TestNode {
  running: RunningService;
  dataDir: string;
}

function listenerTestEnv(redisUrl: string, dataDir: string, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = baseServiceEnv({
    REDIS_URL: redisUrl,
    ARBEES_ZMQ_TRANSPORT: 'ipc',
    ARBEES_DATA_DIR: dataDir,
    ARBEES_INSTANCE: `t${randomBytes(3).toString('hex')}`,
    // The default registry TTL (6 s): a shorter one expires entries during the Redis outages
    // these tests cause, and the registry watcher then drops live publishers (see the report).
    ARBEES_REGISTRY_TTL_MS: '6000',
    ARBEES_HEARTBEAT_MS: '500',
    ARBEES_REGISTRY_POLL_MS: '100',
    // These tests publish prices and families of their own: hear every topic (the quote-snapshot
    // mode has its own test, zmq-listener-quotes).
    LISTENER_PRICES_FROM: 'prices',
    LISTENER_BOOKS_MS: '0',
  });
  return { ...env, ...extra };
}

export async function startListener(redisUrl: string, extra: NodeJS.ProcessEnv = {}): Promise<TestNode> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'arb-zl-'));
  const running = await startService(zmqListener, listenerTestEnv(redisUrl, dataDir, { LISTENER_STATUS_MS: '200', ...extra }));
  return { running, dataDir };
}

const testPublisherService = defineService({
  name: 'zl_test_pub',
  description: 'a publisher that only exists in the zmq_listener tests',
  async start(ctx) {
    await ctx.publisher();
  },
});

export interface TestPublisher extends TestNode {
  publisher: HotPublisher;
}

/** A publisher service: binds its own ipc endpoint and registers it in the registry. */
export async function startPublisher(redisUrl: string, extra: NodeJS.ProcessEnv = {}): Promise<TestPublisher> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'arb-zl-'));
  const running = await startService(testPublisherService, listenerTestEnv(redisUrl, dataDir, extra));
  return { running, dataDir, publisher: await running.ctx.publisher() };
}

export async function stopNode(node: TestNode | null | undefined): Promise<void> {
  if (!node) return;
  await node.running.stop();
  rmSync(node.dataDir, { recursive: true, force: true });
}

/**
 * PUB/SUB drops what is sent before the subscription joins: publish until the listener mirrors one.
 * On a `warmup.` family of its own by default; a listener that hears only our families
 * (LISTENER_PRICES_FROM=quotes) is warmed up on `health.`.
 */
export async function warmUp(publisher: HotPublisher, redis: Redis, tag = 'a', family: 'warmup' | 'health' = 'warmup'): Promise<void> {
  let n = 0;
  const stream = `mirror:${family}:${tag}`;
  await eventually(async () => {
    publisher.publish(`${family}.${tag}.w${n++}`, 'health_alert', healthAlert(`warm-up ${n}`));
    return (await redis.xlen(stream).catch(() => 0)) > 0;
  }, 15_000, 'the listener to hear the publisher');
}

export interface Bridge {
  server: PrivateRedis;
  redis: Redis;
  listener: TestNode;
  pub: TestPublisher;
  stop(): Promise<void>;
}

/** A private Redis, a listener with `extra` settings and a publisher it hears (warmed up). */
export async function startBridge(extra: NodeJS.ProcessEnv = {}, warmFamily: 'warmup' | 'health' = 'warmup'): Promise<Bridge> {
  const server = await PrivateRedis.start();
  const redis = server.client();
  const listener = await startListener(server.url, extra);
  const pub = await startPublisher(server.url);
  await warmUp(pub.publisher, redis, 'a', warmFamily);
  return {
    server,
    redis,
    listener,
    pub,
    async stop() {
      await stopNode(pub);
      await stopNode(listener);
      redis.disconnect();
      await server.stop();
    },
  };
}

// Valid messages of each kind: the bridge mirrors nothing that fails its type's schema.
export const priceUpdate = (marketId: string, bid: number, extra: Partial<PriceUpdate> = {}): PriceUpdate => ({
  venue: 'kalshi',
  market_id: marketId,
  game_id: 'g401',
  team: 'BOS',
  yes_bid: bid,
  yes_ask: bid + 0.02,
  yes_bid_size: 120,
  yes_ask_size: 80,
  status: 'open',
  ...extra,
});

export const healthAlert = (message: string): HealthAlert => ({
  alert_id: `a-${randomBytes(4).toString('hex')}`,
  service: 'zl_test_pub',
  instance: null,
  severity: 'info',
  kind: 'other',
  message,
  ts: nowMicros(),
});

export const tradeSignal = (signalId: string): TradeSignal => ({
  signal_id: signalId,
  kind: 'model_edge',
  game_id: '401585601',
  sport: 'nba',
  legs: [{ venue: 'kalshi', market_id: 'KXA', team: 'BOS', side: 'yes', action: 'buy', yes_price: 0.55, contracts: 10, fee_cc: 1700 }],
  model_prob: 0.62,
  net_edge: 0.05,
  gross_edge: 0.07,
  confidence: 0.8,
  reason: 'model above market',
  created_ts: 1_700_000_000_000_000,
  expires_ts: 1_700_000_005_000_000,
});

export const gameInfo = (sport: GameInfo['sport'], gameId: string, event: GameInfo['event'] = 'discovered'): GameInfo => ({
  event,
  game_id: gameId,
  sport,
  name: 'LAL at BOS',
  home: { name: 'Boston Celtics', abbr: 'BOS' },
  away: { name: 'Los Angeles Lakers', abbr: 'LAL' },
  start_time: '2026-01-05T00:30:00Z',
  status: 'live',
  markets: [],
  shard: 'game_shard.0',
});

export const exitSignal = (positionId: string): ExitSignal => ({
  exit_id: `x-${positionId}`,
  position_id: positionId,
  game_id: '401585601',
  venue: 'kalshi',
  market_id: 'KXA',
  side: 'yes',
  contracts: 10,
  yes_price: 0.5,
  reason: 'take_profit',
  created_ts: 1_700_000_000_000_000,
  expires_ts: 1_700_000_005_000_000,
});

export const tradeCompleted = (tradeId: string): TradeCompleted => ({
  trade_id: tradeId,
  source: 'signal',
  source_id: 'sig1',
  game_id: '401585601',
  sport: 'nba',
  mode: 'paper',
  status: 'filled',
  reason: null,
  fills: [{ venue: 'kalshi', market_id: 'KXA', side: 'yes', action: 'buy', contracts: 10, yes_price: 0.55, fee_cc: 1700, order_id: null }],
  decided_ts: 1_700_000_000_000_000,
});

export const position = (positionId: string): Position => ({
  position_id: positionId,
  game_id: '401585601',
  sport: 'nba',
  venue: 'kalshi',
  market_id: 'KXA',
  team: 'BOS',
  side: 'yes',
  state: 'open',
  contracts: 10,
  avg_yes_price: 0.55,
  mark_yes_price: null,
  cost_cc: 55_000,
  fees_cc: 1_700,
  realized_pnl_cc: 0,
  unrealized_pnl_cc: 0,
  opened_ts: 1_700_000_000_000_000,
  updated_ts: 1_700_000_000_000_000,
});

/** Metrics of a running service, as its heartbeat would publish them. */
export const metricsOf = (node: TestNode): Record<string, number> => node.running.ctx.metrics.snapshot();

export function fieldsOf(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < pairs.length; i += 2) out[pairs[i]!] = pairs[i + 1]!;
  return out;
}
