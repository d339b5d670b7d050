/**
 * recorder (DESIGN section 4): the only writer of the history in PostgreSQL. Reads the Redis
 * streams through a consumer group, writes batches idempotently, acknowledges after commit;
 * applies the migrations at start. See README.md.
 */
import { errorMessage } from '../../core/errors.js';
import { duplicateRedisClient } from '../../bus/redis-connection.js';
import { defineService } from '../../runtime/service.js';
import { migratePool } from '../../store/migrate.js';
import { openPool } from '../../store/pg-pool.js';
import { recordedStreams, recorderConfigSpec } from './recorder-config.js';
import { Recorder } from './recorder-core.js';
import { HistoryWriter } from './history-writer.js';
import { StreamGroup } from './stream-group.js';

export const recorder = defineService({
  name: 'recorder',
  description: 'Redis streams -> PostgreSQL history (consumer group, batched, idempotent)',
  configSpec: recorderConfigSpec,
  async start(ctx) {
    const { config, log, metrics } = ctx;
    const pool = openPool(config.databaseUrl, {
      onIdleError: (err) => {
        metrics.inc('postgres_idle_errors');
        log.debug({ err: errorMessage(err) }, 'idle Postgres connection dropped');
      },
    });
    // Its own connection: XREADGROUP BLOCK holds it for up to RECORDER_BLOCK_MS.
    // Errors surface on the read itself, which retries; no command timeout (XREADGROUP BLOCK).
    const reader = duplicateRedisClient(ctx.redis, { blocking: true, ioredis: { maxRetriesPerRequest: 1 } });
    const group = new StreamGroup(reader, recordedStreams(config.keyPrefix, config.extraStreams), config.group, `${ctx.name}-${ctx.instance}`);
    const rec = new Recorder({
      group,
      writer: new HistoryWriter(pool),
      metrics,
      log,
      batch: config.batch,
      blockMs: config.blockMs,
      sampling: { priceMs: config.priceSampleMs, stateMs: config.stateSampleMs, markMs: config.markSampleMs },
      durableKeepMs: config.durableKeepMs,
      trimEveryMs: config.trimEveryMs,
      setStatus: (status, detail) => ctx.setStatus(status, detail),
      prepare: async () => {
        const result = await migratePool(pool);
        if (result.applied.length > 0) log.info({ applied: result.applied, version: result.version }, 'history schema migrated');
      },
    });
    rec.start();
    ctx.onStop(async () => {
      await rec.stop();
      reader.disconnect();
      await pool.end();
    });
  },
});
