/**
 * position_tracker (docs/architecture.md section 1): positions per venue, market and side from the durable
 * trades:completed stream; marks from the prices of held markets; exit rules publishing
 * `signals.exit.<position_id>`; settlement at the game final; `positions.<position_id>` on the
 * hot path and the positions:open / positions:closed snapshot in Redis, rebuilt exactly from the
 * durable streams after a restart.
 */
import { TopicPrefix } from '../../core/topics.js';
import { duplicateRedisClient } from '../../bus/redis-connection.js';
import { defineService } from '../../runtime/service.js';
import { trackerConfigSpec, trackerExitRules, trackerKeys } from './position-tracker-config.js';
import { PositionTracker } from './position-tracker-core.js';

export const positionTracker = defineService({
  name: 'position_tracker',
  seedPort: 5560,
  description: 'positions, P&L, marks, exits and settlement from the durable trade log',
  configSpec: trackerConfigSpec,
  async start(ctx) {
    const { config } = ctx;
    trackerExitRules(config); // inconsistent exit settings stop the start, naming the variable
    const publisher = await ctx.publisher();
    // Its own connection for XREAD BLOCK; errors surface on the read itself, which retries.
    const reader = duplicateRedisClient(ctx.redis, { blocking: true });
    const tracker = new PositionTracker({
      config,
      keys: trackerKeys(config.keyPrefix),
      redis: ctx.redis,
      reader,
      publisher,
      metrics: ctx.metrics,
      log: ctx.log,
    });
    const services = config.sourceServices.length > 0 ? { services: config.sourceServices } : {};
    const sub = await ctx.subscribe([TopicPrefix.games, TopicPrefix.tradesCompleted], (topic, envelope) => tracker.onHot(topic, envelope), services);
    await tracker.start(sub.subscriber);
    // Registered after the subscription's own hook, so it runs before the sockets close.
    ctx.onStop(async () => {
      await tracker.stop();
      reader.disconnect();
    });
  },
});
