/**
 * The one way to open PostgreSQL (the embedded PGlite or a real server; both through `pg`): a
 * small pool whose idle-connection errors (the server restarted) are counted instead of crashing
 * the process, and whose queries fail fast enough that a caller's retry loop stays in charge.
 */
import pg from 'pg';

export interface PoolOptions {
  max?: number;
  /** Abandons a connection attempt after this (the server is down or unreachable). */
  connectTimeoutMs?: number;
  onIdleError?: (err: Error) => void;
}

export function openPool(url: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 4,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', (err) => options.onIdleError?.(err));
  return pool;
}

/** Runs `fn` in one transaction on one pooled client; rolls back and rethrows on failure. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    broken = true;
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    // A client whose transaction failed may hold a dead socket: drop it rather than reuse it.
    client.release(broken);
  }
}
