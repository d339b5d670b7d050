/**
 * notification_service as it runs: the service on the real hot path (ZMQ, registry discovery)
 * turning each kind of message, the kill switch and a blocked market into alerts at a local
 * webhook; the outbox across a kill -9 of the real process in the middle of a burst (every
 * accepted alert delivered after the restart, under its stable id); `arbees notify test`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Topic } from '../src/core/topics.js';
import { streamEntryFields } from '../src/bus/slow-track.js';
import { nowMicros } from '../src/core/time.js';
import { startService, type RunningService } from '../src/runtime/service.js';
import { notificationService } from '../src/services/notification-service/notification-service.js';
import { NotifyReceiver } from '../src/sim/notify/notify-receiver.js';
import { eventually } from './helpers/redis.js';
import { baseServiceEnv } from './helpers/service-env.js';
import { NotifyHarness, NotifySource, tradeFilled, uid } from './notify-harness.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist/src/cli.js');

let h: NotifyHarness | undefined;
let src: NotifySource | null = null;
let rx: NotifyReceiver;
let running: RunningService | null = null;
const children: ChildProcess[] = [];

beforeAll(() => {
  // The kill -9 and CLI tests run the built CLI: `npm test` builds first (pretest); a direct run needs `npm run build`.
  if (!existsSync(path.join(ROOT, 'dist/src/services/notification-service/notification-service.js'))) throw new Error('run npm run build first');
});

afterEach(async () => {
  for (const c of children.splice(0)) await kill9(c);
  await running?.stop();
  running = null;
  await src?.close();
  src = null;
  await rx?.close();
  await h?.stop();
  h = undefined;
});

/** The CLI run asynchronously: this process must stay free to answer as the receiver. */
function runCli(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.on('exit', (status) => resolve({ status, stdout }));
  });
}

