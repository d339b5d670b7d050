import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JsonHttpClient, retryAfterMs, type JsonHttpErrors } from './json-http-client.js';

class TestHttpError extends Error {
  constructor(readonly kind: string, readonly status: number | null = null) {
    super(kind);
  }
}

const ERRORS: JsonHttpErrors = {
  timeout: () => new TestHttpError('timeout'),
  network: () => new TestHttpError('network'),
  status: (_req, status) => new TestHttpError('status', status),
  badBody: () => new TestHttpError('badBody'),
};

/** Per path: the answers to give in order (the last one repeats); 'hang' never answers. */
type Answer = { status: number; body?: string; headers?: Record<string, string> } | 'hang';
let script = new Map<string, Answer[]>();
const hits: { path: string; at: number; headers: IncomingMessage['headers'] }[] = [];
let server: Server;
let baseUrl: string;

function answer(req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  hits.push({ path, at: Date.now(), headers: req.headers });
  const answers = script.get(path) ?? [{ status: 404 }];
  const next = answers.length > 1 ? answers.shift()! : answers[0]!;
  if (next === 'hang') return;
  res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers }).end(next.body ?? '{}');
}

function client(overrides: Partial<ConstructorParameters<typeof JsonHttpClient>[0]> = {}): JsonHttpClient {
  return new JsonHttpClient({ baseUrl, timeoutMs: 300, retry: { maxRetries: 3, policy: { baseMs: 10, maxMs: 40 } }, errors: ERRORS, ...overrides });
}

beforeAll(async () => {
  server = createServer(answer);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});
beforeEach(() => {
  script = new Map();
  hits.length = 0;
});

describe('JsonHttpClient', () => {
  it('retries an idempotent request after 5xx and 429, then returns the decoded body', async () => {
    script.set('/api/x', [{ status: 503 }, { status: 429 }, { status: 200, body: '{"ok":true}' }]);
    const c = client();
    expect(await c.request({ method: 'GET', path: '/x', query: { a: 1, b: ['p', 'q'], skip: undefined }, idempotent: true })).toEqual({ ok: true });
    expect(hits.map((h) => h.path)).toEqual(['/api/x', '/api/x', '/api/x']);
    expect(c.stats()).toMatchObject({ requests: 3, retries: 2, httpErrors: 2, rateLimited: 1 });
  });

  it('never retries a request that is not idempotent, nor a 4xx', async () => {
    script.set('/api/order', [{ status: 503 }]);
    script.set('/api/gone', [{ status: 404 }]);
    const c = client();
    await expect(c.request({ method: 'POST', path: '/order', body: { n: 1 }, idempotent: false })).rejects.toMatchObject({ kind: 'status', status: 503 });
    await expect(c.request({ method: 'GET', path: '/gone', idempotent: true })).rejects.toMatchObject({ kind: 'status', status: 404 });
    expect(hits).toHaveLength(2);
  });

  it('gives up after maxRetries with the venue error of the last attempt', async () => {
    script.set('/api/down', [{ status: 500 }]);
    await expect(client().request({ method: 'GET', path: '/down', idempotent: true })).rejects.toMatchObject({ status: 500 });
    expect(hits).toHaveLength(4);
  });

  it('times out an attempt that never answers, and retries it', async () => {
    script.set('/api/hang', ['hang']);
    const c = client({ timeoutMs: 100, retry: { maxRetries: 1, policy: { baseMs: 5, maxMs: 5 } } });
    const t0 = Date.now();
    await expect(c.request({ method: 'GET', path: '/hang', idempotent: true })).rejects.toMatchObject({ kind: 'timeout' });
    expect(Date.now() - t0).toBeLessThan(1_500);
    expect(c.stats()).toMatchObject({ timeouts: 2, retries: 1 });
  });

  it('waits at least as long as Retry-After before the next attempt', async () => {
    script.set('/api/slow', [{ status: 429, headers: { 'retry-after': '1' } }, { status: 200, body: '[]' }]);
    expect(await client().request({ method: 'GET', path: '/slow', idempotent: true })).toEqual([]);
    expect(hits[1]!.at - hits[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('does not wait for a Retry-After beyond maxRetryAfterMs', async () => {
    script.set('/api/later', [{ status: 503, headers: { 'retry-after': '3600' } }]);
    const c = client({ retry: { maxRetries: 3, policy: { baseMs: 10, maxMs: 40 }, maxRetryAfterMs: 5_000 } });
    await expect(c.request({ method: 'GET', path: '/later', idempotent: true })).rejects.toMatchObject({ status: 503 });
    expect(hits).toHaveLength(1);
  });

  it('maps a refused connection to the network error and a non-JSON body to badBody', async () => {
    const closed = new JsonHttpClient({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 500, retry: { maxRetries: 0, policy: { baseMs: 1, maxMs: 1 } }, errors: ERRORS });
    await expect(closed.request({ method: 'GET', path: '/', idempotent: true })).rejects.toMatchObject({ kind: 'network' });
    script.set('/api/html', [{ status: 200, body: '<html>' }]);
    await expect(client().request({ method: 'GET', path: '/html', idempotent: true })).rejects.toMatchObject({ kind: 'badBody' });
  });

  it('paces every attempt and signs over the exact body', async () => {
    script.set('/api/signed', [{ status: 502 }, { status: 200 }]);
    let paced = 0;
    await client().request({
      method: 'POST',
      path: '/signed',
      body: { a: 1 },
      idempotent: true,
      pace: async () => void paced++,
      headers: (body) => ({ 'x-signature': `sig(${body})` }),
    });
    expect(paced).toBe(2);
    expect(hits[1]!.headers['x-signature']).toBe('sig({"a":1})');
  });
});

describe('retryAfterMs', () => {
  it('reads delta-seconds and HTTP dates, and ignores junk', () => {
    expect(retryAfterMs('2')).toBe(2_000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(retryAfterMs('soon')).toBe(0);
    expect(retryAfterMs(null)).toBe(0);
  });
});
