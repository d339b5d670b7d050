/**
 * kalshi_monitor, polymarket_monitor, ...: one market monitor service per venue of the registry.
 * Each keeps one consistent order book per assigned market over its venue's feed and publishes
 * `prices.<venue>.<id>` on every top-of-book change (hot path) and `orderbook.<venue>.<id>`
 * (batched). Assignments come from the orchestrator (games:active and games.* game_info).
 */
import type { Venue } from '../../core/topics.js';
import { defineService, type ServiceDefinition } from '../../runtime/service.js';
import { venueAdapter } from '../../venues/index.js';
import { monitorConfigSpec } from './market-monitor-config.js';
import { startMarketMonitor } from './market-monitor-core.js';

export function marketMonitorService(venue: Venue): ServiceDefinition {
  const adapter = venueAdapter(venue);
  return defineService({
    name: adapter.monitorService,
    ...(adapter.monitorSeedPort !== undefined ? { seedPort: adapter.monitorSeedPort } : {}),
    description: `${adapter.displayName} order books of the assigned markets -> prices.${venue}.* / orderbook.${venue}.*`,
    configSpec: { ...monitorConfigSpec, ...adapter.feedConfigSpec },
    async start(ctx) {
      const feed = await adapter.createFeed(ctx.config, ctx.log);
      await startMarketMonitor(ctx, feed);
    },
  }) as ServiceDefinition;
}
