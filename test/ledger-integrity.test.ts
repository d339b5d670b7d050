/**
 * Ledger integrity with real processes and a real redis-server of the test's own: position_tracker
 * and execution_service (compiled, run as `arbees run <service>`) rebuild from trades:completed;
 * between two runs Redis loses data (restarted empty / FLUSHALL, or a stale copy: the same epoch
 * with a shorter stream). Both must then halt: kill switch on with the reason, a critical alert
 * in alerts:health, heartbeat `degraded` saying why, nothing rebuilt from the truncated stream,
 * the processes still up. `arbees ledger status` names the loss; after `arbees ledger confirm`
 * they rebuild from the ledger as it is. An intact restart, and a Redis restart with its AOF,
 * must not halt anything; a FLUSHALL under running services halts them too, and once confirmed
 * a later restart takes the confirmed ledger without a second halt.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registryKey } from '../src/bus/registry.js';
import { streamEntryFields } from '../src/bus/slow-track.js';
import { ENVELOPE_VERSION } from '../src/core/envelope.js';
import { HealthAlertSchema, type Heartbeat, type TradeCompleted } from '../src/core/messages.js';
import { nowMicros } from '../src/core/time.js';
import { Topic } from '../src/core/topics.js';
import { kill9, ROOT } from './execution-harness.js';
import { migratePool } from '../src/store/migrate.js';
import { openPool } from '../src/store/pg-pool.js';
import { createServerDatabase } from './helpers/postgres.js';
import { PrivateRedis } from './helpers/private-redis.js';
import { eventually } from './helpers/redis.js';
import { fill, trade } from './position-tracker-harness.js';
import { parseTradeEntry } from '../src/services/position-tracker/trade-ingest.js';

const PT = 'position_tracker';
const EXEC = 'execution_service';
const TRADES = 'trades:completed';
const KILL = 'control:kill_switch';

let build: { buildDir: string; cli: string };
let server: PrivateRedis | null = null;
let redis: Redis | null = null;
let dataDir = '';
let children: ChildProcess[] = [];
const output = new Map<ChildProcess, string[]>();
/** The latest process of each service: a killed one's registry entry outlives it by a TTL. */
const current = new Map<string, ChildProcess>();

// Compiled asynchronously: a minute of spawnSync starves the vitest worker's RPC.
beforeAll(async () => {
  const buildDir = path.join(ROOT, 'dist', `.ledger-test-${randomBytes(4).toString('hex')}`);
  const args = [
    '--outDir', buildDir, '--rootDir', ROOT, '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022',
    '--lib', 'es2023', '--types', 'node', '--skipLibCheck', '--esModuleInterop', '--strict', '--resolveJsonModule',
    path.join(ROOT, 'src/cli.ts'),
  ];
  await new Promise<void>((resolve, reject) =>
    execFile(path.join(ROOT, 'node_modules/.bin/tsc'), args, { cwd: ROOT }, (err, stdout) => (existsSync(path.join(buildDir, 'src/cli.js')) ? resolve() : reject(new Error(`tsc: ${err?.message}\n${stdout}`)))),
  );
  build = { buildDir, cli: path.join(buildDir, 'src/cli.js') };
}, 240_000);

afterAll(() => {
  if (build) rmSync(build.buildDir, { recursive: true, force: true });
});

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) await kill9(c);
  for (const fn of cleanups.splice(0)) await fn();
  redis?.disconnect();
  redis = null;
  await server?.stop();
  server = null;
  rmSync(dataDir, { recursive: true, force: true });
});

async function setUp(durable: boolean): Promise<Redis> {
  server = await PrivateRedis.start({ durable });
  dataDir = mkdtempSync(path.join(tmpdir(), 'arb-ledger-'));
  redis = server.client();
  return redis;
}

function env(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    REDIS_URL: server!.url,
    ARBEES_DATA_DIR: dataDir,
    ARBEES_INSTANCE: '0',
    ARBEES_ZMQ_TRANSPORT: 'tcp',
    ARBEES_HEARTBEAT_MS: '100',
    ARBEES_REGISTRY_TTL_MS: '1000',
    ARBEES_REGISTRY_POLL_MS: '100',
    ARBEES_LEDGER_CHECK_MS: '200',
    PT_SOURCE_SERVICES: 'nobody',
    PT_READ_BLOCK_MS: '100',
    EXEC_SOURCE_SERVICES: 'nobody',
    LOG_LEVEL: 'info',
  };
}

function spawnService(service: string): ChildProcess {
  const child = spawn(process.execPath, [build.cli, 'run', service], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: env() });
  const lines: string[] = [];
  child.stdout!.on('data', (d: Buffer) => lines.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => lines.push(d.toString()));
  output.set(child, lines);
  children.push(child);
  current.set(service, child);
  return child;
}

