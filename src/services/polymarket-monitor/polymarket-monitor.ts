/**
 * polymarket_monitor: one order book per assigned Polymarket token (each token is one team's
 * YES contract) over the public market WebSocket, published as `prices.poly.<token_id>` on every
 * top-of-book change (hot path) and `orderbook.poly.<token_id>` (batched). Assignments come from
 * the orchestrator; see src/services/monitor-common for everything venue-independent.
 */
import { ConfigError } from '../../core/errors.js';
import { defineService } from '../../runtime/service.js';
import { PolymarketMarketStream } from '../../venues/polymarket/ws.js';
import { startMarketMonitor } from '../monitor-common/market-monitor.js';
import { PolymarketFeed } from './polymarket-feed.js';
import { polymarketMonitorConfigSpec } from './polymarket-monitor-config.js';

export const polymarketMonitor = defineService({
  name: 'polymarket_monitor',
  description: 'Polymarket order books of the assigned tokens -> prices.poly.* / orderbook.poly.*',
  configSpec: polymarketMonitorConfigSpec,
  async start(ctx) {
    const c = ctx.config;
    if (c.staleAfterMs <= c.pingIntervalMs) {
      throw new ConfigError('POLYMARKET_WS_STALE_MS', `must exceed POLYMARKET_WS_PING_MS (${c.pingIntervalMs})`);
    }
    const stream = new PolymarketMarketStream({
      url: c.wsUrl,
      maxAssetsPerConnection: c.maxAssetsPerConnection,
      pingIntervalMs: c.pingIntervalMs,
      staleAfterMs: c.staleAfterMs,
      reconnectBaseMs: c.reconnectBaseMs,
      reconnectMaxMs: Math.max(c.reconnectMaxMs, c.reconnectBaseMs),
      customFeatureEnabled: c.customFeatures,
    });
    await startMarketMonitor(ctx, new PolymarketFeed(stream, { resyncMinIntervalMs: c.resyncMinIntervalMs }));
  },
});
