/**
 * position_tracker (docs/architecture.md section 1): positions per venue, market and side from the durable
 * trades:completed stream; marks from the prices of held markets; exit rules publishing
 * `signals.exit.<position_id>`; settlement at the game final; `positions.<position_id>` on the
 * hot path and the positions:open / positions:closed snapshot in Redis, rebuilt exactly from the
 * durable streams after a restart.
 *
 * The rebuild waits for the ledger guard (src/runtime/ledger-guard.ts): when Redis lost part of
 * the ledger the service stays up, halted, and rebuilds only once an operator confirmed.
 */
import type { Redis } from 'ioredis';
import { cursorAhead, type StreamMark } from '../../core/ledger-continuity.js';
import { errorMessage } from '../../core/errors.js';
import { isStreamId } from '../../core/stream-ids.js';
import { SlowKey } from '../../core/slow-keys.js';
import { TopicPrefix } from '../../core/topics.js';
import { duplicateRedisClient } from '../../bus/redis-connection.js';
import { LedgerGuard } from '../../runtime/ledger-guard.js';
import { defineService } from '../../runtime/service.js';
import { trackerConfigSpec, trackerExitRules, trackerKeys, type TrackerKeys } from './position-tracker-config.js';
import { PositionTracker } from './position-tracker-core.js';

export const positionTracker = defineService({
  name: 'position_tracker',
  seedPort: 5560,
  description: 'positions, P&L, marks, exits and settlement from the durable trade log',
  configSpec: trackerConfigSpec,
  async start(ctx) {
    const { config } = ctx;
    trackerExitRules(config); // inconsistent exit settings stop the start, naming the variable
    const keys = trackerKeys(config.keyPrefix);
    // A quote snapshot moves the marks of many held markets in one turn: their position messages
    // leave as one batch frame (positions.~batch) instead of a frame each, which every subscriber
    // (api, notification_service, zmq_listener) paid a wake-up for. Nothing waits: the batch goes
    // at the end of the turn. Exit signals are not batched.
    const publisher = await ctx.publisher({ batchPrefixes: [TopicPrefix.positions], batchMaxDelayMs: 0 });
    // Its own connection for XREAD BLOCK; errors surface on the read itself, which retries.
    const reader = duplicateRedisClient(ctx.redis, { blocking: true });
    const tracker = new PositionTracker({
      config,
      keys,
      redis: ctx.redis,
      reader,
      publisher,
      metrics: ctx.metrics,
      log: ctx.log,
      fenceKey: config.ledgerGuard ? config.keyPrefix + SlowKey.ledgerEpoch : null,
    });
    const services = config.sourceServices.length > 0 ? { services: config.sourceServices } : {};
    const sub = await ctx.subscribe([TopicPrefix.games, TopicPrefix.tradesCompleted], (topic, envelope) => tracker.onHot(topic, envelope), services);
    const guard = config.ledgerGuard
      ? LedgerGuard.forService(ctx, {
          keyPrefix: config.keyPrefix,
          streams: [keys.tradesCompleted, keys.settlements],
          publisher,
          extraProblems: (marks) => checkpointBeyondLog(ctx.redis, keys, marks),
        })
      : null;
    // Registered after the subscription's own hook, so it runs before the sockets close.
    ctx.onStop(async () => {
      guard?.stop();
      await tracker.stop();
      reader.disconnect();
    });
    const begin = async () => {
      await tracker.start(sub.subscriber);
      guard?.watch();
    };
    if (guard === null || (await guard.check()) === 'ok') {
      await begin();
      return;
    }
    // Halted (or Redis unreadable): stay up, say why, rebuild once the ledger is admitted.
    ctx.log.warn('positions are not rebuilt until the ledger is confirmed (arbees ledger status)');
    void guard
      .admit()
      .then((admitted) => (admitted ? begin() : undefined))
      .catch((err: unknown) => {
        ctx.log.error({ err: errorMessage(err) }, 'rebuilding positions after the ledger was admitted failed; restart the service');
        ctx.setStatus('degraded', `rebuild failed: ${errorMessage(err)}; restart position_tracker`);
      });
  },
});

/** The committed checkpoint lies beyond the end of the streams it was taken from. */
async function checkpointBeyondLog(redis: Redis, keys: TrackerKeys, marks: Readonly<Record<string, StreamMark>>): Promise<string[]> {
  const [trade, settlement] = await redis.hmget(keys.checkpoint, 'trade_cursor', 'settlement_cursor');
  const ahead = (cursor: string | null, stream: string) => {
    const mark = marks[stream];
    return cursor !== null && isStreamId(cursor) && mark !== undefined ? cursorAhead(keys.checkpoint, cursor, stream, mark) : [];
  };
  return [...ahead(trade ?? null, keys.tradesCompleted), ...ahead(settlement ?? null, keys.settlements)];
}