function cli(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [build.cli, ...args], { cwd: ROOT, env: { ...env(), ...extraEnv } }, (err, stdout) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout });
    });
  });
}

/** n trades, each buying 5 contracts of its own market: n open positions. */
async function appendTrades(r: Redis, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) {
    const t: TradeCompleted = trade(`lg-${i}`, `g${i}`, [fill(`LG-M${i}`, 'yes', 'buy', 5, 0.4, 10)]);
    const topic = Topic.tradeCompleted(t.trade_id);
    const envelope = { v: ENVELOPE_VERSION, type: 'trade_completed', id: `e${i}`, src: 'exec.0', seq: i + 1, ts: nowMicros(), origin_ts: nowMicros(), data: t };
    await r.xadd(TRADES, '*', ...streamEntryFields(topic, envelope));
  }
}

/** Rows as the recorder writes them for the trades:completed entries appendTrades wrote. */
async function recordHistory(url: string, streamIds: string[], settleFirstGame = false): Promise<void> {
  const pool = openPool(url, { max: 1 });
  try {
    await migratePool(pool);
    for (const [i, id] of streamIds.entries()) {
      await pool.query(
        `INSERT INTO trades (trade_id, msg_id, stream_id, source, source_id, game_id, sport, mode, status, reason, fees_cc, decided_ts)
         VALUES ($1, $2, $3, 'signal', $4, $5, 'nba', 'paper', 'filled', NULL, 10, $6)`,
        [`lg-${i}`, `e${i}`, id, `sig-lg-${i}`, `g${i}`, nowMicros()],
      );
      await pool.query(
        `INSERT INTO fills (trade_id, leg, venue, market_id, side, action, contracts, yes_price, fee_cc, order_id, decided_ts, notional_cc)
         VALUES ($1, 0, 'kalshi', $2, 'yes', 'buy', 5, 0.4, 10, NULL, $3, $4)`,
        // lg-1's row carries the cash the venue moved (as a fractional fill's does): the restore must keep it.
        [`lg-${i}`, `LG-M${i}`, nowMicros(), i === 1 ? 20_000 : null],
      );
    }
    if (settleFirstGame) {
      // A settlement the tracker recorded after all of them (g0's home team won: LG-M0 pays 1).
      await pool.query(
        `INSERT INTO settlements (settlement_id, game_id, sport, home_score, away_score, markets, ts) VALUES ('stl-g0', 'g0', 'nba', 101, 99, $1, $2)`,
        [JSON.stringify([{ venue: 'kalshi', market_id: 'LG-M0', outcome: 'home', outcome_yes_price: 1 }]), nowMicros()],
      );
    }
  } finally {
    await pool.end();
  }
}

/** The registry entry of the service's latest process (null while it is another's). */
async function heartbeat(r: Redis, service: string): Promise<Heartbeat | null> {
  const text = await r.get(registryKey(service, '0')).catch(() => null);
  const hb = text === null ? null : (JSON.parse(text) as Heartbeat);
  return hb !== null && hb.pid === current.get(service)?.pid ? hb : null;
}

/** Both services rebuilt `open` positions and say healthy (execution: `execOpen`, it rebuilds only at start). */
async function waitRebuilt(r: Redis, open: number, execOpen = open): Promise<void> {
  await eventually(async () => (await r.hget('positions:checkpoint', 'open_positions')) === String(open), 15_000, `tracker at ${open} open positions`);
  await eventually(async () => {
    const [pt, ex] = [await heartbeat(r, PT), await heartbeat(r, EXEC)];
    return pt?.status === 'healthy' && ex?.status === 'healthy' && ex.metrics['exec.open_positions'] === execOpen;
  }, 15_000, `both healthy, execution at ${execOpen} open positions`);
}

async function waitHalted(r: Redis): Promise<void> {
  await eventually(async () => ((await r.get(KILL)) ?? '').startsWith('ledger: '), 10_000, 'kill switch set by the ledger guard');
  await eventually(async () => {
    const [pt, ex] = [await heartbeat(r, PT), await heartbeat(r, EXEC)];
    return pt?.status === 'degraded' && /HALTED/.test(pt.detail ?? '') && ex?.status === 'degraded' && /HALTED/.test(ex.detail ?? '');
  }, 10_000, 'both services degraded with HALTED in their heartbeat detail');
}

async function startBoth(): Promise<[ChildProcess, ChildProcess]> {
  return [spawnService(PT), spawnService(EXEC)];
}

