/**
 * An embedded PostgreSQL for a machine without one: PGlite (Postgres compiled to WASM) with its
 * data in a directory, served on a loopback TCP port by PGLiteSocketServer, so every service
 * talks to it through `pg` with a plain DATABASE_URL, exactly as to a real server.
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

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
}

const DEFAULTS = { host: '127.0.0.1', port: 0, maxConnections: 32 } as const;

export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    readonly host: string,
    readonly port: number,
  ) {}

  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    const o = { ...DEFAULTS, ...options };
    if (!o.dataDir.includes('://')) mkdirSync(o.dataDir, { recursive: true });
    const db = await PGlite.create({ dataDir: o.dataDir });
    const server = new PGLiteSocketServer({ db, host: o.host, port: o.port, maxConnections: o.maxConnections });
    try {
      await server.start();
    } catch (err) {
      await db.close();
      throw err;
    }
    const port = Number(server.getServerConn().split(':').pop());
    return new EmbeddedPostgres(db, server, o.host, port);
  }

  /** What clients connect with (PGlite ignores the password; the user is `postgres`). */
  get url(): string {
    return `postgres://postgres@${this.host}:${this.port}/postgres`;
  }

  /** Closes client connections, then the database (flushing it to disk). */
  async stop(): Promise<void> {
    await this.server.stop();
    await this.db.close();
  }
}
