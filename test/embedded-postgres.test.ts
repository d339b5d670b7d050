/**
 * The embedded Postgres (PGlite behind a socket server) answers real `pg` clients, keeps its data
 * across restarts, and, run as `arbees up`'s child, stops by itself when its parent goes away.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from 'node:net';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { pidAlive, waitForPidExit } from '../src/launcher/process-utils.js';
import { EmbeddedPostgres } from '../src/store/embedded-postgres.js';
import { embeddedPasswordPath } from '../src/store/embedded-postgres-password.js';
import type { EmbeddedPostgresReady } from '../src/store/embedded-postgres-main.js';

const MAIN = path.resolve('dist/src/store/embedded-postgres-main.js');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'arb-pg-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('embedded postgres', () => {
  it('answers SELECT 1 through pg and keeps its data across a restart', async () => {
    const dataDir = path.join(tempDir(), 'pgdata');
    let db = await EmbeddedPostgres.start({ dataDir });
    cleanups.push(() => db.stop());
    expect(db.url).toMatch(/^postgres:\/\/postgres:[\w-]{32}@127\.0\.0\.1:\d+\/postgres$/);
    expect(await query<{ one: number }>(db.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);

    await query(db.url, 'CREATE TABLE t (id int primary key, note text)');
    await query(db.url, 'INSERT INTO t VALUES ($1, $2), ($3, $4)', [1, 'a', 2, 'b']);
    await db.stop();
    cleanups.pop();

    db = await EmbeddedPostgres.start({ dataDir });
    cleanups.push(() => db.stop());
    expect(await query(db.url, 'SELECT id, note FROM t ORDER BY id')).toEqual([{ id: 1, note: 'a' }, { id: 2, note: 'b' }]);
  }, 60_000);

  it('asks for the password: a wrong one or another user\'s guess is refused (28P01), the stored one (0600) works across restarts', async () => {
    const dataDir = path.join(tempDir(), 'pgdata');
    const failures: string[] = [];
    let db = await EmbeddedPostgres.start({ dataDir, onAuthFailure: (user) => failures.push(user) });
    cleanups.push(() => db.stop());
    const passwordFile = embeddedPasswordPath(dataDir);
    expect(path.dirname(passwordFile)).toBe(path.dirname(dataDir)); // in the arbees data dir
    expect(statSync(passwordFile).mode & 0o777).toBe(0o600);
    // PGlite's own socket (no password) sits in a directory only this user can enter.
    expect(statSync(`${dataDir}.sock`).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(`${dataDir}.sock`, '.s.PGSQL')).isSocket()).toBe(true);
    const password = readFileSync(passwordFile, 'utf8');
    expect(new URL(db.url).password).toBe(password);
    const wrong = new URL(db.url);
    wrong.password = 'not-the-password';
    await expect(query(wrong.toString(), 'SELECT 1')).rejects.toMatchObject({ code: '28P01' });
    wrong.username = 'admin';
    await expect(query(wrong.toString(), 'SELECT 1')).rejects.toMatchObject({ code: '28P01' });
    expect(failures).toEqual(['postgres', 'admin']);
    // Garbage instead of a startup message: that connection is refused, the server carries on.
    for (const junk of [Buffer.from('GET / HTTP/1.1\r\n\r\n'), Buffer.from([0, 0, 0, 8, 0, 0, 0, 0]), Buffer.alloc(64, 0xff)]) {
      const socket = connect(new URL(db.url).port === '' ? 5432 : Number(new URL(db.url).port), '127.0.0.1');
      socket.on('error', () => undefined);
      let reply = '';
      socket.on('data', (d: Buffer) => (reply += d.toString()));
      socket.end(junk);
      await new Promise((resolve) => socket.on('close', resolve));
      expect(reply).toMatch(/^E[\s\S]*C08P01/); // a FATAL protocol_violation, then closed
    }
    expect(await query<{ one: number }>(db.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);

    await db.stop();
    cleanups.pop();
    db = await EmbeddedPostgres.start({ dataDir });
    cleanups.push(() => db.stop());
    expect(new URL(db.url).password).toBe(password);
    expect(await query<{ one: number }>(db.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  }, 60_000);

  it('serves several pool connections at once, with transactions kept apart', async () => {
    const db = await EmbeddedPostgres.start({ dataDir: 'memory://', maxConnections: 8 });
    cleanups.push(() => db.stop());
    const pool = new pg.Pool({ connectionString: db.url, max: 4 });
    cleanups.push(() => pool.end());
    await pool.query('CREATE TABLE c (n int)');
    await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          await client.query('INSERT INTO c VALUES ($1)', [i]);
          await client.query('INSERT INTO c VALUES ($1)', [i + 100]);
          await client.query(i % 2 === 0 ? 'COMMIT' : 'ROLLBACK');
        } finally {
          client.release();
        }
      }),
    );
    const rows = await pool.query<{ n: number }>('SELECT n FROM c ORDER BY n');
    expect(rows.rows.map((r) => r.n)).toEqual([0, 2, 4, 6, 100, 102, 104, 106]);
    // The lighter memory settings (README, store section) are in force.
    expect((await pool.query('SHOW shared_buffers')).rows).toEqual([{ shared_buffers: '16MB' }]);
  }, 60_000);

  it('as a child: reports ready over IPC, answers, and exits when its parent disconnects', async () => {
    expect(existsSync(MAIN), 'run `npx tsc -p .` first').toBe(true);
    const dataDir = path.join(tempDir(), 'pgdata');
    const child: ChildProcess = fork(MAIN, [], {
      env: { ...process.env, ARBEES_PG_DATA_DIR: dataDir, ARBEES_PG_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    cleanups.push(() => void child.kill('SIGKILL'));
    const ready = await new Promise<EmbeddedPostgresReady>((resolve, reject) => {
      child.once('message', (m) => resolve(m as EmbeddedPostgresReady));
      child.once('exit', (code) => reject(new Error(`exited ${code} before ready`)));
    });
    expect(ready.type).toBe('ready');
    expect(await query<{ v: string }>(ready.url, "SELECT 'up' AS v")).toEqual([{ v: 'up' }]);

    child.disconnect();
    expect(await waitForPidExit(child.pid!, 15_000)).toBe(true);
    expect(pidAlive(child.pid!)).toBe(false);
  }, 60_000);
});
