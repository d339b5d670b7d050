/**
 * The history schema migrates the same on the embedded PGlite and the machine's PostgreSQL
 * server, twice without change, and concurrently from two clients.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../src/store/migrate.js';
import { MIGRATIONS } from '../src/store/schema.js';
import { createServerDatabase, queryRows, startEmbedded } from './helpers/postgres.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const TABLES = ['dead_letters', 'exit_signals', 'fills', 'game_states', 'games', 'incidents', 'notifications', 'position_events', 'positions', 'prices', 'reports', 'schema_migrations', 'settlements', 'signals', 'trades'];

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function checkMigrations(url: string): Promise<void> {
  const first = await withClient(url, (c) => migrate(c));
  expect(first.applied).toEqual(MIGRATIONS.map((m) => m.id));
  const again = await withClient(url, (c) => migrate(c));
  expect(again).toEqual({ applied: [], version: first.version });
  const tables = await queryRows<{ table_name: string }>(url, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name");
  expect(tables.map((t) => t.table_name)).toEqual(TABLES);
  expect(await queryRows(url, 'SELECT id, name FROM schema_migrations')).toEqual(MIGRATIONS.map((m) => ({ id: m.id, name: m.name })));
}

describe('history schema migrations', () => {
  it('apply once on the embedded PGlite, and a second run changes nothing', async () => {
    const db = await startEmbedded();
    cleanups.push(() => db.stop());
    await checkMigrations(db.url);
  });

  it('apply once on the PostgreSQL server, and a second run changes nothing', async () => {
    const db = await createServerDatabase();
    cleanups.push(() => db.drop());
    await checkMigrations(db.url);
  });

  it('two processes migrating at once apply each migration exactly once', async () => {
    const db = await createServerDatabase();
    cleanups.push(() => db.drop());
    const results = await Promise.all([withClient(db.url, (c) => migrate(c)), withClient(db.url, (c) => migrate(c))]);
    expect(results.flatMap((r) => r.applied).sort()).toEqual(MIGRATIONS.map((m) => m.id));
  });

  it('a failing migration rolls back entirely and is not recorded', async () => {
    const db = await createServerDatabase();
    cleanups.push(() => db.drop());
    const bad = [...MIGRATIONS, { id: 999, name: 'broken', sql: 'CREATE TABLE half_done (id int); SELECT no_such_function();' }];
    await expect(withClient(db.url, (c) => migrate(c, bad))).rejects.toThrow(/no_such_function/);
    expect(await queryRows(db.url, "SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'")).toEqual([]);
    expect((await queryRows<{ id: number }>(db.url, 'SELECT id FROM schema_migrations')).map((r) => r.id)).toEqual(MIGRATIONS.map((m) => m.id));
  });
});
