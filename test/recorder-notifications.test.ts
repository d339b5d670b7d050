/**
 * The recorder records notification_service's delivery log (notifications:log) into the
 * `notifications` table, against the real Redis and the machine's PostgreSQL: one row per channel
 * and notification holding its latest status, the same entries delivered again change nothing,
 * an entry without channel/id/status goes to the dead-letter table.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SlowKey } from '../src/core/slow-keys.js';
import { queryRows } from './helpers/postgres.js';
import { eventually } from './helpers/redis.js';
import { caughtUp, recorderEnv, recorderSetup, startRecorder } from './recorder-harness.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The fields NotificationOutbox writes for one delivery attempt. */
const attempt = (channel: string, id: string, status: string, attempts: number, detail: string): string[] => [
  'channel', channel, 'id', id, 'status', status, 'type', 'daily_report', 'severity', 'info', 'mode', 'paper',
  'events', '1', 'attempts', String(attempts), 'detail', detail,
];

interface Row { notification_id: string; channel: string; status: string; kind: string; body: string }

describe('recorder: notifications:log', () => {
  it('one row per channel and notification with its latest status, once however often the entries are read', async () => {
    const { redis, prefix, url } = await recorderSetup(cleanups);
    const log = prefix + SlowKey.notifyLog;
    await redis.xadd(log, '*', ...attempt('telegram', 'n1', 'retry', 1, 'HTTP 502'));
    await redis.xadd(log, '*', ...attempt('telegram', 'n1', 'delivered', 1, '120 ms'));
    await redis.xadd(log, '*', ...attempt('local', 'n1', 'dead', 3, 'disk full'));
    await redis.xadd(log, '*', 'channel', 'telegram', 'id', 'ev9', 'status', 'held', 'detail', 'until 2026-12-05T18:00:00.000Z');
    await redis.xadd(log, '*', 'status', 'delivered', 'detail', 'no channel or id');
    const env = recorderEnv(prefix, url);
    let svc = await startRecorder(env);
    cleanups.push(() => svc.stop());
    await eventually(() => caughtUp(redis, log), 10_000, 'notifications:log recorded');

    const rows = async () => queryRows<Row>(url, 'SELECT notification_id, channel, status, kind, body FROM notifications ORDER BY notification_id');
    const first = await rows();
    expect(first.map((r) => [r.notification_id, r.status])).toEqual([
      ['local:n1', 'dead'],
      ['telegram:ev9', 'held'],
      ['telegram:n1', 'delivered'],
    ]);
    expect(first.find((r) => r.notification_id === 'telegram:n1')).toMatchObject({ channel: 'telegram', kind: 'daily_report', body: '120 ms [attempts 1]' });
    const dead = await queryRows<{ stream: string; problem: string }>(url, 'SELECT stream, problem FROM dead_letters');
    expect(dead).toEqual([{ stream: log, problem: 'notification log entry without channel, id or status' }]);

    // The group reads the whole stream again (as after a lost ack): nothing changes, nothing doubles.
    // Stopped meanwhile: a running recorder (50 ms blocks) may read it all again before we look.
    const lastId = ((await redis.xrevrange(log, '+', '-', 'COUNT', 1)) as [string, string[]][])[0]![0];
    await svc.stop();
    await redis.xgroup('SETID', log, 'recorder', '0');
    const delivered = async () => {
      const flat = ((await redis.xinfo('GROUPS', log)) as unknown[][]).find((g) => g[1] === 'recorder')!;
      return String(flat[flat.indexOf('last-delivered-id') + 1]);
    };
    expect(await delivered()).toBe('0-0');
    svc = await startRecorder(env);
    await eventually(async () => (await delivered()) === lastId && (await caughtUp(redis, log)), 10_000, 'notifications:log read again');
    expect(await rows()).toEqual(first);
    expect(await queryRows(url, 'SELECT * FROM dead_letters')).toHaveLength(1);
  });
});
