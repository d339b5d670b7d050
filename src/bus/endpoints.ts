/**
 * Where a publisher binds. On one host: `ipc://<run dir>/<service>-<instance>.ipc`; across
 * hosts: tcp on the service's seed port (its definition says which) for the first instance, any
 * free port for the others and for services without one.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Unix socket paths are limited to 107 bytes; long data dirs fall back to the temp dir. */
const MAX_IPC_PATH = 100;

export function ipcBindAddress(dataDir: string, service: string, instance: string): string {
  const file = `${service}-${instance}.ipc`;
  let dir = path.resolve(dataDir, 'run');
  if (path.join(dir, file).length > MAX_IPC_PATH) dir = path.join(tmpdir(), 'arbees-run');
  mkdirSync(dir, { recursive: true });
  return `ipc://${path.join(dir, file)}`;
}

export function tcpBindAddress(host: string, seedPort: number | undefined, instance: string): string {
  const port = instance === '0' ? seedPort : undefined;
  return `tcp://${host}:${port ?? '*'}`;
}
