/**
 * Kalshi request signing: base64(RSA-PSS-SHA256(timestamp_ms + METHOD + path)), salt length =
 * digest length, where path is the full path from the host without the query string. The same
 * three headers authenticate REST calls and the WebSocket upgrade.
 *
 * The private key lives only inside a KeyObject held by KalshiSigner; the signer prints as
 * `KalshiSigner(<key id>)` so a stray log line or JSON dump cannot leak it.
 */
import { constants, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { KalshiHeader } from './common.js';
import { KalshiCredentialsError } from './errors.js';

export type KalshiAuthHeaders = Record<(typeof KalshiHeader)[keyof typeof KalshiHeader], string>;

const PSS = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST } as const;

/** The string Kalshi signs: the query string is never part of it. */
export function signingPayload(timestampMs: string, method: string, path: string): string {
  const q = path.indexOf('?');
  return `${timestampMs}${method.toUpperCase()}${q === -1 ? path : path.slice(0, q)}`;
}

export interface KalshiSignerOptions {
  keyId: string;
  /** PEM text of the RSA private key (PKCS#1 or PKCS#8). */
  privateKeyPem: string;
  /** Clock for the timestamp header, ms since the epoch. */
  now?: () => number;
}

export class KalshiSigner {
  readonly keyId: string;
  readonly #key: KeyObject;
  readonly #now: () => number;

  constructor(options: KalshiSignerOptions) {
    if (!options.keyId) throw new KalshiCredentialsError('the Kalshi key id is empty');
    this.keyId = options.keyId;
    this.#now = options.now ?? Date.now;
    try {
      this.#key = createPrivateKey({ key: options.privateKeyPem, format: 'pem' });
    } catch {
      // The parse error text can quote the PEM; say only what is wrong.
      throw new KalshiCredentialsError(`the private key for Kalshi key ${options.keyId} is not a readable PEM`);
    }
    if (this.#key.asymmetricKeyType !== 'rsa') {
      throw new KalshiCredentialsError(`the private key for Kalshi key ${options.keyId} is not an RSA key`);
    }
  }

  /** Signature of one request, for a given timestamp (exposed for tests and the simulator). */
  signature(timestampMs: string, method: string, path: string): string {
    return sign('sha256', Buffer.from(signingPayload(timestampMs, method, path)), { key: this.#key, ...PSS }).toString('base64');
  }

  /** The three headers for `METHOD path` now; `path` may carry a query, which is not signed. */
  headers(method: string, path: string): KalshiAuthHeaders {
    const ts = String(Math.round(this.#now()));
    return {
      [KalshiHeader.key]: this.keyId,
      [KalshiHeader.timestamp]: ts,
      [KalshiHeader.signature]: this.signature(ts, method, path),
    };
  }

  toString(): string {
    return `KalshiSigner(${this.keyId})`;
  }

  toJSON(): { keyId: string } {
    return { keyId: this.keyId };
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** Verifies a signature against a public key PEM (the simulator's side of the handshake). */
export function verifyKalshiSignature(publicKey: KeyObject | string, timestampMs: string, method: string, path: string, signatureB64: string): boolean {
  try {
    const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
    return verify('sha256', Buffer.from(signingPayload(timestampMs, method, path)), { key, ...PSS }, Buffer.from(signatureB64, 'base64'));
  } catch {
    return false;
  }
}

export interface KalshiCredentialSource {
  keyId?: string | undefined;
  /** PEM text; `\n` escapes (as env files often carry them) are turned into newlines. */
  privateKeyPem?: string | undefined;
  privateKeyPath?: string | undefined;
}

/**
 * A signer from a key id plus the private key as PEM text or a file (the settings behind them are
 * src/runtime/venue-credentials.ts). Returns null when neither is set (read-only mode); throws
 * when half of the pair is missing or the key cannot be read.
 */
export function loadKalshiSigner(source: KalshiCredentialSource): KalshiSigner | null {
  const keyId = source.keyId?.trim();
  const hasKey = Boolean(source.privateKeyPem || source.privateKeyPath);
  if (!keyId && !hasKey) return null;
  if (!keyId) throw new KalshiCredentialsError('a Kalshi private key is set but no key id');
  if (!hasKey) throw new KalshiCredentialsError('a Kalshi key id is set but no private key (PEM text or file)');
  let pem = source.privateKeyPem ?? '';
  if (!pem && source.privateKeyPath) {
    try {
      pem = readFileSync(source.privateKeyPath, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new KalshiCredentialsError(`cannot read the Kalshi private key file ${source.privateKeyPath} (${code})`);
    }
  }
  return new KalshiSigner({ keyId, privateKeyPem: pem.replace(/\\n/g, '\n') });
}