async function kill9(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

const bodies = () => rx.accepted().map((r) => r.body!);
const withoutProbes = () => bodies().filter((b) => !String(b.message).includes('probe'));

describe('notification_service on the hot path', () => {
  it('high edge, trade, exit, settlement, health, kill switch and a blocked market each reach the webhook, saying PAPER or LIVE', async () => {
    h = new NotifyHarness();
    rx = await new NotifyReceiver().start();
    src = await new NotifySource(h!.redis).start();
    const env = baseServiceEnv({ ...h!.env({ NOTIFY_WEBHOOK_URL: `${rx.url}/hook` }), NOTIFY_SOURCE_SERVICES: src.service, ARBEES_INSTANCE: `n${uid()}` });
    running = await startService(notificationService, env);
    await src.joined(() => rx.accepted().length > 0);
    const t = nowMicros();
    src.publish(Topic.highEdgeSignal('s1'), 'high_edge_signal', {
      signal_id: 's1', kind: 'arbitrage', game_id: 'g1', sport: 'nba', model_prob: null, net_edge: 0.04, gross_edge: 0.05, confidence: 1, reason: 'arb', created_ts: t, expires_ts: t + 1e6,
      legs: [{ venue: 'kalshi', market_id: 'M1', team: 'BOS', side: 'yes', action: 'buy', yes_price: 0.45, contracts: 5, fee_cc: 900 }],
    });
    src.publish(Topic.tradeCompleted('t1'), 'trade_completed', tradeFilled('t1', 'live'));
    src.publish(Topic.exitSignal('p1'), 'exit_signal', { exit_id: 'x1', position_id: 'p1', game_id: 'g1', venue: 'kalshi', market_id: 'M1', side: 'yes', contracts: 5, yes_price: 0.7, reason: 'take_profit', created_ts: t, expires_ts: t + 1e6 });
    src.publish(Topic.position('p1'), 'position', {
      position_id: 'p1', game_id: 'g1', sport: 'nba', venue: 'kalshi', market_id: 'M1', team: 'BOS', side: 'yes', state: 'settled', contracts: 5, avg_yes_price: 0.45, mark_yes_price: 1,
      cost_cc: 22_500, fees_cc: 900, realized_pnl_cc: 26_600, unrealized_pnl_cc: 0, opened_ts: t, updated_ts: t,
    });
    src.publish(Topic.health('game_shard', '1'), 'health_alert', { alert_id: `a${uid()}`, service: 'game_shard', instance: '1', severity: 'critical', kind: 'dead', message: 'no heartbeat for 6 s', ts: t });
    await h!.redis.set(h!.keys.killSwitch, 'manual halt: venue outage');
    await h!.redis.hset(h!.keys.execBlocked, 'kalshi:M1', 'order o9 timed out');
    const want = ['high_edge', 'trade', 'exit', 'settlement', 'service_down', 'kill_switch', 'exec_blocked'];
    await eventually(() => want.every((type) => withoutProbes().some((b) => b.type === type || (b.events as { type: string }[]).some((e) => e.type === type))), 10_000, 'every kind of alert');
    const lines = withoutProbes().flatMap((b) => (b.events as { type: string; message: string }[]).map((e) => `${e.type} ${e.message}`));
    expect(lines).toContain('trade [LIVE] Trade filled: BUY 10 YES kalshi KXNBA-BOS @ 0.55, fees $0.17 (nba g1)');
    expect(lines).toContain('settlement [PAPER] Settled nba g1: YES BOS kalshi M1, P&L +$2.66 (fees $0.09)');
    expect(lines).toContain('kill_switch [PAPER] KILL SWITCH ON: trading halted (manual halt: venue outage)');
    expect(lines.find((l) => l.startsWith('exec_blocked'))).toContain('EXECUTION BLOCKED on kalshi:M1: order o9 timed out');
    expect(lines.find((l) => l.startsWith('service_down'))).toBe('service_down [PAPER] SERVICE DOWN game_shard.1: no heartbeat for 6 s');
    // Off again: one more critical alert; the blocked market is not repeated.
    await h!.redis.set(h!.keys.killSwitch, 'off');
    await eventually(() => lines.length >= 0 && withoutProbes().some((b) => String(b.message).includes('Kill switch off')), 5_000, 'kill switch off');
    await new Promise((r) => setTimeout(r, 300));
    const blocked = withoutProbes().flatMap((b) => b.events as { type: string }[]).filter((e) => e.type === 'exec_blocked');
    expect(blocked.length).toBe(1);
    const metrics = running.ctx.metrics.snapshot();
    expect(metrics['notify.accepted']).toBeGreaterThanOrEqual(8);
    expect(metrics['notify.webhook.delivered']).toBeGreaterThanOrEqual(1);
  }, 30_000);
});

describe('a misconfigured channel', () => {
  it('is switched off, logged and counted; the service runs degraded and says so through the working channels', async () => {
    h = new NotifyHarness();
    rx = await new NotifyReceiver().start();
    const env = baseServiceEnv({ ...h!.env({ NOTIFY_WEBHOOK_URL: `${rx.url}/hook`, TELEGRAM_BOT_TOKEN: '999:secret-token-abc' }), NOTIFY_SOURCE_SERVICES: `nobody_${uid()}`, ARBEES_INSTANCE: `m${uid()}` });
    running = await startService(notificationService, env);
    await eventually(() => rx.accepted().length === 1, 5_000, 'the notice');
    expect(rx.accepted()[0]!.body!.message).toBe('[PAPER] Notification channel telegram is off: TELEGRAM_CHAT_ID is required when TELEGRAM_BOT_TOKEN is set');
    expect(running.ctx.metrics.get('notify.channels_misconfigured')).toBe(1);
    await eventually(async () => JSON.parse((await h!.redis.get(`registry:notification_service:${env.ARBEES_INSTANCE}`)) ?? '{}').status === 'degraded', 3_000, 'degraded in the registry');
    expect(JSON.stringify(rx.accepted()[0]!.body)).not.toContain('secret-token');
    // Once a day per problem, not on every restart.
    await running.stop();
    running = await startService(notificationService, env);
    await new Promise((r) => setTimeout(r, 300));
    expect(rx.accepted().length).toBe(1);
  }, 20_000);
});

describe('the outbox across a kill -9 of the real process', () => {
  it('a burst accepted before the kill is delivered after the restart: none lost, each under one id', async () => {
    h = new NotifyHarness();
    rx = await new NotifyReceiver().start();
    rx.slowDown(4); // so the kill lands mid-burst
    src = await new NotifySource(h!.redis).start();
    const instance = `k${uid()}`;
    const env = {
      PATH: process.env.PATH ?? '',
      ...baseServiceEnv({ ...h!.env({ NOTIFY_WEBHOOK_URL: `${rx.url}/hook`, NOTIFY_GROUP_MAX: '1' }), NOTIFY_SOURCE_SERVICES: src.service, ARBEES_INSTANCE: instance }),
    };
    const spawnNotifier = () => {
      const c = spawn(process.execPath, [CLI, 'run', 'notification_service'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
      children.push(c);
      return c;
    };
    const first = spawnNotifier();
    await src.joined(() => rx.accepted().length > 0);
    const N = 300;
    for (let i = 0; i < N; i++) src.publish(Topic.tradeCompleted(`b${i}`), 'trade_completed', tradeFilled(`b${i}`));
    const burstIds = Array.from({ length: N }, (_, i) => `tr:b${i}`);
    await eventually(async () => (await h!.redis.exists(...burstIds.map((id) => h!.keys.seen(id)))) === N, 10_000, 'the whole burst accepted');
    await eventually(() => withoutProbes().length >= 20, 10_000, 'delivery under way');
    await kill9(first);
    const beforeRestart = withoutProbes().length;
    expect(beforeRestart).toBeLessThan(N);
    // Trades that happen while it is down reach only the durable stream: caught up after the restart.
    const whileDown = Array.from({ length: 20 }, (_, i) => `d${i}`);
    for (const [i, id] of whileDown.entries()) {
      const envelope = { v: 1, type: 'trade_completed', id: `e${i}`, src: 'exec.0', seq: i, ts: nowMicros(), origin_ts: nowMicros(), data: tradeFilled(id) };
      await h!.redis.xadd(h!.keys.tradesCompleted, '*', ...streamEntryFields(Topic.tradeCompleted(id), envelope));
    }
    spawnNotifier();
    const all = [...burstIds, ...whileDown.map((id) => `tr:${id}`)];
    await eventually(() => new Set(withoutProbes().map((b) => b.id)).size === all.length, 30_000, 'every alert of the burst and of the downtime');
    const ids = withoutProbes().map((b) => b.id as string);
    expect(new Set(ids)).toEqual(new Set(all));
    // At most the one POST in flight at the kill is repeated, under the same id (the receiver can drop it).
    expect(ids.length - all.length).toBeLessThanOrEqual(1);
    await eventually(async () => (await h!.redis.zcard(h!.keys.queue('webhook'))) === 0, 10_000, 'an empty outbox (probes included)');
  }, 60_000);
});

describe('arbees notify test', () => {
  it('sends through each configured channel and exits 0; a failing channel exits 1; an unknown one 2', async () => {
    rx = await new NotifyReceiver({ telegramToken: '777:tok-abc' }).start();
    const env = { PATH: process.env.PATH ?? '', NOTIFY_WEBHOOK_URL: `${rx.url}/hook`, TELEGRAM_BOT_TOKEN: '777:tok-abc', TELEGRAM_CHAT_ID: '5', TELEGRAM_API_URL: rx.url };
    const ok = await runCli(['notify', 'test'], env);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^webhook: ok \(HTTP 200\)/m);
    expect(ok.stdout).toMatch(/^telegram: ok \(HTTP 200\) .*bot\[redacted\]/m);
    expect(ok.stdout).not.toContain('tok-abc');
    expect(rx.accepted().map((r) => r.kind).sort()).toEqual(['telegram', 'webhook']);
    expect(rx.accepted('webhook')[0]!.body!.type).toBe('test');
    const one = await runCli(['notify', 'test', 'telegram'], { ...env, TELEGRAM_BOT_TOKEN: '777:wrong' });
    expect(one.status).toBe(1);
    expect(one.stdout).toMatch(/^telegram: FAILED \(permanent\) HTTP 401: Unauthorized/m);
    expect(one.stdout).not.toContain('webhook');
    const half = await runCli(['notify', 'test'], { ...env, TWILIO_ACCOUNT_SID: 'AC1' });
    expect(half.status).toBe(1);
    expect(half.stdout).toMatch(/^sms: MISCONFIGURED TWILIO_AUTH_TOKEN is required for SMS/m);
    expect(half.stdout).toMatch(/^webhook: ok/m);
    const unknown = await runCli(['notify', 'test', 'pager'], env);
    expect(unknown.status).toBe(2);
    const none = await runCli(['notify', 'test'], { PATH: env.PATH });
    expect(none.status).toBe(2);
    expect(none.stdout).toContain('no channel configured');
  }, 30_000);
});