async function criticalAlerts(r: Redis): Promise<string[]> {
  const entries = (await r.xrange('alerts:health', '-', '+')) as [string, string[]][];
  return entries
    .map(([, f]) => Object.fromEntries(f.flatMap((_, i) => (i % 2 === 0 ? [[f[i], f[i + 1]]] : []))) as Record<string, string>)
    .filter((a) => a.severity === 'critical')
    // What the notifier and the recorder read: the HealthAlert in `data`.
    .map((a) => HealthAlertSchema.parse(JSON.parse(a.data!)).service);
}

describe('a Redis that lost ledger data', () => {
  it('empty restart: both services halt (kill switch, alert, heartbeat), rebuild nothing, stay up; after confirm they rebuild', async () => {
    const r = await setUp(false);
    await appendTrades(r, 0, 10);
    let [pt, ex] = await startBoth();
    await waitRebuilt(r, 10);
    expect(await r.get(KILL)).toBeNull();
    await kill9(pt);
    await kill9(ex);
    // The recorder's history holds all 10 (as it would have committed them).
    const db = await createServerDatabase();
    cleanups.push(() => db.drop());
    await recordHistory(db.url, (await r.xrange(TRADES, '-', '+')).map(([id]) => id));

    // Redis restarts empty (memory only), and an older copy of part of the log comes back.
    await server!.kill();
    await server!.restart();
    expect(await r.exists('ledger:epoch')).toBe(0);
    await appendTrades(r, 0, 4);

    [pt, ex] = await startBoth();
    await waitHalted(r);
    expect(await r.get(KILL)).toMatch(/^ledger: ledger:epoch is gone/);
    await eventually(async () => (await criticalAlerts(r)).sort().join() === [EXEC, PT].join(), 5_000, 'a critical alert from each service');
    await new Promise((res) => setTimeout(res, 1_000));
    // Nothing rebuilt from the truncated stream, nothing written back; both processes still up.
    expect(await r.exists('positions:checkpoint', 'positions:open')).toBe(0);
    expect((await heartbeat(r, EXEC))!.metrics['exec.open_positions']).toBeUndefined();
    expect((await heartbeat(r, PT))!.metrics['ledger.halted']).toBe(1);
    expect([pt.exitCode, ex.exitCode]).toEqual([null, null]);
    expect(output.get(pt)!.join('')).toContain('ARB_LEDGER_LOST');

    const status = await cli(['ledger', 'status']);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/ledger epoch\s+NONE/); // a halted service writes no new one
    expect(status.stdout).toMatch(/position_tracker\.0\.json: LOST/);
    expect(status.stdout).toMatch(/execution_service\.0\.json: LOST/);
    expect(status.stdout).toMatch(/kill switch\s+ON \(ledger: /);
    expect(status.stdout).toMatch(/postgres\s+not checked/);
    const withHistory = await cli(['ledger', 'status'], { DATABASE_URL: db.url });
    expect(withHistory.stdout).toMatch(/postgres\s+10 trades recorded/);
    expect(withHistory.stdout).toMatch(/WARNING: Postgres holds trades trades:completed no longer has/);

    const confirm = await cli(['ledger', 'confirm', '--note', 'test']);
    expect(confirm.code).toBe(0);
    expect(confirm.stdout).toMatch(/confirmed: new ledger epoch/);
    expect(await r.get(KILL)).toBe('off');
    await waitRebuilt(r, 4);
    expect((await heartbeat(r, PT))!.metrics['ledger.halted']).toBe(0);
    expect((await cli(['ledger', 'status'])).code).toBe(0);
  }, 90_000);

  it('a stale copy (same epoch, shorter stream) halts the tracker and execution too', async () => {
    const r = await setUp(false);
    await appendTrades(r, 0, 4);
    let [pt, ex] = await startBoth();
    await waitRebuilt(r, 4);
    const staleEpoch = await r.dumpBuffer('ledger:epoch');
    const staleTrades = await r.dumpBuffer(TRADES);
    await appendTrades(r, 4, 10);
    await waitRebuilt(r, 10, 4);
    await new Promise((res) => setTimeout(res, 500)); // a check records the stream at 10 entries
    await kill9(pt);
    await kill9(ex);

    // What a failover to a replica that missed the last 6 trades looks like.
    await r.flushall();
    await r.restore('ledger:epoch', 0, staleEpoch!);
    await r.restore(TRADES, 0, staleTrades!);

    [pt, ex] = await startBoth();
    await waitHalted(r);
    expect(await r.get(KILL)).toMatch(/trades:completed ends at .* but this service saw it reach/);
    expect(await r.exists('positions:checkpoint')).toBe(0);
    const status = await cli(['ledger', 'status']);
    expect(status.stdout).toMatch(/saw it reach/);
  }, 90_000);
});

