/**
 * The orchestrator service (docs/architecture.md section 1): follows ESPN scoreboards, tracks each game's
 * lifecycle and 7-day schedule, asks market_discovery for its markets, assigns live and imminent
 * games to game_shard instances, publishes `games.<sport>.<game_id>` game_info, keeps
 * games:active in sync, and raises health alerts from the registry heartbeats.
 */
import { RpcClient } from '../../bus/rpc-client.js';
import { EspnClient } from '../../venues/espn/http.js';
import { defineService } from '../../runtime/service.js';
import { orchestratorConfigSpec } from './orchestrator-config.js';
import { Orchestrator } from './orchestrator-core.js';
import { rpcMarketFinder } from './rpc-market-finder.js';

export const orchestrator = defineService({
  name: 'orchestrator',
  seedPort: 5557,
  description: 'ESPN game lifecycle, market lookup, shard assignment, health alerts',
  configSpec: orchestratorConfigSpec,
  async start(ctx) {
    const cfg = ctx.config;
    const publisher = await ctx.publisher();
    const rpc = new RpcClient(ctx.redis, {
      queue: cfg.discoveryQueue,
      timeoutMs: cfg.discoveryTimeoutMs,
      retries: 1,
      logger: ctx.log,
    });
    ctx.onStop(() => rpc.close());
    ctx.metrics.provide('rpc', () => ({ ...rpc.metrics() }));
    const finder = rpcMarketFinder(rpc, { timeoutMs: cfg.discoveryTimeoutMs, retries: 1 });
    const espn = new EspnClient({ baseUrl: cfg.espnBaseUrl, timeoutMs: cfg.espnTimeoutMs, minIntervalMs: cfg.espnMinIntervalMs });
    const core = new Orchestrator({
      service: ctx.name,
      instance: ctx.instance,
      config: cfg,
      redis: ctx.redis,
      publisher,
      espn,
      finder,
      metrics: ctx.metrics,
      log: ctx.log,
      setStatus: (status, detail) => ctx.setStatus(status, detail),
      registryTtlMs: cfg.registryTtlMs,
      heartbeatMs: cfg.heartbeatMs,
      reannounceDelayMs: Math.max(1_000, cfg.registryPollMs * 3),
    });
    await core.start();
    ctx.onStop(() => core.stop());
  },
});
