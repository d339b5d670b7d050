import { chownSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ipcBindAddress } from './endpoints.js';

const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});
const dataDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'arb-ep-'));
  made.push(d);
  return d;
};
const socketDir = (address: string) => path.dirname(address.replace('ipc://', ''));
const modeOf = (dir: string) => statSync(dir).mode & 0o777;

describe('ipc socket folder', () => {
  it('is made readable and writable by this user only', () => {
    const dir = socketDir(ipcBindAddress(dataDir(), 'game_shard', '0'));
    expect(dir.endsWith('/run')).toBe(true);
    expect(modeOf(dir)).toBe(0o700);
  });

  it('is closed to other users when it existed open', () => {
    const d = dataDir();
    mkdirSync(path.join(d, 'run'), { mode: 0o777 });
    const dir = socketDir(ipcBindAddress(d, 'game_shard', '0'));
    expect(modeOf(dir)).toBe(0o700);
  });

  it('falls back to a per-user folder in the temp dir for a data dir too long for a socket path', () => {
    const long = path.join(dataDir(), 'x'.repeat(120));
    const dir = socketDir(ipcBindAddress(long, 'game_shard', '0'));
    expect(dir).toBe(path.join(tmpdir(), `arbees-run-${process.getuid!()}`));
    expect(modeOf(dir)).toBe(0o700);
  });

  it.skipIf(process.getuid?.() !== 0)('refuses a folder another user owns (root only: it needs chown)', () => {
    const d = dataDir();
    mkdirSync(path.join(d, 'run'), { mode: 0o700 });
    chownSync(path.join(d, 'run'), 12345, 12345);
    expect(() => ipcBindAddress(d, 'game_shard', '0')).toThrow(/belongs to another user \(uid 12345\)/);
  });
});
