import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { Writable } from 'node:stream';
import { busKeyId, busKeyPath, busKeySecrets, ensureBusKey } from './bus-key.js';
import { createLogger } from './logger.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'arb-buskey-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('bus key', () => {
  it('is generated once into <data dir>/bus-key with mode 0600 and reused', () => {
    const dir = path.join(tempDir(), 'nested');
    const first = ensureBusKey(dir);
    const file = busKeyPath(dir);
    expect(first.source).toBe(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first.current.secret.length).toBeGreaterThanOrEqual(32);
    expect(first.current.id).toMatch(/^[0-9a-f]{12}$/);
    expect(first.previous).toBeNull();
    const again = ensureBusKey(dir);
    expect(again.current.id).toBe(first.current.id);
    expect(again.current.secret.equals(first.current.secret)).toBe(true);
    // No temp file left behind.
    expect(readdirSync(dir)).toEqual(['bus-key']);
  });

  it('ARBEES_BUS_KEY wins over the file, must be 32+ characters, and its id does not reveal it', () => {
    const dir = tempDir();
    const secret = 'k'.repeat(40);
    const keys = ensureBusKey(dir, secret);
    expect(keys.source).toBe('ARBEES_BUS_KEY');
    expect(keys.current.id).toBe(busKeyId(Buffer.from(secret)));
    expect(keys.current.id).not.toContain('kkk');
    expect(readdirSync(dir)).toEqual([]);
    const err = (() => {
      try {
        ensureBusKey(dir, 'short');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe('ARBEES_BUS_KEY');
    expect((err as Error).message).not.toContain('short');
  });

  it('accepts a previous key from the env or bus-key.previous (rotation); a too-short key file is an error, not replaced', () => {
    const dir = tempDir();
    const old = ensureBusKey(dir);
    writeFileSync(path.join(dir, 'bus-key.previous'), readFileSync(busKeyPath(dir)));
    rmSync(busKeyPath(dir));
    const rotated = ensureBusKey(dir);
    expect(rotated.current.id).not.toBe(old.current.id);
    expect(rotated.previous?.id).toBe(old.current.id);
    expect(ensureBusKey(tempDir(), '', 'p'.repeat(32)).previous?.id).toBe(busKeyId(Buffer.from('p'.repeat(32))));
    const bad = tempDir();
    writeFileSync(busKeyPath(bad), 'abc\n');
    expect(() => ensureBusKey(bad)).toThrow(ConfigError);
    expect(readFileSync(busKeyPath(bad), 'utf8')).toBe('abc\n');
  });

  it('processes starting together on one data dir all get the same key (real processes racing)', async () => {
    const dir = tempDir();
    const script = path.join(tempDir(), 'ensure.mjs');
    buildSync({
      stdin: { contents: `import { ensureBusKey } from ${JSON.stringify(path.join(path.dirname(fileURLToPath(import.meta.url)), 'bus-key.ts'))}; process.stdout.write(ensureBusKey(process.argv[2]).current.id);`, resolveDir: process.cwd(), loader: 'ts' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: script,
      logLevel: 'silent',
    });
    const run = () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, [script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
      });
    const ids = await Promise.all(Array.from({ length: 8 }, run));
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toBe(ensureBusKey(dir).current.id);
  }, 30_000);
});

describe('bus keys in logs', () => {
  it('a key read from its file (in no variable) is scrubbed from log lines like a secret variable', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'arb-bk-log-'));
    try {
      const keys = ensureBusKey(dir);
      const text = readFileSync(busKeyPath(dir), 'utf8').trim();
      expect(busKeySecrets(keys)).toEqual([text]);
      const lines: string[] = [];
      const destination = new Writable({ write: (chunk: Buffer, _enc, done) => void (lines.push(chunk.toString()), done()) });
      const log = createLogger({ name: 't', secrets: busKeySecrets(keys), destination });
      log.info({ detail: `key=${text}` }, `the key is ${text}`);
      expect(lines.join('')).not.toContain(text);
      expect(lines.join('')).toContain('[redacted]');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
