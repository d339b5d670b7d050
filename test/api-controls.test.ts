/**
 * The api's controls: without the right bearer token every mutation is 401 and changes nothing
 * (and is audited); with it, the kill switch and reduce-only keys execution_service obeys are set,
 * flatten / flatten-game / close-all publish manual exit signals on the hot path (heard here by a
 * real ZMQ subscriber), bodies are validated and size-limited, requests rate limited, and every
 * request lands in audit:api with who / what / when / result.
 */
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawEnvelope } from '../src/core/envelope.js';
import type { ExitSignal } from '../src/core/messages.js';
import { SlowKey } from '../src/core/slow-keys.js';
import { ensureApiToken } from '../src/runtime/api-token.js';
import { eventually } from './helpers/redis.js';
import WebSocket from 'ws';
import { ApiHarness, position, price, TOKEN } from './helpers/api-harness.js';

const h = new ApiHarness();
const exits: ExitSignal[] = [];

beforeAll(async () => {
  await h.start({ ARBEES_API_CONTROL_RATE: '1000', ARBEES_API_BODY_LIMIT: '1024' });
  await h.listenToApi('signals.exit.', (_t: string, env: RawEnvelope) => void exits.push(env.data as ExitSignal));
  await h.seedOpenPosition(position('kalshi:K-g1-HOM:yes', 'g1'));
  await h.seedOpenPosition(position('kalshi:K-g1-AWY:no', 'g1', { market_id: 'K-g1-AWY', side: 'no', mark_yes_price: 0.4 }));
  await h.seedOpenPosition(position('kalshi:K-g9-HOM:yes', 'g9', { mark_yes_price: null }));
  await h.seedPrice(price('kalshi', 'K-g1-HOM', 0.6, 0.62, 'g1'));
}, 60_000);

afterAll(() => h.close());

const auditEntries = async () => (await h.get('/api/audit?limit=500')).body.items as { who: string; action: string; result: string; detail: string; ts: number; params: string }[];

describe('authentication', () => {
  const routes: [string, unknown][] = [
    ['/api/control/kill-switch', { on: true }],
    ['/api/control/entries', { paused: true }],
    ['/api/control/flatten', { position_id: 'kalshi:K-g1-HOM:yes' }],
    ['/api/control/flatten-game', { game_id: 'g1' }],
    ['/api/control/close-all', { confirm: true }],
  ];
  it.each(routes)('%s: 401 without or with a wrong token, nothing changes, the attempt is audited', async (route, body) => {
    const before = (await auditEntries()).length;
    for (const token of [null, 'wrong-token', '']) {
      const r = await h.post(route, body, token);
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('ARB_API_UNAUTHORIZED');
    }
    expect(await h.redis.get(SlowKey.killSwitch)).toBeNull();
    expect(await h.redis.get(SlowKey.entriesPaused)).toBeNull();
    const after = await auditEntries();
    expect(after.length).toBe(before + 3);
    expect(after[0]).toMatchObject({ result: 'unauthorized', action: route });
    expect(after[0]!.who).toMatch(/^anonymous@127\.0\.0\.1/);
    await new Promise((r) => setTimeout(r, 200));
    expect(exits).toHaveLength(0);
  });

  it('the generated token file is mode 0600 and reused', () => {
    const first = ensureApiToken(h.dataDir);
    expect(statSync(first.file!).mode & 0o777).toBe(0o600);
    expect(first.token.length).toBeGreaterThanOrEqual(16);
    expect(ensureApiToken(h.dataDir).token).toBe(first.token);
  });
});

