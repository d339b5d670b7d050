import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { recoverTypedDataAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { apiCredentials, buildL1Headers, buildL2Headers, clobAuthTypedData, l2Signature } from './auth.js';
import { PolymarketAuthError } from './errors.js';

/** The reference snippet of Polymarket's authentication documentation, written out independently of auth.ts. */
const referenceSig = (secret: string, ts: number, method: string, path: string, body?: string) =>
  createHmac('sha256', Buffer.from(secret.replace(/-/g, '+').replace(/_/g, '/'), 'base64'))
    .update(`${ts}${method}${path}${body ?? ''}`)
    .digest('base64')
    .replace(/\+/g, '-')
    .replace(/\//g, '_');

const SECRET = Buffer.from('a fixed test secret, 32 bytes!!!').toString('base64url');
const ADDRESS = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

describe('L2 HMAC headers', () => {
  it('signs timestamp + METHOD + path + body exactly like the reference, URL-safe with padding kept', () => {
    const body = '{"order":{"salt":1},"owner":"k","orderType":"GTC"}';
    const sig = l2Signature(SECRET, 1762463041, 'POST', '/order', body);
    expect(sig).toBe(referenceSig(SECRET, 1762463041, 'POST', '/order', body));
    expect(sig).toMatch(/^[A-Za-z0-9_-]{43}=$/);
  });

  it('agrees with the reference for any secret, time, path and body', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat(), fc.constantFrom('GET', 'POST', 'DELETE'), fc.string(), fc.string(), (key, ts, m, path, body) => {
        const secret = Buffer.from(key).toString('base64url');
        expect(l2Signature(secret, ts, m, path, body)).toBe(referenceSig(secret, ts, m, path, body));
      }),
    );
  });

  it('builds the five POLY_* headers and signs the path without its query string', () => {
    const creds = apiCredentials('key-1', SECRET, 'pass-1');
    const h = buildL2Headers(creds, ADDRESS, { method: 'GET', requestPath: '/data/orders?market=0x1' }, 1700000000);
    expect(h).toEqual({
      POLY_ADDRESS: ADDRESS,
      POLY_SIGNATURE: referenceSig(SECRET, 1700000000, 'GET', '/data/orders'),
      POLY_TIMESTAMP: '1700000000',
      POLY_API_KEY: 'key-1',
      POLY_PASSPHRASE: 'pass-1',
    });
  });

  it('never shows the secret or passphrase in JSON, inspection or a spread copy', () => {
    const creds = apiCredentials('key-1', SECRET, 'pass-phrase-1');
    for (const shown of [JSON.stringify(creds), inspect(creds), JSON.stringify({ ...creds }), String(Object.keys(creds))]) {
      expect(shown).not.toContain(SECRET);
      expect(shown).not.toContain('pass-phrase-1');
    }
    expect(creds.secret).toBe(SECRET);
  });

  it('refuses a secret that is not base64', () => {
    expect(() => apiCredentials('k', 'not base64!', 'p')).toThrow(PolymarketAuthError);
  });
});

describe('L1 ClobAuth headers', () => {
  it('signs the ClobAuth typed data so that it recovers to the wallet', async () => {
    const account = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
    const h = await buildL1Headers(account, 1700000000, 0n);
    expect(h.POLY_ADDRESS).toBe(account.address);
    expect(h.POLY_NONCE).toBe('0');
    const recovered = await recoverTypedDataAddress({
      ...clobAuthTypedData(account.address, 1700000000, 0n),
      signature: h.POLY_SIGNATURE as `0x${string}`,
    });
    expect(recovered).toBe(account.address);
  });
});
