import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KalshiSimVenue } from '../src/sim/kalshi/kalshi-sim-venue.js';
import { KalshiSigner, loadKalshiSigner, signingPayload, verifyKalshiSignature } from '../src/venues/kalshi/auth.js';
import { KalshiAuthError, KalshiCredentialsError } from '../src/venues/kalshi/errors.js';
import { KalshiHttpClient } from '../src/venues/kalshi/http.js';
import { KalshiWsClient } from '../src/venues/kalshi/ws.js';
import { makeKey, startVenue, type TestKey } from './kalshi-helpers.js';

let venue: KalshiSimVenue;
let restUrl: string;
let wsUrl: string;
let key: TestKey;
let stranger: TestKey;

beforeAll(async () => {
  ({ venue, restUrl, wsUrl } = await startVenue());
  key = makeKey('a952bcbe-ec3b-4b5b-b8f9-11dae589608c');
  stranger = makeKey('unregistered-key');
  venue.registerKey(key.keyId, key.publicKeyPem);
});

afterAll(async () => {
  await venue.close();
});

describe('Kalshi request signing', () => {
  it('signs timestamp + METHOD + path without the query string', () => {
    expect(signingPayload('1703123456789', 'get', '/trade-api/v2/portfolio/orders?limit=5')).toBe('1703123456789GET/trade-api/v2/portfolio/orders');
    const h = key.signer.headers('GET', '/trade-api/v2/portfolio/balance?x=1');
    expect(Object.keys(h).sort()).toEqual(['KALSHI-ACCESS-KEY', 'KALSHI-ACCESS-SIGNATURE', 'KALSHI-ACCESS-TIMESTAMP']);
    expect(h['KALSHI-ACCESS-TIMESTAMP']).toMatch(/^\d{13}$/);
    const ok = verifyKalshiSignature(key.publicKeyPem, h['KALSHI-ACCESS-TIMESTAMP'], 'GET', '/trade-api/v2/portfolio/balance', h['KALSHI-ACCESS-SIGNATURE']);
    expect(ok).toBe(true);
  });

  it('a tampered timestamp, method, path or signature does not verify', () => {
    const ts = '1762463011000';
    const sig = key.signer.signature(ts, 'GET', '/trade-api/v2/portfolio/balance');
    const verify = (t: string, m: string, p: string, s: string) => verifyKalshiSignature(key.publicKeyPem, t, m, p, s);
    expect(verify(ts, 'GET', '/trade-api/v2/portfolio/balance', sig)).toBe(true);
    expect(verify('1762463011001', 'GET', '/trade-api/v2/portfolio/balance', sig)).toBe(false);
    expect(verify(ts, 'POST', '/trade-api/v2/portfolio/balance', sig)).toBe(false);
    expect(verify(ts, 'GET', '/trade-api/v2/portfolio/positions', sig)).toBe(false);
    const flipped = Buffer.from(sig, 'base64');
    flipped[10] = flipped[10]! ^ 0xff;
    expect(verify(ts, 'GET', '/trade-api/v2/portfolio/balance', flipped.toString('base64'))).toBe(false);
    expect(verify(ts, 'GET', '/trade-api/v2/portfolio/balance', 'not base64 at all')).toBe(false);
    expect(verifyKalshiSignature(stranger.publicKeyPem, ts, 'GET', '/trade-api/v2/portfolio/balance', sig)).toBe(false);
  });

  it('never shows the private key when printed, inspected or serialised', () => {
    const s = key.signer;
    for (const text of [String(s), JSON.stringify(s), inspect(s), inspect({ nested: s }, { depth: 5 })]) {
      expect(text).not.toContain('PRIVATE KEY');
      expect(text).toContain(key.keyId);
    }
  });

  it('loads credentials from PEM text (with \\n escapes) or a file, and refuses half a pair', () => {
    const escaped = key.privateKeyPem.replace(/\n/g, '\\n');
    expect(loadKalshiSigner({ keyId: key.keyId, privateKeyPem: escaped })?.keyId).toBe(key.keyId);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'kalshi-key-')), 'key.pem');
    writeFileSync(file, key.privateKeyPem, { mode: 0o600 });
    const fromFile = loadKalshiSigner({ keyId: key.keyId, privateKeyPath: file })!;
    const ts = '1762463011000';
    expect(verifyKalshiSignature(key.publicKeyPem, ts, 'GET', '/x', fromFile.signature(ts, 'GET', '/x'))).toBe(true);
    expect(loadKalshiSigner({})).toBeNull();
    expect(() => loadKalshiSigner({ keyId: key.keyId })).toThrow(KalshiCredentialsError);
    expect(() => loadKalshiSigner({ privateKeyPem: key.privateKeyPem })).toThrow(KalshiCredentialsError);
    expect(() => loadKalshiSigner({ keyId: 'k', privateKeyPath: '/nonexistent/key.pem' })).toThrow(/cannot read/);
    try {
      new KalshiSigner({ keyId: 'k', privateKeyPem: '-----BEGIN PRIVATE KEY-----\nMIIsecretmaterial\n-----END PRIVATE KEY-----' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(KalshiCredentialsError);
      expect((err as Error).message).not.toContain('secretmaterial');
    }
  });
});