describe('controls with the token', () => {
  it('kill switch: sets control:kill_switch on and off, audited with who/what/when/result', async () => {
    const on = await h.post('/api/control/kill-switch', { on: true, reason: 'test halt' });
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({ ok: true, action: 'kill-switch', state: { kill_switch: true } });
    expect(await h.redis.get(SlowKey.killSwitch)).toMatch(/^on: test halt by token@127\.0\.0\.1/);
    const entry = (await auditEntries()).find((e) => e.action === 'kill-switch' && e.result === 'ok')!;
    expect(entry).toMatchObject({ who: expect.stringMatching(/^token@/), params: JSON.stringify({ on: true, reason: 'test halt' }) });
    expect(Math.abs(entry.ts - Date.now())).toBeLessThan(60_000);
    expect(on.body.audit_id).toMatch(/^\d+-\d+$/);
    expect((await h.get('/api/control/state')).body.kill_switch).toBe(true);
    await h.post('/api/control/kill-switch', { on: false });
    expect(await h.redis.get(SlowKey.killSwitch)).toBe('off');
    expect((await h.get('/api/account')).body.control.kill_switch).toBe(false);
  });

  it('entries: pause (reduce-only) and resume', async () => {
    expect((await h.post('/api/control/entries', { paused: true })).body.state.entries_paused).toBe(true);
    expect(await h.redis.get(SlowKey.entriesPaused)).toMatch(/^on: /);
    expect((await h.post('/api/control/entries', { paused: false })).body.state.entries_paused).toBe(false);
    expect(await h.redis.get(SlowKey.entriesPaused)).toBe('off');
  });

  it('flatten: one manual exit signal at the best bid less slippage; unknown position is 404', async () => {
    exits.length = 0;
    const r = await h.post('/api/control/flatten', { position_id: 'kalshi:K-g1-HOM:yes' });
    expect(r.status).toBe(200);
    expect(r.body.exits).toHaveLength(1);
    await eventually(() => exits.length === 1, 3_000, 'exit heard on the hot path');
    expect(exits[0]).toMatchObject({ position_id: 'kalshi:K-g1-HOM:yes', venue: 'kalshi', market_id: 'K-g1-HOM', side: 'yes', contracts: 10, reason: 'manual', yes_price: 0.58 });
    expect(exits[0]!.expires_ts).toBeGreaterThan(exits[0]!.created_ts);
    const missing = await h.post('/api/control/flatten', { position_id: 'nope' });
    expect(missing.status).toBe(404);
    expect((await auditEntries())[0]).toMatchObject({ action: 'flatten', result: 'refused' });
  });

  it('flatten-game: every open position of the game (a NO position sells up to its mark + slippage)', async () => {
    exits.length = 0;
    const r = await h.post('/api/control/flatten-game', { game_id: 'g1' });
    expect(r.body.exits).toHaveLength(2);
    await eventually(() => exits.length === 2, 3_000, 'two exits');
    expect(exits.find((e) => e.side === 'no')).toMatchObject({ market_id: 'K-g1-AWY', yes_price: 0.42 });
  });

  it('close-all: exits for every position with a price, reports the one without, pauses entries', async () => {
    exits.length = 0;
    const r = await h.post('/api/control/close-all', { confirm: true });
    expect(r.status).toBe(200);
    expect(r.body.exits).toHaveLength(2);
    expect(r.body.detail).toMatch(/skipped kalshi:K-g9-HOM:yes: no price to sell at/);
    expect(r.body.state.entries_paused).toBe(true);
    await eventually(() => exits.length === 2, 3_000, 'two exits');
    await h.post('/api/control/entries', { paused: false });
  });
});

describe('bad control input', () => {
  const cases: [string, unknown, string?][] = [
    ['/api/control/kill-switch', { on: 'yes' }],
    ['/api/control/kill-switch', {}],
    ['/api/control/kill-switch', { on: true, extra: 1 }],
    ['/api/control/entries', { paused: 1 }],
    ['/api/control/flatten', { position_id: 'a b' }],
    ['/api/control/close-all', {}],
    ['/api/control/close-all', { confirm: false }],
    ['/api/control/kill-switch', null, '{"on": tru'],
    ['/api/control/kill-switch', null, '[1,2,3]'],
  ];
  it.each(cases)('%s %j -> 400, nothing changes', async (route, body, raw) => {
    const r = await h.post(route, body, undefined, raw);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('ARB_API_BAD_REQUEST');
    expect(await h.redis.get(SlowKey.killSwitch)).toBe('off');
  });

  it('an oversize body is 413 ARB_API_BODY_TOO_LARGE', async () => {
    const r = await h.post('/api/control/kill-switch', { on: true, reason: 'x'.repeat(5_000) });
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('ARB_API_BODY_TOO_LARGE');
    expect(h.api.ctx.metrics.get('http_errors.ARB_API_BODY_TOO_LARGE')).toBeGreaterThanOrEqual(1);
    expect(await h.redis.get(SlowKey.killSwitch)).toBe('off');
  });
});

describe('rate limit', () => {
  const r2 = new ApiHarness();
  beforeAll(() => r2.start({ ARBEES_API_CONTROL_RATE: '3' }), 60_000);
  afterAll(() => r2.close());

  it('the 4th control request within a minute is 429 ARB_API_RATE_LIMITED and changes nothing', async () => {
    for (let i = 0; i < 3; i++) expect((await r2.post('/api/control/entries', { paused: i % 2 === 0 })).status).toBe(200);
    expect(await r2.redis.get(SlowKey.entriesPaused)).toMatch(/^on/);
    const limited = await r2.post('/api/control/entries', { paused: false });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('ARB_API_RATE_LIMITED');
    expect(await r2.redis.get(SlowKey.entriesPaused)).toMatch(/^on/);
    expect((await r2.get('/api/health')).status).toBe(200); // reads are not limited
  });
});

describe('reads beyond loopback', () => {
  const r3 = new ApiHarness();
  beforeAll(() => r3.start({ ARBEES_API_READS_NEED_TOKEN: 'true' }), 60_000);
  afterAll(() => r3.close());

  it('with reads guarded (the default off loopback), REST and /ws need the token; the page itself stays open', async () => {
    const denied = await r3.get('/api/account');
    expect(denied.status).toBe(401);
    expect(denied.body.error.code).toBe('ARB_API_UNAUTHORIZED');
    const ok = await fetch(`${r3.base}/api/account`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect((await fetch(`${r3.base}/`)).status).not.toBe(401);
    const noToken = r3.ws();
    const code = await new Promise<number | string>((resolve) => {
      noToken.once('unexpected-response', (req, res) => {
        req.destroy();
        resolve(res.statusCode ?? 0);
      });
      noToken.once('error', () => {});
      noToken.once('open', () => resolve('open'));
    });
    expect(code).toBe(401);
    const withToken = new WebSocket(`ws://127.0.0.1:${r3.port}/ws?token=${TOKEN}`);
    await new Promise((resolve, reject) => withToken.once('open', resolve).once('error', reject));
    withToken.close();
  });
});
