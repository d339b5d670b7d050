/**
 * Where a publisher binds. On one host: `ipc://<run dir>/<service>-<instance>.ipc`; across
 * hosts: tcp on the service's seed port (its definition says which) for the first instance, any
 * free port for the others and for services without one.
 */
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '../core/errors.js';

/** Unix socket paths are limited to 107 bytes; long data dirs fall back to the temp dir. */
const MAX_IPC_PATH = 100;

export function ipcBindAddress(dataDir: string, service: string, instance: string): string {
  const file = `${service}-${instance}.ipc`;
  let dir = path.resolve(dataDir, 'run');
  // The temp dir is shared by every user: one folder per user, never one someone else made.
  if (path.join(dir, file).length > MAX_IPC_PATH) dir = path.join(tmpdir(), `arbees-run-${process.getuid?.() ?? 'user'}`);
  return `ipc://${path.join(privateRunDir(dir), file)}`;
}

/**
 * The folder of the hot-path sockets, readable and writable by this user only: whoever can
 * connect to a socket hears every signal, and whoever owns the folder could put a socket of
 * their own in its place.
 */
function privateRunDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const uid = process.getuid?.();
  const st = statSync(dir);
  if (uid !== undefined && st.uid !== uid) {
    throw new ConfigError('ARBEES_DATA_DIR', `gives the socket folder ${dir}, which belongs to another user (uid ${st.uid}); refusing to bind there`);
  }
  if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
  return dir;
}

export function tcpBindAddress(host: string, seedPort: number | undefined, instance: string): string {
  const port = instance === '0' ? seedPort : undefined;
  return `tcp://${host}:${port ?? '*'}`;
}
