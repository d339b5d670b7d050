/**
 * The bus key: the secret every service of one system shares to sign the hot-path messages that
 * can move money (`signals.*`), so execution_service trades only on signals a member of the
 * system sent (bus/envelope-signer.ts). ARBEES_BUS_KEY when set (several hosts: give them all the
 * same value); else a random key generated once into `<data dir>/bus-key` (mode 0600) and reused
 * by every service on that data dir. `<data dir>/bus-key.previous` or ARBEES_BUS_KEY_PREVIOUS is
 * still accepted when verifying, so a key can be rotated without a flag day.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BusKey, BusKeys } from '../bus/envelope-signer.js';
import { ConfigError } from '../core/errors.js';

export const BUS_KEY_FILE = 'bus-key';
export const BUS_KEY_PREVIOUS_FILE = 'bus-key.previous';
/** 32 characters of base64url is 192 bits; shorter keys are refused (a typo, not a key). */
export const MIN_BUS_KEY_LENGTH = 32;

/** The key id: 12 hex characters of a domain-separated SHA-256, so it says nothing of the key. */
export function busKeyId(secret: Buffer): string {
  return createHash('sha256').update('arbees-bus-key-id\0').update(secret).digest('hex').slice(0, 12);
}

function toKey(text: string, variable: string): BusKey {
  const trimmed = text.trim();
  if (trimmed.length < MIN_BUS_KEY_LENGTH) throw new ConfigError(variable, `must be at least ${MIN_BUS_KEY_LENGTH} characters`);
  const secret = Buffer.from(trimmed, 'utf8');
  return { id: busKeyId(secret), secret };
}

/** The key texts, for the logger to scrub. */
export function busKeySecrets(keys: BusKeys): string[] {
  return [keys.current, keys.previous].flatMap((k) => (k === null ? [] : [k.secret.toString('utf8')]));
}

export function busKeyPath(dataDir: string): string {
  return path.resolve(dataDir, BUS_KEY_FILE);
}

/**
 * The current key from `fromEnv`, else from the data dir's file, else a new one. Creation is
 * atomic (written to a private temp file, then hard-linked into place, which fails if another
 * process got there first), so services starting together all end up with the same key.
 */
export function ensureBusKey(dataDir: string, fromEnv = '', previousFromEnv = ''): BusKeys {
  const previous = previousFromEnv !== '' ? toKey(previousFromEnv, 'ARBEES_BUS_KEY_PREVIOUS') : readKeyFile(path.resolve(dataDir, BUS_KEY_PREVIOUS_FILE));
  if (fromEnv !== '') return { current: toKey(fromEnv, 'ARBEES_BUS_KEY'), previous, source: 'ARBEES_BUS_KEY' };
  const file = busKeyPath(dataDir);
  const existing = readKeyFile(file);
  if (existing !== null) return { current: existing, previous, source: file };
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, randomBytes(32).toString('base64url') + '\n', { mode: 0o600 });
  try {
    linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(tmp);
  }
  const created = readKeyFile(file);
  if (created === null) throw new ConfigError('ARBEES_BUS_KEY', `unset, and ${file} holds no usable key (at least ${MIN_BUS_KEY_LENGTH} characters)`);
  return { current: created, previous, source: file };
}

/** A key file's key; null when absent. A file too short to be a key is an error, not "absent". */
function readKeyFile(file: string): BusKey | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  chmodSync(file, 0o600);
  return toKey(text, file);
}