describe('the simulator checks signatures like Kalshi', () => {
  it('accepts a signed portfolio request and answers 401 to an unknown key', async () => {
    const good = new KalshiHttpClient({ baseUrl: restUrl, signer: key.signer, maxRetries: 0 });
    expect((await good.getBalance()).balanceCc).toBe(100_000_000);
    const bad = new KalshiHttpClient({ baseUrl: restUrl, signer: stranger.signer, maxRetries: 0 });
    await expect(bad.getBalance()).rejects.toBeInstanceOf(KalshiAuthError);
    const unsigned = new KalshiHttpClient({ baseUrl: restUrl, maxRetries: 0 });
    await expect(unsigned.getBalance()).rejects.toBeInstanceOf(KalshiCredentialsError);
  });

  it('answers 401 to a tampered signature, a signature over another path, and a stale timestamp', async () => {
    const url = `${restUrl}/portfolio/balance`;
    const signedPath = '/trade-api/v2/portfolio/balance';
    const h = key.signer.headers('GET', signedPath);
    expect((await fetch(url, { headers: h })).status).toBe(200);
    const sig = Buffer.from(h['KALSHI-ACCESS-SIGNATURE'], 'base64');
    sig[0] = sig[0]! ^ 1;
    expect((await fetch(url, { headers: { ...h, 'KALSHI-ACCESS-SIGNATURE': sig.toString('base64') } })).status).toBe(401);
    const otherPath = key.signer.headers('GET', '/trade-api/v2/portfolio/positions');
    expect((await fetch(url, { headers: otherPath })).status).toBe(401);
    const stale = new KalshiSigner({ keyId: key.keyId, privateKeyPem: key.privateKeyPem, now: () => Date.now() - 5 * 60_000 });
    expect((await fetch(url, { headers: stale.headers('GET', signedPath) })).status).toBe(401);
    const body = (await (await fetch(url)).json()) as { error: { code: string } };
    expect(body.error.code).toBe('authentication_error');
  });

  it('refuses a WebSocket upgrade that is not signed by a registered key', async () => {
    const client = new KalshiWsClient({ url: wsUrl, signer: stranger.signer, reconnectBaseMs: 5_000 });
    const problems: Error[] = [];
    client.on('problem', (e) => problems.push(e));
    void client.start();
    await expect.poll(() => client.stats().handshakeFailures, { timeout: 5_000 }).toBe(1);
    expect(client.connected).toBe(false);
    expect(problems.some((p) => /401/.test(p.message))).toBe(true);
    await client.close();
  });
});