describe('arbees ledger restore', () => {
  it('puts back the trades and settlements Postgres holds under their stream ids; the halted services rebuild the whole ledger', async () => {
    const r = await setUp(false);
    await appendTrades(r, 0, 10);
    let [pt, ex] = await startBoth();
    await waitRebuilt(r, 10);
    await kill9(pt);
    await kill9(ex);
    const ids = (await r.xrange(TRADES, '-', '+')).map(([id]) => id);
    const db = await createServerDatabase();
    cleanups.push(() => db.drop());
    await recordHistory(db.url, ids, true);

    await server!.kill();
    await server!.restart();
    [pt, ex] = await startBoth();
    await waitHalted(r);
    expect((await cli(['ledger', 'restore'])).stdout).toMatch(/no Postgres to restore from/);
    // A stream that moved on since the loss cannot take the lost entries back in order.
    await appendTrades(r, 20, 21);
    const refused = await cli(['ledger', 'restore'], { DATABASE_URL: db.url });
    expect([refused.code, refused.stdout.includes('restore refused, nothing written')]).toEqual([1, true]);
    expect(await r.xlen(TRADES)).toBe(1);
    await r.del(TRADES);

    const restored = await cli(['ledger', 'restore'], { DATABASE_URL: db.url });
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/restored 10 trades and 1 settlements/);
    const entries = await r.xrange(TRADES, '-', '+');
    expect(entries.map(([id]) => id)).toEqual(ids);
    const fillsOf = (n: number) => parseTradeEntry(entries[n]![0], Object.fromEntries(chunk(entries[n]![1]))).trade!.fills;
    expect(fillsOf(1)[0]!.notional_cc).toBe(20_000);
    expect(fillsOf(2)[0]!.notional_cc).toBeUndefined(); // a row without one reads back as before
    expect(await r.hget('ledger:epoch', 'origin')).toBe('restored');
    expect(await r.get(KILL)).toBe('off');
    // Every trade back, and g0's position settled by the restored settlement: 9 open in both.
    await waitRebuilt(r, 9);
    expect(Number(await r.hget('positions:checkpoint', 'trades_applied'))).toBe(10);
    expect((await cli(['ledger', 'status'], { DATABASE_URL: db.url })).stdout).not.toMatch(/WARNING: Postgres holds/);
  }, 90_000);
});

describe('no false halt', () => {
  it('an intact restart and a Redis restart with its AOF keep the epoch; a FLUSHALL under running services halts them', async () => {
    const r = await setUp(true);
    await appendTrades(r, 0, 6);
    let [pt, ex] = await startBoth();
    await waitRebuilt(r, 6);
    const epoch = await r.hget('ledger:epoch', 'id');
    await kill9(pt);
    await kill9(ex);

    // kill -9 of both services, Redis intact.
    [pt, ex] = await startBoth();
    await waitRebuilt(r, 6);

    // Redis itself killed and restarted from its AOF under the running services.
    await server!.kill();
    await server!.restart();
    await new Promise((res) => setTimeout(res, 1_500)); // several checks after the reconnect
    await waitRebuilt(r, 6);
    expect(await r.hget('ledger:epoch', 'id')).toBe(epoch);
    expect(await r.get(KILL)).toBeNull();
    expect(await criticalAlerts(r)).toEqual([]);
    for (const s of [PT, EXEC]) expect((await heartbeat(r, s))!.metrics['ledger.incidents']).toBe(0);

    // And a restart of both after that.
    await kill9(pt);
    await kill9(ex);
    [pt, ex] = await startBoth();
    await waitRebuilt(r, 6);
    expect(await r.get(KILL)).toBeNull();

    // Redis flushed while they run: detected at the next check.
    await r.flushall();
    await waitHalted(r);
    expect((await heartbeat(r, PT))!.metrics['ledger.incidents']).toBe(1);

    // Confirmed: they go on, and a later restart takes the confirmed (empty) ledger without a second halt.
    expect((await cli(['ledger', 'confirm'])).code).toBe(0);
    await eventually(async () => (await heartbeat(r, PT))?.status === 'healthy' && (await heartbeat(r, EXEC))?.status === 'healthy', 5_000, 'both healthy after confirm');
    await kill9(pt);
    await kill9(ex);
    [pt, ex] = await startBoth();
    await waitRebuilt(r, 0);
    expect(await r.get(KILL)).toBe('off');
    for (const [s, c] of [[PT, pt], [EXEC, ex]] as const) {
      expect((await heartbeat(r, s))!.metrics['ledger.incidents'], output.get(c)!.join('').slice(-3000)).toBe(0);
    }
  }, 120_000);
});

/** Redis field/value list as pairs. */
function chunk(flat: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}
