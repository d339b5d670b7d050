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

/** Runs `fn` on one pooled client outside a transaction (migrations manage their own). */
export async function withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  // A connection lost while checked out emits 'error' on the client: unheard, it would crash the process.
  const onError = (): void => {
    broken = true;
  };
  client.on('error', onError);
  try {
    return await fn(client);
  } catch (err) {
    // A client whose work failed may hold a dead socket: dropped rather than reused.
    broken = true;
    throw err;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

/** Runs `fn` in one transaction on one pooled client; rolls back and rethrows on failure. */
export function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withClient(pool, async (client) => {
    await client.query('BEGIN');
    try {
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    }
  });
}
