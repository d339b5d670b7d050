/**
 * Fuzzing the api's decoders through the real server (fast-check): arbitrary query strings on
 * every list route and arbitrary WebSocket frames never crash it or leak a 5xx; each answer is a
 * 2xx or a 4xx with a stable code, and the server keeps serving. Also `arbees status` against the
 * same Redis.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiHarness, gameInfo, gameState, position, price } from './helpers/api-harness.js';

const h = new ApiHarness();

beforeAll(async () => {
  await h.start();
  await h.seedGame(gameInfo('g1'), gameState('g1'));
  await h.seedPrice(price('kalshi', 'K-g1-HOM', 0.6, 0.63, 'g1'));
  await h.seedOpenPosition(position('kalshi:K-g1-HOM:yes', 'g1'));
}, 60_000);

afterAll(() => h.close());

const ROUTES = ['/api/trades', '/api/signals', '/api/positions', '/api/games', '/api/funnel', '/api/audit', '/api/games/', '/api/markets/kalshi/'];

describe('fuzz', () => {
  it('arbitrary query strings and path ids: 2xx or 4xx with a code, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), fc.string({ maxLength: 60 }), fc.dictionary(fc.constantFrom('limit', 'before', 'status', 'state', 'offset', 'sport', 'window', 'x'), fc.string({ maxLength: 30 })), async (route, id, query) => {
        const qs = new URLSearchParams(query).toString();
        const url = route.endsWith('/') ? `${route}${encodeURIComponent(id)}` : `${route}?${qs}`;
        const r = await h.get(url);
        expect(r.status, url).toBeLessThan(500);
        if (r.status >= 400) expect(r.body.error.code, url).toMatch(/^ARB_API_/);
      }),
      { numRuns: 150 },
    );
    expect((await h.get('/api/health')).status).toBe(200);
  }, 60_000);

  it('arbitrary WebSocket frames get protocol errors or acks, and the api keeps serving', async () => {
    const frames = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.json({ maxDepth: 3 }),
      fc.record({ subscribe: fc.array(fc.string({ maxLength: 20 }), { maxLength: 5 }) }).map((o) => JSON.stringify(o)),
      fc.record({ unsubscribe: fc.anything() }).map((o) => JSON.stringify(o)),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(frames, { minLength: 1, maxLength: 10 }), async (batch) => {
        const ws = h.ws();
        const replies: { kind: string; code?: string }[] = [];
        ws.on('message', (raw) => replies.push(JSON.parse(String(raw)) as { kind: string }));
        await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
        for (const f of batch) ws.send(f);
        ws.send(JSON.stringify({ ping: 1 }));
        await new Promise<void>((resolve) => {
          const done = () => resolve();
          ws.once('close', done);
          const t = setInterval(() => {
            if (replies.some((r) => r.kind === 'pong')) {
              clearInterval(t);
              done();
            }
          }, 5);
        });
        for (const r of replies) expect(['subscribed', 'unsubscribed', 'snapshot', 'pong', 'error', 'event', 'status']).toContain(r.kind);
        for (const r of replies.filter((x) => x.kind === 'error')) expect(r.code).toBe('ARB_API_WS_PROTOCOL');
        ws.terminate();
      }),
      { numRuns: 60 },
    );
    expect((await h.get('/api/health')).status).toBe(200);
  }, 60_000);
});

describe('arbees status', () => {
  const cli = path.resolve('dist/src/cli.js');
  it.skipIf(!existsSync(cli))('prints services, live games, P&L and the controls from the running system', async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [cli, 'status'], { env: { ...process.env, REDIS_URL: h.server.url, ARBEES_DATA_DIR: h.dataDir, ARBEES_API_PORT: String(h.port) } }, (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(stdout))),
    );
    expect(out).toMatch(/kill switch off {2}entries open/);
    expect(out).toMatch(/exposure \$5\.0000 in 1 position/);
    expect(out).toMatch(/services \d+\/\d+ healthy/);
    expect(out).toMatch(/api\.0 +healthy/);
    expect(out).toMatch(/games 1 live of 1 tracked\n {2}NBA AWY 44-50 HOM +P2 +model +62¢ +kalshi +60¢\/ 63¢/);
    expect(out).toContain(`dashboard http://127.0.0.1:${h.port}/`);
  }, 30_000);
});
