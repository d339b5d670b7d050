/**
 * Applies the migrations of schema.ts that have not run yet, each in its own transaction with
 * its row in `schema_migrations`. Idempotent and safe when two processes start at once (the
 * recorder and analytics_service): a transaction-scoped advisory lock serialises them, and the
 * second finds nothing left to do.
 */
import type pg from 'pg';
import { withClient } from './pg-pool.js';
import { MIGRATIONS, type Migration } from './schema.js';

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`;

export interface MigrateResult {
  /** Ids applied by this call (empty when the schema was current). */
  applied: number[];
  /** Highest id now in the database. */
  version: number;
}

/** One connection: the migration's transactions must not be spread over a pool. */
type Queryable = pg.ClientBase;

/** Any constant shared by every arbees process ("arbees" in ASCII). */
const LOCK_KEY = 0x617262656573;

async function locked(client: Queryable, fn: () => Promise<void>): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await fn();
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

export async function migrate(client: Queryable, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrateResult> {
  await locked(client, async () => {
    await client.query(CREATE_TABLE);
  });
  const applied: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.id - b.id)) {
    await locked(client, async () => {
      const done = await client.query('SELECT 1 FROM schema_migrations WHERE id = $1', [m.id]);
      if (done.rowCount === 0) {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (id, name) VALUES ($1, $2)', [m.id, m.name]);
        applied.push(m.id);
      }
    });
  }
  const row = await client.query<{ v: number | null }>('SELECT max(id) AS v FROM schema_migrations');
  return { applied, version: row.rows[0]?.v ?? 0 };
}

/** migrate() on one client of the pool. */
export function migratePool(pool: pg.Pool, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrateResult> {
  return withClient(pool, (client) => migrate(client, migrations));
}
