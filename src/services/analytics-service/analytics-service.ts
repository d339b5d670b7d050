/**
 * analytics_service (DESIGN section 1): hourly and daily reports from the history in Postgres,
 * on croner schedules in the report time zone; stored in `reports`, announced on reports:events.
 * `arbees report` prints the same report on demand.
 */
import { Cron } from 'croner';
import { errorMessage } from '../../core/errors.js';
import { SlowKey } from '../../core/slow-keys.js';
import { defineService } from '../../runtime/service.js';
import { openPool } from '../../store/pg-pool.js';
import { analyticsConfigSpec } from './analytics-service-config.js';
import { AnalyticsService, type ReportKind } from './analytics-service-core.js';

export const analyticsService = defineService({
  name: 'analytics_service',
  description: 'scheduled hourly and daily reports from the history (P&L, funnel, calibration, incidents)',
  configSpec: analyticsConfigSpec,
  async start(ctx) {
    const { config, log, metrics } = ctx;
    const pool = openPool(config.databaseUrl, { max: 2, onIdleError: (err) => log.debug({ err: errorMessage(err) }, 'idle Postgres connection dropped') });
    const analytics = new AnalyticsService({
      pool,
      redis: ctx.redis,
      eventsStream: config.keyPrefix + SlowKey.reportsStream,
      eventsMaxLen: config.eventsMaxLen,
      timeZone: config.timeZone,
      metrics,
      log,
    });
    const jobs: Cron[] = [];
    const schedule = (kind: ReportKind, pattern: string) => {
      if (pattern === '') return;
      // protect: a slow run is never overlapped by the next one.
      jobs.push(new Cron(pattern, { timezone: config.timeZone, protect: true, catch: true }, async () => void (await analytics.run(kind))));
    };
    schedule('hourly', config.hourlyCron);
    schedule('daily', config.dailyCron);
    let catchingUp: Promise<unknown> = Promise.resolve();
    if (config.catchUp) catchingUp = (async () => {
      if (config.hourlyCron !== '') await analytics.catchUp('hourly');
      if (config.dailyCron !== '') await analytics.catchUp('daily');
    })();
    metrics.provide('schedule', () => (jobs.length === 0 ? ({} as Record<string, number>) : { next_run_in_s: Math.round(Math.min(...jobs.map((j) => (j.msToNext() ?? 0) / 1000))) }));
    ctx.onStop(async () => {
      for (const job of jobs) job.stop();
      await catchingUp;
      await pool.end();
    });
  },
});
