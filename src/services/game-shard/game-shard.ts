/**
 * game_shard (docs/architecture.md section 1; several instances): follows the games the orchestrator
 * assigned to it (`shard` = `game_shard.<instance>`), their live state from ESPN and their
 * markets' prices from both venues; publishes `games.<sport>.<game_id>` game_state with the
 * model's probability, and `signals.trade.<id>` / `signals.high_edge.<id>` for arbitrage, model
 * edge and score change. Its heartbeat carries `capacity`, which the orchestrator uses to
 * balance games across shards. See game-shard-core.ts for how the parts fit.
 */
import { defineService } from '../../runtime/service.js';
import { EspnClient } from '../../venues/espn/http.js';
import { gameShardConfigSpec, signalOptionsOf } from './game-shard-config.js';
import { GameShard } from './game-shard-core.js';

/** The core of each running shard, by its service context (benchmarks and tests read its latency). */
const cores = new WeakMap<object, GameShard>();

export function gameShardCore(ctx: object): GameShard | undefined {
  return cores.get(ctx);
}

export const gameShard = defineService({
  name: 'game_shard',
  seedPort: 5558,
  description: 'live state, win probability and trade signals for the games assigned to this shard',
  configSpec: gameShardConfigSpec,
  async start(ctx) {
    const cfg = ctx.config;
    const shardId = `${ctx.name}.${ctx.instance}`;
    // What the orchestrator reads to weigh its assignments (shard-assigner.ts: metrics.capacity).
    ctx.metrics.set('capacity', cfg.capacity);
    const signals = signalOptionsOf(cfg);
    const publisher = await ctx.publisher();
    const espn = new EspnClient({ baseUrl: cfg.espnBaseUrl, timeoutMs: cfg.espnTimeoutMs, minIntervalMs: cfg.espnMinIntervalMs });
    const core = new GameShard({ shardId, config: cfg, signals, redis: ctx.redis, publisher, espn, metrics: ctx.metrics, log: ctx.log });
    // Prices are checked by hand on the hot path (price-book.ts); game_info goes through the schema.
    const prices = await ctx.subscribe([], core.onPriceMessage, {
      validate: false,
      ...(cfg.priceServices !== null ? { services: cfg.priceServices } : {}),
    });
    const games = await ctx.subscribe(['games.'], core.onGameMessage, {
      validate: true,
      ...(cfg.gamesServices !== null ? { services: cfg.gamesServices } : {}),
    });
    core.attach(prices.subscriber, games.subscriber);
    cores.set(ctx, core);
    await core.start();
    ctx.onStop(() => core.stop());
    ctx.log.info({ shardId, capacity: cfg.capacity, subscription: cfg.priceSubscription }, 'game shard ready');
  },
});
