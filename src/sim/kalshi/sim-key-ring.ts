/**
 * Registered API keys of the simulator and the check of a signed request, exactly as Kalshi
 * does it: key id known, timestamp fresh, RSA-PSS signature over timestamp + METHOD + path.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { verifyKalshiSignature } from '../../venues/kalshi/auth.js';

export type AuthOutcome = { ok: true; keyId: string } | { ok: false; reason: string };

export class SimKeyRing {
  readonly #keys = new Map<string, KeyObject>();
  readonly #maxSkewMs: number;
  readonly #now: () => number;

  constructor(maxSkewMs: number, now: () => number) {
    this.#maxSkewMs = maxSkewMs;
    this.#now = now;
  }

  register(keyId: string, publicKeyPem: string): void {
    if (!keyId) throw new RangeError('key id must not be empty');
    const key = createPublicKey(publicKeyPem);
    if (key.asymmetricKeyType !== 'rsa') throw new RangeError('Kalshi API keys are RSA keys');
    this.#keys.set(keyId, key);
  }

  has(keyId: string): boolean {
    return this.#keys.has(keyId);
  }

  /** `path` is the request path; its query string is ignored, as Kalshi's signature ignores it. */
  verify(headers: IncomingHttpHeaders, method: string, path: string): AuthOutcome {
    const keyId = header(headers, 'kalshi-access-key');
    const ts = header(headers, 'kalshi-access-timestamp');
    const sig = header(headers, 'kalshi-access-signature');
    if (!keyId || !ts || !sig) return { ok: false, reason: 'missing authentication headers' };
    const key = this.#keys.get(keyId);
    if (!key) return { ok: false, reason: 'unknown API key' };
    if (!/^\d{1,16}$/.test(ts)) return { ok: false, reason: 'malformed timestamp' };
    if (Math.abs(this.#now() - Number(ts)) > this.#maxSkewMs) return { ok: false, reason: 'timestamp outside the allowed window' };
    if (!verifyKalshiSignature(key, ts, method, path, sig)) return { ok: false, reason: 'invalid signature' };
    return { ok: true, keyId };
  }
}

function header(headers: IncomingHttpHeaders, name: string): string | null {
  const v = headers[name];
  if (Array.isArray(v)) return v[0] ?? null;
  return typeof v === 'string' && v.length > 0 ? v : null;
}
