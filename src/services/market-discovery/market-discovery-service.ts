/**
 * market_discovery: an RPC server on the reliable Redis queue (DESIGN.md sections 1 and 3).
 * Request: a game (id, sport, teams, start). Reply: its Kalshi and Polymarket game-winner
 * contracts, each with the team its YES pays on, or a reason per venue. A request taken by an
 * instance that dies is redelivered by the queue; results are cached in Redis.
 */
import { RpcServer } from '../../bus/rpc-server.js';
import { defineService } from '../../runtime/service.js';
import { KalshiHttpClient } from '../../venues/kalshi/http.js';
import { GammaClient } from '../../venues/polymarket/gamma.js';
import { defaultServerId, marketDiscoveryConfigSpec } from './discovery-config.js';
import { KalshiMarketSearch } from './kalshi-market-search.js';
import { MarketDiscovery } from './market-discovery.js';
import { PolymarketMarketSearch } from './polymarket-market-search.js';

export const marketDiscovery = defineService({
  name: 'market_discovery',
  description: 'game -> Kalshi tickers and Polymarket token ids (team matching, cached), over a Redis RPC queue',
  configSpec: marketDiscoveryConfigSpec,
  async start(ctx) {
    const c = ctx.config;
    const kalshi = new KalshiMarketSearch(new KalshiHttpClient({ baseUrl: c.kalshiRestUrl, timeoutMs: c.venueTimeoutMs, maxRetries: 2 }), {
      series: c.kalshiSeries,
      listingTtlMs: c.listingTtlMs,
      relistAfterMs: c.relistAfterMs,
      minConfidence: c.minConfidence,
      maxPages: 20,
    });
    const poly = new PolymarketMarketSearch(new GammaClient({ baseUrl: c.gammaUrl, timeoutMs: c.venueTimeoutMs }), {
      tagSlugs: c.polyTagSlugs,
      listingTtlMs: c.listingTtlMs,
      relistAfterMs: c.relistAfterMs,
      minConfidence: c.minConfidence,
      startToleranceMs: c.startToleranceMs,
    });
    const serverId = c.serverId || `${defaultServerId()}-${c.instance}`;
    const discovery = new MarketDiscovery(ctx.redis, [kalshi, poly], {
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
      kalshi_listings: kalshi.listingFetches,
      poly_listings: poly.listingFetches,
    }));
    ctx.metrics.provide('rpc', () => ({ ...server.metrics() }));
    await server.start();
    ctx.onStop(() => server.stop());
    ctx.log.info({ queue: c.queue, server: server.serverId, kalshi: c.kalshiRestUrl, gamma: c.gammaUrl }, 'market_discovery serving');
  },
});
