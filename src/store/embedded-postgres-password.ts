/**
 * The embedded Postgres' password: generated once, kept next to its data directory
 * (`<data dir>/pgdata.password`, mode 0600), read by `arbees up` (to hand DATABASE_URL to the
 * services) and by `arbees report`. Apart from embedded-postgres.ts so these readers do not load PGlite.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';

/** Where the password of the database in `dataDir` is kept. */
export function embeddedPasswordPath(dataDir: string): string {
  return `${path.resolve(dataDir)}.password`;
}

/** The stored password of the database in `dataDir`, made (0600, exclusively) when missing. */
export function ensureEmbeddedPassword(dataDir: string): string {
  const file = embeddedPasswordPath(dataDir);
  mkdirSync(path.dirname(file), { recursive: true });
  try {
    const fd = openSync(file, 'wx', 0o600);
    try {
      writeSync(fd, randomBytes(24).toString('base64url'));
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    chmodSync(file, 0o600); // tightened if someone loosened it
  }
  const password = readFileSync(file, 'utf8').trim();
  if (password === '') throw new Error(`${file} is empty; delete it to make a new password`);
  return password;
}

/** A client URL for the embedded database (user postgres). */
export function embeddedPostgresUrl(host: string, port: number, password: string): string {
  return `postgres://postgres:${encodeURIComponent(password)}@${host}:${port}/postgres`;
}

