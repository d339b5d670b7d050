/**
 * `arbees report`: the report of analytics_service on demand, from the same code. The history
 * is read from DATABASE_URL when set, else from the embedded Postgres of a running `arbees up`
 * (its run file), else by opening the embedded database of the data dir directly (the system is
 * stopped). Prints to stdout or writes --out.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { ArbeesError } from '../core/errors.js';
import { EmbeddedPostgres } from '../store/embedded-postgres.js';
import { migratePool } from '../store/migrate.js';
import { openPool } from '../store/pg-pool.js';
import { buildReport } from '../store/report/report-builder.js';
import { renderHtml } from '../store/report/report-html.js';
import { renderMarkdown } from '../store/report/report-markdown.js';
import { checkTimeZone, parseInstant } from '../store/report/report-period.js';
import { embeddedPgData, runningUpPostgresUrl } from './running-postgres.js';

export const REPORT_USAGE = `usage: arbees report [--since T] [--until T] [--format md|html|json] [--out FILE] [--tz ZONE]
  T: 2026-12-05, 2026-12-05T18:00 (in --tz), an ISO time with offset, now, or 24h / 90m / 7d back
  defaults: --since 24h --until now --format md --tz $ARBEES_REPORT_TZ or America/New_York
  history from DATABASE_URL, else the running arbees up, else the embedded database in ARBEES_DATA_DIR (.data)`;

export interface ReportCommandOptions {
  since: string;
  until: string;
  format: 'md' | 'html' | 'json';
  out: string | null;
  timeZone: string;
}

export function parseReportArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ReportCommandOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      since: { type: 'string', default: '24h' },
      until: { type: 'string', default: 'now' },
      format: { type: 'string', default: 'md' },
      out: { type: 'string' },
      tz: { type: 'string', default: env.ARBEES_REPORT_TZ ?? 'America/New_York' },
    },
    strict: true,
  });
  const format = values.format;
  if (format !== 'md' && format !== 'html' && format !== 'json') {
    throw new ArbeesError('ARB_REPORT_INPUT', `--format must be md, html or json, got ${JSON.stringify(format)}\n${REPORT_USAGE}`);
  }
  return { since: values.since, until: values.until, format, out: values.out ?? null, timeZone: checkTimeZone(values.tz) };
}

interface Source {
  pool: pg.Pool;
  describe: string;
  close(): Promise<void>;
}

/** Where the history is (see the module comment); null when there is none at all. */
async function openSource(env: NodeJS.ProcessEnv): Promise<Source | null> {
  const fromUrl = (url: string, describe: string, after?: () => Promise<void>): Source => {
    const pool = openPool(url, { max: 1 });
    return { pool, describe, close: async () => { await pool.end(); await after?.(); } };
  };
  if (env.DATABASE_URL) return fromUrl(env.DATABASE_URL, 'DATABASE_URL');
  const dataDir = path.resolve(env.ARBEES_DATA_DIR ?? '.data');
  const pgData = embeddedPgData(dataDir);
  const running = runningUpPostgresUrl(dataDir);
  if (running !== null) return fromUrl(running, `the running arbees up (${dataDir})`);
  if (!existsSync(pgData)) return null;
  const embedded = await EmbeddedPostgres.start({ dataDir: pgData, maxConnections: 4 });
  return fromUrl(embedded.url, `the embedded database in ${pgData}`, () => embedded.stop());
}

export async function runReport(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const o = parseReportArgs(argv, env);
  const nowMs = Date.now();
  const sinceMs = parseInstant(o.since, o.timeZone, nowMs);
  const untilMs = parseInstant(o.until, o.timeZone, nowMs);
  if (!(untilMs > sinceMs)) throw new ArbeesError('ARB_REPORT_INPUT', `--until (${new Date(untilMs).toISOString()}) must be after --since (${new Date(sinceMs).toISOString()})`);
  const source = await openSource(env);
  if (source === null) {
    throw new ArbeesError('ARB_REPORT_INPUT', `no history: DATABASE_URL is unset and ${path.resolve(env.ARBEES_DATA_DIR ?? '.data')} has no embedded database (run arbees up first)`);
  }
  try {
    await migratePool(source.pool); // an old or empty database reads as an empty report, not an error
    const report = await buildReport(source.pool, { sinceUs: sinceMs * 1000, untilUs: untilMs * 1000, timeZone: o.timeZone });
    const text = o.format === 'json' ? JSON.stringify(report, null, 2) + '\n' : o.format === 'html' ? renderHtml(report) : renderMarkdown(report);
    if (o.out === null) process.stdout.write(text);
    else {
      writeFileSync(o.out, text);
      process.stderr.write(`report (${o.format}) from ${source.describe} written to ${o.out}\n`);
    }
  } finally {
    await source.close();
  }
}
