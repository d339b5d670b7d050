/**
 * market_discovery: an RPC server on the reliable Redis queue (docs/architecture.md).
 * Request: a game (id, sport, teams, start). Reply: every registered venue's game-winner
 * contracts, each with the team its YES pays on, or a reason per venue. A request taken by an
 * instance that dies is redelivered by the queue; results are cached in Redis.
 */
import { RpcServer } from '../../bus/rpc-server.js';
import { defineService } from '../../runtime/service.js';
import { allVenueAdapters } from '../../venues/index.js';
import { defaultServerId, marketDiscoveryConfigSpec } from './market-discovery-config.js';
import { MarketDiscovery } from './market-discovery-core.js';

export const marketDiscovery = defineService({
  name: 'market_discovery',
  description: 'game -> Kalshi tickers and Polymarket token ids (team matching, cached), over a Redis RPC queue',
  configSpec: marketDiscoveryConfigSpec,
  async start(ctx) {
    const c = ctx.config;
    const searches = await Promise.all(allVenueAdapters().map((adapter) => adapter.createMarketSearch(c)));
    const serverId = c.serverId || `${defaultServerId()}-${c.instance}`;
    const discovery = new MarketDiscovery(ctx.redis, searches, {
      keyPrefix: c.keyPrefix,
      foundTtlMs: c.foundTtlMs,
      notFoundTtlMs: c.notFoundTtlMs,
      errorTtlMs: c.errorTtlMs,
      lockTtlMs: c.lockTtlMs,
      lockWaitMs: c.lockWaitMs,
      lockPollMs: 100,
      instanceId: serverId,
      logger: ctx.log,
    });
    const server = new RpcServer(
      ctx.redis,
      {
        queue: c.queue,
        serverId,
        concurrency: c.concurrency,
        handlerTimeoutMs: c.handlerTimeoutMs,
        logger: ctx.log,
      },
      (payload) => discovery.handle(payload),
    );
    ctx.metrics.provide('discovery', () => ({
      ...discovery.metrics(),
      ...Object.fromEntries(searches.map((s) => [`${s.venue}_listings`, s.listingFetches])),
    }));
    ctx.metrics.provide('rpc', () => ({ ...server.metrics() }));
    await server.start();
    ctx.onStop(() => server.stop());
    ctx.log.info({ queue: c.queue, server: server.serverId, venues: searches.map((s) => s.venue) }, 'market_discovery serving');
  },
});
