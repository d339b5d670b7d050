/**
 * kill -9 of a real `arbees run recorder` process in the middle of its batches, twice: after the
 * restarts every entry of the stream is a row, once (0 lost, 0 duplicated, counted against the
 * stream), and the group has nothing left pending.
 */
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { SlowKey } from '../src/core/slow-keys.js';
import { queryRows } from './helpers/postgres.js';
import { eventually } from './helpers/redis.js';
import { appendTrades, caughtUp, recorderEnv, recorderSetup, spawnRecorder } from './recorder-harness.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const ENTRIES = 20_000;

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('recorder crash', () => {
  it('loses and duplicates nothing when killed -9 mid-batch', async () => {
    const { redis, prefix, url } = await recorderSetup(cleanups);
    const db = { url };
    const env = recorderEnv(prefix, db.url, { RECORDER_BATCH: '300' });
    const rows = async (): Promise<number> =>
      Number((await queryRows<{ n: string }>(db.url, 'SELECT count(*) AS n FROM trades').catch(() => [{ n: '0' }]))[0]!.n);
    const ids = Array.from({ length: ENTRIES }, (_, i) => `k${i}`);
    await appendTrades(redis, prefix, ids.slice(0, ENTRIES / 2));

    let child = spawnRecorder(env);
    cleanups.push(() => kill9(child));
    await eventually(async () => (await rows()) >= 1_000, 30_000, 'first rows');
    await kill9(child);
    const afterFirstKill = await rows();
    expect(afterFirstKill).toBeLessThan(ENTRIES / 2);

    await appendTrades(redis, prefix, ids.slice(ENTRIES / 2));
    child = spawnRecorder(env);
    await eventually(async () => (await rows()) >= afterFirstKill + 2_000, 30_000, 'rows after the restart');
    await kill9(child);

    child = spawnRecorder(env);
    const stream = prefix + SlowKey.tradesCompleted;
    await eventually(async () => (await rows()) === ENTRIES && (await caughtUp(redis, stream)), 60_000, 'every entry recorded');
    expect(await redis.xlen(stream)).toBe(ENTRIES);
    const [check] = await queryRows<{ rows: string; distinct_ids: string; fills: string }>(
      db.url,
      'SELECT (SELECT count(*) FROM trades) AS rows, (SELECT count(DISTINCT stream_id) FROM trades) AS distinct_ids, (SELECT count(*) FROM fills) AS fills',
    );
    expect(check).toEqual({ rows: String(ENTRIES), distinct_ids: String(ENTRIES), fills: String(ENTRIES) });
  }, 120_000);
});
