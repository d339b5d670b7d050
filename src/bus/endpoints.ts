/**
 * Where a publisher binds. On one host: `ipc://<run dir>/<service>-<instance>.ipc`; across
 * hosts: tcp on the seed's port for the first instance, any free port for the others.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const SEED_PORTS: Readonly<Record<string, number>> = Object.freeze({
  kalshi_monitor: 5555,
  polymarket_monitor: 5556,
  orchestrator: 5557,
  game_shard: 5558,
  execution_service: 5559,
  position_tracker: 5560,
});

/** Unix socket paths are limited to 107 bytes; long data dirs fall back to the temp dir. */
const MAX_IPC_PATH = 100;

export function ipcBindAddress(dataDir: string, service: string, instance: string): string {
  const file = `${service}-${instance}.ipc`;
  let dir = path.resolve(dataDir, 'run');
  if (path.join(dir, file).length > MAX_IPC_PATH) dir = path.join(tmpdir(), 'arbees-run');
  mkdirSync(dir, { recursive: true });
  return `ipc://${path.join(dir, file)}`;
}

export function tcpBindAddress(host: string, service: string, instance: string): string {
  const port = instance === '0' ? SEED_PORTS[service] : undefined;
  return `tcp://${host}:${port ?? '*'}`;
}
