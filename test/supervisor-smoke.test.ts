/**
 * `npm start` in miniature: `arbees up` with nothing configured but a temp data dir finds no
 * Redis, starts its own, serves an embedded Postgres, runs the default services, and demo
 * prices flow through the hot path into the Redis slow track. Ctrl-C leaves nothing behind.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from './helpers/redis.js';
import { alivePids, CLI, cleanUpAll, startUp, waitForOutput, waitUntilRunning } from './supervisor-harness.js';
import { UP_SERVICES } from '../src/launcher/up-services.js';

const LISTENER_SOURCE = 'src/services/zmq-listener/zmq-listener.ts';
const listenerNotBuilt = !existsSync(LISTENER_SOURCE) || readFileSync(LISTENER_SOURCE, 'utf8').includes('not built yet');

afterEach(cleanUpAll);

describe('arbees up smoke', () => {
  it.skipIf(listenerNotBuilt)('brings up Redis, Postgres and the default services; demo prices reach the slow track', async () => {
    expect(existsSync(CLI), 'run `npx tsc -p .` first (npm test does)').toBe(true);
    const up = startUp({ ARBEES_EMBEDDED_POSTGRES: 'true', ARBEES_SERVICES: '' });
    const expected = Object.values(UP_SERVICES).reduce((a, b) => a + b, 0);
    const state = await waitUntilRunning(up, expected, 90_000);
    // Services with several instances (game_shard) appear once per instance.
    expect([...new Set(state.children.map((c) => c.service))].sort()).toEqual(Object.keys(UP_SERVICES).sort());
    expect(state.redis!.source).toBe('private');
    expect(state.postgres).toMatchObject({ source: 'embedded' });
    // The run file and the banner never show the generated password; it is kept in the data dir.
    expect(state.postgres!.url).toMatch(/^postgres:\/\/postgres:\[redacted\]@127\.0\.0\.1:\d+\/postgres$/);
    const password = readFileSync(path.join(up.dataDir, 'pgdata.password'), 'utf8');
    expect(up.output()).not.toContain(password);
    await waitForOutput(up, /Stop {7}Ctrl-C/);
    expect(up.output()).toContain(`Postgres   ${state.postgres!.url}`);

    const redis = new Redis(state.redis!.url);
    try {
      let first = 0;
      await eventually(async () => (first = await redis.xlen('prices:kalshi')) > 0, 20_000, 'prices in prices:kalshi');
      await eventually(async () => (await redis.xlen('prices:kalshi')) > first, 10_000, 'prices:kalshi to grow');
      const [entry] = await redis.xrevrange('prices:kalshi', '+', '-', 'COUNT', 1);
      expect(entry![1]).toContain('topic');
    } finally {
      redis.disconnect();
    }

    const pgUrl = new URL(state.postgres!.url);
    pgUrl.password = password;
    const client = new pg.Client({ connectionString: pgUrl.toString() });
    await client.connect();
    try {
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await client.end();
    }

    const pids = up.knownPids();
    expect(pids.size).toBe(expected + 2); // the services, redis-server, postgres
    up.proc.kill('SIGINT');
    expect(await up.exited).toBe(0);
    expect(alivePids(pids)).toEqual([]);
  }, 120_000);
});
