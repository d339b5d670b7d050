/**
 * AnalyticsService: on each schedule, the report of the period just ended (the previous local
 * hour or day), built from the history, stored in `reports` (one row per kind and period, so a
 * rerun replaces it) and announced on the `reports:events` stream with its summary and Markdown,
 * for the notification service to send. A failed run (Postgres away) is logged and counted; the
 * next start catches up.
 */
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Logger } from 'pino';
import { errorMessage } from '../../core/errors.js';
import type { Metrics } from '../../runtime/metrics.js';
import { reportId, saveReport } from '../../store/history-reader.js';
import { migratePool } from '../../store/migrate.js';
import { buildReport } from '../../store/report/report-builder.js';
import { renderMarkdown } from '../../store/report/report-markdown.js';
import { previousDay, previousHour } from '../../store/report/report-period.js';

export type ReportKind = 'hourly' | 'daily';

export interface AnalyticsOptions {
  readonly pool: pg.Pool;
  readonly redis: Redis;
  readonly eventsStream: string;
  readonly eventsMaxLen: number;
  readonly timeZone: string;
  readonly metrics: Metrics;
  readonly log: Logger;
}

export class AnalyticsService {
  private migrated = false;

  constructor(private readonly o: AnalyticsOptions) {}

  periodOf(kind: ReportKind, nowMs: number): { sinceMs: number; untilMs: number } {
    return kind === 'hourly' ? previousHour(nowMs, this.o.timeZone) : previousDay(nowMs, this.o.timeZone);
  }

  /** Builds, stores and announces the report of the period before `nowMs`; its id, or null on failure. */
  async run(kind: ReportKind, nowMs = Date.now()): Promise<string | null> {
    const { sinceMs, untilMs } = this.periodOf(kind, nowMs);
    const started = Date.now();
    try {
      await this.ensureSchema();
      const report = await buildReport(this.o.pool, { sinceUs: sinceMs * 1000, untilUs: untilMs * 1000, timeZone: this.o.timeZone, kind });
      const markdown = renderMarkdown(report);
      const id = await saveReport(this.o.pool, report, markdown);
      await this.o.redis.xadd(
        this.o.eventsStream, 'MAXLEN', '~', this.o.eventsMaxLen, '*',
        'report_id', id, 'kind', kind, 'since_ts', String(report.sinceUs), 'until_ts', String(report.untilUs),
        'empty', String(report.empty), 'summary', JSON.stringify(report.totals), 'markdown', markdown,
      );
      this.o.metrics.inc(`reports.${kind}`);
      this.o.metrics.set('last_report_ms', Date.now() - started);
      this.o.log.info({ id, kind, ms: Date.now() - started, empty: report.empty }, `${kind} report stored`);
      return id;
    } catch (err) {
      this.o.metrics.inc('reports.failed');
      this.o.log.warn({ kind, err: errorMessage(err) }, `${kind} report failed; the next run or start catches up`);
      return null;
    }
  }

  /** Makes the report of the last finished period of `kind` when it is not stored yet. */
  async catchUp(kind: ReportKind, nowMs = Date.now()): Promise<boolean> {
    try {
      await this.ensureSchema();
      const { sinceMs, untilMs } = this.periodOf(kind, nowMs);
      const id = reportId({ kind, sinceUs: sinceMs * 1000, untilUs: untilMs * 1000 });
      const found = await this.o.pool.query('SELECT 1 FROM reports WHERE report_id = $1', [id]);
      if (found.rowCount !== 0) return false;
    } catch (err) {
      this.o.log.warn({ kind, err: errorMessage(err) }, 'catch-up check failed');
      return false;
    }
    return (await this.run(kind, nowMs)) !== null;
  }

  private async ensureSchema(): Promise<void> {
    if (this.migrated) return;
    await migratePool(this.o.pool);
    this.migrated = true;
  }
}
