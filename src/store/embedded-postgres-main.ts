/**
 * The embedded Postgres as a child process of `arbees up`. It runs apart from the supervisor
 * because PGlite executes queries on its own event loop: a long query in the supervisor would
 * stall the log pipes of every service (and a child blocked on a full pipe stalls the hot path).
 * It reports `{ type: 'ready', url, port }` over IPC and stops, flushing the database, on
 * SIGTERM/SIGINT or when the supervisor goes away (its IPC channel closes, even after kill -9).
 */
import { errorMessage } from '../core/errors.js';
import { EmbeddedPostgres } from './embedded-postgres.js';

export interface EmbeddedPostgresReady {
  type: 'ready';
  url: string;
  port: number;
}

function log(msg: string, level: 'info' | 'error' = 'info'): void {
  const line = JSON.stringify({ level: level === 'info' ? 30 : 50, time: Date.now(), name: 'postgres', msg });
  (level === 'info' ? process.stdout : process.stderr).write(line + '\n');
}

async function main(): Promise<void> {
  // Listening from the very start: PGlite takes seconds to open, and a supervisor that dies in
  // the meantime must not leave this process behind.
  let onSupervisorGone = (): void => process.exit(0);
  if (process.send !== undefined) {
    if (!process.connected) process.exit(0);
    process.once('disconnect', () => onSupervisorGone());
  }
  const dataDir = process.env.ARBEES_PG_DATA_DIR;
  if (dataDir === undefined || dataDir === '') throw new Error('ARBEES_PG_DATA_DIR is required');
  const pg = await EmbeddedPostgres.start({
    dataDir,
    port: Number(process.env.ARBEES_PG_PORT ?? '0'),
    maxConnections: Number(process.env.ARBEES_PG_MAX_CONNECTIONS ?? '32'),
    ...(process.env.ARBEES_PG_SHARED_BUFFERS ? { sharedBuffers: process.env.ARBEES_PG_SHARED_BUFFERS } : {}),
    onAuthFailure: (user) => log(`password authentication failed for user "${user}"`, 'error'),
  });
  log(`embedded Postgres (PGlite) serving ${dataDir} on ${pg.host}:${pg.port}`);
  let stopping: Promise<void> | null = null;
  const stop = (why: string) => {
    stopping ??= (async () => {
      log(`stopping (${why})`);
      const force = setTimeout(() => process.exit(1), 10_000);
      force.unref();
      try {
        await pg.stop();
      } catch (err) {
        log(`stop failed: ${errorMessage(err)}`, 'error');
      }
      process.exit(0);
    })();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  if (process.send !== undefined) {
    onSupervisorGone = () => stop('supervisor gone');
    const ready: EmbeddedPostgresReady = { type: 'ready', url: pg.url, port: pg.port };
    process.send(ready);
  }
}

main().catch((err: unknown) => {
  log(`cannot start: ${errorMessage(err)}`, 'error');
  process.exit(1);
});
