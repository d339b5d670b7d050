/**
 * The api's bearer token for controls: ARBEES_API_TOKEN when set, else a random token generated
 * once into `<data dir>/api-token` (mode 0600) and reused. The launcher calls this before it
 * starts the api so it can print the file's path; the api calls it again and gets the same token.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const API_TOKEN_FILE = 'api-token';
const MIN_TOKEN_LENGTH = 16;

export interface ApiToken {
  readonly token: string;
  /** The file it lives in, or null when it came from ARBEES_API_TOKEN. */
  readonly file: string | null;
}

export function apiTokenPath(dataDir: string): string {
  return path.resolve(dataDir, API_TOKEN_FILE);
}

/** The token from the environment, else from the file, else a new one written to the file. */
export function ensureApiToken(dataDir: string, fromEnv = ''): ApiToken {
  if (fromEnv !== '') return { token: fromEnv, file: null };
  const file = apiTokenPath(dataDir);
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing.length >= MIN_TOKEN_LENGTH) {
      chmodSync(file, 0o600);
      return { token: existing, file };
    }
  } catch {
    // absent: generate below
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, token + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return { token, file };
}

/** Constant-time comparison of a presented token with the expected one. */
export function tokenMatches(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
