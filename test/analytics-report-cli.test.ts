/**
 * analytics_service and `arbees report` on the hand-checked fixture: the scheduled report is
 * stored and announced with the same figures; the CLI prints JSON, writes HTML, reads a stopped
 * system's embedded database from the data dir, and refuses bad input with a clear message.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlowKey } from '../src/core/slow-keys.js';
import { Metrics } from '../src/runtime/metrics.js';
import { startService } from '../src/runtime/service.js';
import { analyticsService } from '../src/services/analytics-service/analytics-service.js';
import { AnalyticsService } from '../src/services/analytics-service/analytics-service-core.js';
import { EmbeddedPostgres } from '../src/store/embedded-postgres.js';
import { migratePool } from '../src/store/migrate.js';
import { queryRows, type TestDatabase } from './helpers/postgres.js';
import { eventually, testRedis } from './helpers/redis.js';
import { baseServiceEnv } from './helpers/service-env.js';
import { FIXTURE_PERIOD, insertFixture, openFixtureDatabase, T0 } from './report-fixture.js';

const run = promisify(execFile);
const CLI = path.resolve('dist/src/cli.js');
let db: TestDatabase;
let pool: pg.Pool;
const { redis, prefix } = testRedis();

let closeFixture: () => Promise<void>;

beforeAll(async () => {
  ({ db, pool, close: closeFixture } = await openFixtureDatabase());
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await closeFixture();
});

const iso = (us: number) => new Date(us / 1000).toISOString();
const cli = (args: string[], env: Record<string, string>) => run(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, timeout: 60_000 });

describe('analytics_service', () => {
  it('stores the daily report of the previous New York day and announces it with its Markdown', async () => {
    const service = new AnalyticsService({
      pool, redis, eventsStream: prefix + SlowKey.reportsStream, eventsMaxLen: 100, timeZone: 'America/New_York',
      metrics: new Metrics(), log: pino({ level: 'silent' }),
    });
    const dayAfter = T0 / 1000 + 86_400_000; // the fixture's day has ended
    const id = await service.run('daily', dayAfter);
    expect(id).not.toBeNull();
    const [row] = await queryRows<{ kind: string; summary: { realisedCc: number }; markdown: string }>(db.url, 'SELECT kind, summary, markdown FROM reports WHERE report_id = $1', [id]);
    expect(row!.kind).toBe('daily');
    expect(row!.summary.realisedCc).toBe(53_600);
    expect(row!.markdown).toContain('$5.36');
    const entries = await redis.xrange(prefix + SlowKey.reportsStream, '-', '+');
    const fields = entries[0]![1];
    const event: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) event[fields[i]!] = fields[i + 1]!;
    expect(event).toMatchObject({ report_id: id, kind: 'daily', empty: 'false' });
    expect(event.markdown).toContain('## Signal funnel');
    // A catch-up for the same period finds it stored and does nothing.
    expect(await service.catchUp('daily', dayAfter)).toBe(false);
    expect(await redis.xlen(prefix + SlowKey.reportsStream)).toBe(1);
  });

  it('runs on its cron schedule in its time zone', async () => {
    const svc = await startService(analyticsService, baseServiceEnv({
      DATABASE_URL: db.url, ANALYTICS_KEY_PREFIX: `${prefix}cron:`, ANALYTICS_HOURLY_CRON: '* * * * * *', ANALYTICS_DAILY_CRON: 'off',
      ANALYTICS_TIME_ZONE: 'Asia/Kolkata', ANALYTICS_CATCH_UP: 'false',
    }));
    try {
      await eventually(async () => (await redis.xlen(`${prefix}cron:${SlowKey.reportsStream}`)) >= 1, 5_000, 'a scheduled report');
      const [row] = await queryRows<{ time_zone: string; since_ts: string; until_ts: string }>(db.url, "SELECT time_zone, since_ts, until_ts FROM reports WHERE kind = 'hourly' LIMIT 1");
      expect(row!.time_zone).toBe('Asia/Kolkata');
      // Kolkata is UTC+5:30: its hours start at :30 UTC.
      expect(new Date(Number(row!.since_ts) / 1000).getUTCMinutes()).toBe(30);
      expect(Number(row!.until_ts) - Number(row!.since_ts)).toBe(3_600_000_000);
    } finally {
      await svc.stop();
    }
  });
});

describe('arbees report', () => {
  it('prints JSON and writes self-contained HTML from DATABASE_URL', async () => {
    const args = ['--since', iso(FIXTURE_PERIOD.sinceUs), '--until', iso(FIXTURE_PERIOD.untilUs)];
    const { stdout } = await cli(['report', ...args, '--format', 'json'], { DATABASE_URL: db.url });
    const report = JSON.parse(stdout);
    expect(report.totals.realisedCc).toBe(53_600);
    expect(report.funnel.rejectedByReason).toEqual([{ reason: 'RISK_LIMIT', count: 1 }]);
    const dir = mkdtempSync(path.join(tmpdir(), 'arb-cli-'));
    try {
      const out = path.join(dir, 'r.html');
      const { stderr } = await cli(['report', ...args, '--format', 'html', '--out', out], { DATABASE_URL: db.url });
      expect(stderr).toContain(`written to ${out}`);
      const html = readFileSync(out, 'utf8');
      expect(html).toMatch(/^<!doctype html>/);
      expect(html).toContain('<svg');
      expect(html).not.toMatch(/(src|href)="https?:/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('reads the embedded database of a stopped system from the data dir', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'arb-cli-data-'));
    try {
      const embedded = await EmbeddedPostgres.start({ dataDir: path.join(dataDir, 'pgdata') });
      const p = new pg.Pool({ connectionString: embedded.url, max: 1 });
      await migratePool(p);
      await insertFixture(p);
      await p.end();
      await embedded.stop();
      const { stdout } = await cli(['report', '--since', iso(FIXTURE_PERIOD.sinceUs), '--until', iso(FIXTURE_PERIOD.untilUs)], { DATABASE_URL: '', ARBEES_DATA_DIR: dataDir });
      expect(stdout).toContain('| realised P&L (net of fees) | $5.36 |');
      expect(stdout).toContain('## Model calibration');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);

  it('refuses bad input with a clear message', async () => {
    await expect(cli(['report', '--format', 'pdf'], { DATABASE_URL: db.url })).rejects.toMatchObject({ stderr: expect.stringContaining('--format must be md, html or json') });
    await expect(cli(['report', '--since', 'yesterday-ish'], { DATABASE_URL: db.url })).rejects.toMatchObject({ stderr: expect.stringContaining('cannot read "yesterday-ish"') });
    await expect(cli(['report', '--since', '1h', '--until', '2h'], { DATABASE_URL: db.url })).rejects.toMatchObject({ stderr: expect.stringContaining('must be after --since') });
    const empty = mkdtempSync(path.join(tmpdir(), 'arb-cli-none-'));
    try {
      await expect(cli(['report'], { DATABASE_URL: '', ARBEES_DATA_DIR: empty })).rejects.toMatchObject({ stderr: expect.stringContaining('no history') });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  }, 60_000);
});
