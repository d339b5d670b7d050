/**
 * An embedded PostgreSQL for a machine without one: PGlite (Postgres compiled to WASM) with its
 * data in a directory, so every service talks to it through `pg` with a plain DATABASE_URL,
 * exactly as to a real server. PGlite accepts any user and password, so it listens only on a
 * unix socket in a private directory, and clients come in through a loopback TCP port that asks
 * for a password (SCRAM-SHA-256; see postgres-auth-proxy.ts). The password is generated once and
 * kept next to the data (embedded-postgres-password.ts).
 */
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { embeddedPostgresUrl, ensureEmbeddedPassword } from './embedded-postgres-password.js';
import { PostgresAuthProxy } from './postgres-auth-proxy.js';

export interface EmbeddedPostgresOptions {
  /** Directory of the database files; `memory://` keeps it in memory (tests). */
  dataDir: string;
  host?: string;
  /** 0 = any free port. */
  port?: number;
  /**
   * Concurrent client connections. PGlite runs one query at a time; the socket server queues
   * queries across connections and keeps a transaction's queries together.
   */
  maxConnections?: number;
  /** The password clients must give; default: the one stored next to dataDir (made on first use). */
  password?: string;
  /** Called with the user name of each client that gave a wrong password. */
  onAuthFailure?: (user: string) => void;
  /** Postgres' buffer cache inside PGlite's WASM memory (see MEMORY_SETTINGS). */
  sharedBuffers?: string;
}

const DEFAULTS = { host: '127.0.0.1', port: 0, maxConnections: 32, sharedBuffers: '16MB' } as const;

/**
 * PGlite starts Postgres with its stock settings: 128 MB of shared_buffers and 64 MB of
 * maintenance_work_mem, all inside the WASM memory, which only grows. Our database is small and
 * its files sit in the OS page cache anyway, so a smaller cache costs little and saves ~150 MB of
 * resident memory (figures in the README's store section).
 */
function memorySettings(sharedBuffers: string): string[] {
  return ['-c', `shared_buffers=${sharedBuffers}`, '-c', 'maintenance_work_mem=16MB', '-c', 'temp_buffers=2MB'];
}

const TEMP_SOCKET_PREFIX = 'arb-pgsock-';
/** A unix socket path must fit in sockaddr_un (108 bytes on Linux, 104 on macOS). */
const MAX_SOCKET_PATH = 100;

/**
 * Where PGlite's own socket goes: a 0700 directory only this user can enter, next to the data
 * (`<data dir>.sock/`, so a killed server leaves nothing in /tmp) or, for an in-memory database or
 * a data dir too deep for a socket path, a new one in the temp dir.
 */
function privateSocketDir(dataDir: string | null): string {
  const beside = dataDir === null ? null : `${path.resolve(dataDir)}.sock`;
  if (beside === null || path.join(beside, '.s.PGSQL').length > MAX_SOCKET_PATH) return mkdtempSync(path.join(tmpdir(), TEMP_SOCKET_PREFIX));
  mkdirSync(beside, { recursive: true, mode: 0o700 });
  if (!lstatSync(beside).isDirectory()) throw new Error(`${beside} is not a directory`);
  chmodSync(beside, 0o700);
  return beside;
}

const INIT_MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'embedded-postgres-init-main.js');
const INIT_TIMEOUT_MS = 180_000;

/** A new database is made by a short-lived process (see embedded-postgres-init-main.ts). */
async function initInChildIfNew(dataDir: string): Promise<void> {
  // Run from the TypeScript sources (tests) there is no compiled init script: PGlite inits in-process.
  if (existsSync(path.join(dataDir, 'PG_VERSION')) || !existsSync(INIT_MAIN)) return;
  await promisify(execFile)(process.execPath, [INIT_MAIN, dataDir], { timeout: INIT_TIMEOUT_MS });
}

export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    private readonly proxy: PostgresAuthProxy,
    private readonly socketDir: string,
    readonly host: string,
    readonly port: number,
    private readonly password: string,
  ) {}

  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    const o = { ...DEFAULTS, ...options };
    const inMemory = o.dataDir.includes('://');
    if (!inMemory) {
      mkdirSync(o.dataDir, { recursive: true });
      await initInChildIfNew(o.dataDir);
    }
    const password = o.password ?? (inMemory ? randomBytes(24).toString('base64url') : ensureEmbeddedPassword(o.dataDir));
    const socketDir = privateSocketDir(inMemory ? null : o.dataDir);
    const innerPath = path.join(socketDir, '.s.PGSQL');
    rmSync(innerPath, { force: true }); // left by a server that was killed
    const db = await PGlite.create({ dataDir: o.dataDir, startParams: [...PGlite.defaultStartParams, ...memorySettings(o.sharedBuffers)] });
    const server = new PGLiteSocketServer({ db, path: innerPath, maxConnections: o.maxConnections });
    const proxy = new PostgresAuthProxy({ host: o.host, port: o.port, innerPath, password, ...(o.onAuthFailure ? { onAuthFailure: o.onAuthFailure } : {}) });
    try {
      await server.start();
      const port = await proxy.listen();
      return new EmbeddedPostgres(db, server, proxy, socketDir, o.host, port, password);
    } catch (err) {
      await server.stop().catch(() => undefined);
      await db.close();
      rmSync(innerPath, { force: true });
      throw err;
    }
  }

  /** What clients connect with: user `postgres` and the password. */
  get url(): string {
    return embeddedPostgresUrl(this.host, this.port, this.password);
  }

  /** Closes client connections, then the database (flushing it to disk). */
  async stop(): Promise<void> {
    await this.proxy.close();
    await this.server.stop();
    await this.db.close();
    rmSync(path.join(this.socketDir, '.s.PGSQL'), { force: true });
    if (path.basename(this.socketDir).startsWith(TEMP_SOCKET_PREFIX)) rmSync(this.socketDir, { recursive: true, force: true });
  }
}
