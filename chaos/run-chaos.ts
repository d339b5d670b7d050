/**
 * `npm run chaos`: the scripted fault suite. It starts a redis-server of its own (loopback, AOF)
 * and `arbees up` on the simulators trading against the venue simulators (EXEC_MODE=sim), then
 * does to them, one after the other, what production does: kill -9 of every service, a 20 s
 * Redis stall, Redis stopped for 30 s, an oversize frame, a stranger publishing trade signals, and
 * Redis restarted empty. After each it checks what must hold, and at the end it reconciles every
 * fill we booked with the fills the venue simulators made. Prints a table (the README's
 * reliability section records it), writes JSON to bench/results/, exits 1 when a check failed.
 *
 * Bounded in time (about 6 minutes on the 2-core reference machine) and loopback only.
 * CHAOS_STALL_S / CHAOS_STOP_S shorten the two Redis outages for a quick look.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { SlowKey } from '../src/core/slow-keys.js';
import { nowMicros } from '../src/core/time.js';
import { killSwitchValueIsOn } from '../src/core/kill-switch-value.js';
import { listInstances } from '../src/bus/registry.js';
import { ZmqSubscriber } from '../src/bus/zmq-subscriber.js';
import { freePort, sleep } from '../src/launcher/process-utils.js';
import { runningUpPostgresUrl } from '../src/launcher/running-postgres.js';
import { machineInfo } from '../bench/common/machine-info.js';
import { writeResults } from '../bench/common/results-file.js';
import { ChaosRedis } from './chaos-redis.js';
import { ChaosReport } from './chaos-report.js';
import { ChaosSystem } from './chaos-system.js';
import { ForeignPublisher } from './foreign-publisher.js';
import type { SimEndpoints } from '../src/sim/sim-endpoints.js';
import { duplicateTradeIds, fillsAtVenues, fillsInPostgres, reconcile, simEndpoints } from './fill-reconciliation.js';

const STALL_S = Number(process.env.CHAOS_STALL_S ?? 20);
const STOP_S = Number(process.env.CHAOS_STOP_S ?? 30);
/** How soon a restarted service must be back in the registry as healthy (the issue's bound). */
const BACK_WITHIN_MS = 2_000;
/** Registry TTL + a heartbeat + margin: what a stall's aftermath needs to settle. */
const SETTLE_MS = 12_000;

interface Run {
  sys: ChaosSystem;
  redis: ChaosRedis;
  r: Redis;
  report: ChaosReport;
  runDir: string;
  dataDir: string;
  /** Where the venue simulators answer (read once: a Redis restarted empty forgets it). */
  endpoints: SimEndpoints | null;
}

async function main(): Promise<void> {
  const runDir = mkdtempSync(path.join(tmpdir(), 'arbees-chaos-'));
  const dataDir = path.join(runDir, 'data');
  const report = new ChaosReport();
  const startedAt = new Date();
  say(`chaos run in ${runDir}`);
  const redis = await ChaosRedis.start(runDir);
  const r = redis.client();
  const sys = new ChaosSystem({ dataDir, redisUrl: redis.url, apiPort: await freePort() });
  const run: Run = { sys, redis, r, report, runDir, dataDir, endpoints: null };
  try {
    await sys.start();
    run.endpoints = await simEndpoints(r);
    say(`arbees up is running (Redis ${redis.url})`);
    await scenario(run, 'warm-up', warmUp);
    await scenario(run, 'kill -9 each service', killEachService);
    await scenario(run, `Redis stalled ${STALL_S} s`, stallRedis);
    await scenario(run, `Redis stopped ${STOP_S} s`, stopRedis);
    await scenario(run, 'oversize frame', oversizeFrame);
    await scenario(run, 'foreign publisher', foreignSignals);
    await scenario(run, 'fills vs venues', reconcileFills);
    await scenario(run, 'Redis restarted empty', restartRedisEmpty);
    await scenario(run, 'fills vs venues after the empty restart', reconcileFills);
    const code = await sys.stop();
    report.add('shutdown', 'arbees up stops cleanly on Ctrl-C', code === 0, `exit ${code}`);
  } finally {
    await sys.stop().catch(() => null);
    r.disconnect();
    await redis.close().catch(() => {});
  }
  const table = report.table();
  process.stdout.write(`\n${table}\n\n`);
  const file = writeResults('chaos', { startedAt: startedAt.toISOString(), machine: machineInfo(), checks: report.checks, notes: report.notes });
  say(`results: ${file}`);
  if (report.passed) rmSync(runDir, { recursive: true, force: true });
  else say(`kept ${runDir} (logs in the run's data dir) for a look`);
  process.exitCode = report.passed ? 0 : 1;
}

async function scenario(run: Run, name: string, body: (run: Run, name: string) => Promise<void>): Promise<void> {
  say(`-- ${name}`);
  const t0 = Date.now();
  try {
    await body(run, name);
  } catch (err) {
    run.report.failed(name, err);
  }
  say(`   (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

// ---------------------------------------------------------------------------------------------
// Scenarios

async function warmUp(run: Run, name: string): Promise<void> {
  const t0 = Date.now();
  const filled = await waitFor(async () => (await tradesSince(run.r, '0-0')).some((t) => t.status === 'filled' || t.status === 'partial'), 180_000);
  run.report.add(name, 'a trade fills at the venue simulators', filled, filled ? `after ${s(Date.now() - t0)}` : 'none within 180 s');
}

async function killEachService(run: Run, name: string): Promise<void> {
  // The simulator stands in for the venues and ESPN: killing it would wipe the venues' books, not test us.
  const targets = run.sys.children().filter((c) => c.service !== 'simulator' && c.pid !== null);
  const slow: string[] = [];
  const times: number[] = [];
  for (const child of targets) {
    const oldPid = child.pid!;
    const killedAt = Date.now();
    process.kill(oldPid, 'SIGKILL');
    let spawnedAt = 0;
    let newPid: number | null = null;
    const back = await waitFor(async () => {
      if (newPid === null) {
        const now = run.sys.children().find((c) => c.name === child.name);
        if (now?.pid && now.pid !== oldPid) {
          newPid = now.pid;
          spawnedAt = Date.now();
        }
        return false;
      }
      const raw = await run.r.get(`registry:${child.service}:${child.instance}`).catch(() => null);
      if (raw === null) return false;
      const entry = JSON.parse(raw) as { pid?: number; status?: string };
      return entry.pid === newPid && entry.status === 'healthy';
    }, 30_000, 25);
    const startMs = Date.now() - spawnedAt;
    const detail = back ? `${child.name}: restarted after ${s(spawnedAt - killedAt)}, healthy ${s(startMs)} after its restart` : `${child.name}: not back within 30 s`;
    say(`   ${detail}`);
    if (!back || startMs > BACK_WITHIN_MS) slow.push(detail);
    if (back) times.push(startMs);
    await sleep(1_500);
  }
  const worst = times.length > 0 ? Math.max(...times) : 0;
  run.report.add(
    name,
    `every service (${targets.length}) healthy within ${s(BACK_WITHIN_MS)} of its restart`,
    slow.length === 0,
    slow.length === 0 ? `slowest ${s(worst)}, median ${s(median(times))}` : slow.join('; '),
  );
}

async function stallRedis(run: Run, name: string): Promise<void> {
  const before = await snapshot(run);
  const probe = await hotPathProbe(run.r);
  await sleep(5_000);
  const ratePerS = probe.received / 5;
  const t0 = Date.now();
  const flowBefore = probe.received;
  run.redis.pause();
  await sleep(STALL_S * 1_000);
  const duringStall = probe.received - flowBefore;
  run.redis.resume();
  await sleep(SETTLE_MS);
  await probe.close();
  const after = await snapshot(run);
  await windowChecks(run, name, t0, before, after);
  const stallRate = duringStall / STALL_S;
  run.report.add(
    name,
    'prices keep flowing over ZMQ while Redis is frozen (at least half the rate before)',
    stallRate > 0 && stallRate >= ratePerS / 2,
    `${stallRate.toFixed(1)} prices/s during, ${ratePerS.toFixed(1)}/s before`,
  );
}

async function stopRedis(run: Run, name: string): Promise<void> {
  const before = await snapshot(run);
  await run.redis.stop();
  await sleep(STOP_S * 1_000);
  await run.redis.start();
  const restartedAt = Date.now();
  const expected = run.sys.children().length;
  const healthy = await waitFor(async () => (await listInstances(run.r).catch(() => [])).filter((h) => h.status === 'healthy' && h.service !== 'chaos').length >= expected, 30_000);
  run.report.add(name, 'every service healthy again after Redis is back', healthy, healthy ? `after ${s(Date.now() - restartedAt)}` : 'not within 30 s');
  const killSwitch = await run.r.get(SlowKey.killSwitch);
  run.report.add(name, 'no halt: Redis came back with its data (AOF)', !killSwitchValueIsOn(killSwitch), `kill switch ${killSwitch ?? 'unset'}`);
  const lastTrade = await lastId(run.r, SlowKey.tradesCompleted);
  const resumed = await waitFor(async () => (await tradesSince(run.r, lastTrade)).length > 0, 90_000);
  run.report.add(name, 'trading resumes', resumed, resumed ? `a trade decided ${s(Date.now() - restartedAt)} after Redis came back` : 'no trade within 90 s');
  const after = await snapshot(run);
  // Reassignment rules are the stall's; a 30 s outage outlives the registry TTL on purpose.
  run.report.add(name, 'no service restarted', after.restarts === before.restarts, `${after.restarts - before.restarts} restarts`);
}

async function oversizeFrame(run: Run, name: string): Promise<void> {
  const pub = await ForeignPublisher.start(run.r, run.runDir, 'chaos_oversize', '0');
  try {
    await sleep(2_000); // subscribers poll the registry every 500 ms
    const before = await listenerMetrics(run.r);
    // On the quote snapshots' family: zmq_listener hears those (its prices come from them), and
    // a PUB socket sends no frame of a family nobody subscribes to.
    await pub.sendOversize('quotes.kalshi.CHAOS-OVERSIZE', 17 * 1024 * 1024);
    await sleep(200);
    const probeMarket = 'CHAOS-PROBE';
    for (let i = 0; i < 50; i++) {
      await pub.send('quotes.kalshi.chaos', 'quotes', { venue: 'kalshi', quotes: [{ ...probePrice(probeMarket, i), origin_ts: nowMicros() }] });
      await sleep(20);
    }
    const mirrored = await waitFor(async () => (await run.r.exists(SlowKey.latestPrice('kalshi', probeMarket))) === 1, 5_000);
    run.report.add(name, 'zmq_listener keeps the link: later frames of that publisher arrive', mirrored, mirrored ? 'probe price mirrored after the 17 MiB frame' : 'no probe price in 5 s');
    await sleep(2_500); // one heartbeat
    const after = await listenerMetrics(run.r);
    const counted = Object.keys(after).filter((k) => /oversize|protocol_drop|link_drop/i.test(k) && (after[k] ?? 0) > (before[k] ?? 0));
    run.report.add(name, 'the oversize frame is counted', counted.length > 0, counted.length > 0 ? counted.map((k) => `${k} ${before[k] ?? 0} -> ${after[k]}`).join(', ') : 'no oversize counter rose in its heartbeat');
    const received = (after['sub.received'] ?? 0) > (before['sub.received'] ?? 0);
    run.report.add(name, 'zmq_listener keeps receiving from the services', received, `received ${before['sub.received'] ?? '?'} -> ${after['sub.received'] ?? '?'}`);
  } finally {
    await pub.close();
    await run.r.del(SlowKey.latestPrice('kalshi', 'CHAOS-PROBE')).catch(() => 0);
  }
}

async function foreignSignals(run: Run, name: string): Promise<void> {
  const template = await realSignal(run.r);
  if (template === null) throw new Error('no trade signal in signals:trades to model a forgery on');
  const strangers = [await ForeignPublisher.start(run.r, run.runDir, 'fakepub', '0'), await ForeignPublisher.start(run.r, run.runDir, 'game_shard', '97')];
  const ids: string[] = [];
  const before = await lastId(run.r, SlowKey.tradesCompleted);
  try {
    await sleep(2_500);
    for (const pub of strangers) {
      for (let i = 0; i < 5; i++) {
        const signalId = `chaos-${pub.service}-${i}-${Date.now().toString(36)}`;
        ids.push(signalId);
        const now = Date.now() * 1_000;
        await pub.send(`signals.trade.${signalId}`, 'trade_signal', { ...template, signal_id: signalId, created_ts: now, expires_ts: now + 60_000_000 });
        await sleep(100);
      }
    }
    await sleep(5_000);
  } finally {
    for (const pub of strangers) await pub.close();
  }
  const decided = (await tradesSince(run.r, before)).filter((t) => ids.includes(t.source_id));
  const traded = decided.filter((t) => t.status === 'filled' || t.status === 'partial' || t.status === 'unknown');
  run.report.add(name, 'no order on a stranger\'s signal (a foreign role, and one claiming game_shard)', traded.length === 0, `${ids.length} forged signals: ${traded.length} traded, ${decided.length - traded.length} refused with a record`);
}

async function reconcileFills(run: Run, name: string): Promise<void> {
  const wasHalted = killSwitchValueIsOn(await run.r.get(SlowKey.killSwitch));
  if (!wasHalted) await run.r.set(SlowKey.killSwitch, 'chaos: reconciling fills with the venues');
  try {
    await checkFills(run, name);
  } finally {
    if (!wasHalted) await run.r.set(SlowKey.killSwitch, 'off');
  }
}

async function checkFills(run: Run, name: string): Promise<void> {
  await quiesce(run);
  const { duplicates, entries } = await duplicateTradeIds(run.r);
  const endpoints = run.endpoints;
  const pgUrl = runningUpPostgresUrl(run.dataDir) ?? undefined;
  if (pgUrl === undefined || endpoints === null) throw new Error('no Postgres or no simulator endpoints to reconcile with');
  const ours = await fillsInPostgres(pgUrl);
  const venue = await fillsAtVenues(run.dataDir, endpoints);
  const rec = reconcile(venue, ours.totals, ours.twice);
  run.report.add(name, '0 trades lost (every venue fill booked)', rec.lost.length === 0 && rec.short.length === 0, `${rec.venueOrders} filled orders at the venues, ${rec.lost.length} not booked, ${rec.short.length} booked short${rec.fractional > 0 ? `, ${rec.fractional} differ by a fraction of a share` : ''}`);
  run.report.add(name, '0 trades duplicated', rec.duplicated.length === 0 && duplicates.length === 0, `${rec.duplicated.length} orders booked twice in Postgres; ${duplicates.length} repeated trade ids among ${entries} trades:completed entries`);
  run.report.add(name, '0 phantom fills (booked, unknown to the venue)', rec.phantom.length === 0, `${rec.phantom.length}`);
}

async function restartRedisEmpty(run: Run, name: string): Promise<void> {
  const openBefore = new Set(await run.r.hkeys(SlowKey.positionsOpen));
  const t0 = Date.now();
  await run.redis.restartEmpty();
  const halted = await waitFor(async () => killSwitchValueIsOn(await run.r.get(SlowKey.killSwitch)), 30_000);
  const value = await run.r.get(SlowKey.killSwitch).catch(() => null);
  run.report.add(name, 'trading halts (kill switch on, with a reason)', halted, halted ? `after ${s(Date.now() - t0)}: ${String(value).slice(0, 120)}` : 'kill switch still off after 30 s');
  const alerts = await alertsSince(run.r, '0-0');
  const critical = alerts.filter((a) => a.severity === 'critical');
  run.report.add(name, 'a critical alert is raised', critical.length > 0, critical.length > 0 ? `${critical.length}: ${critical[0]!.service}: ${critical[0]!.message}`.slice(0, 160) : `${alerts.length} alerts, none critical`);
  await sleep(5_000);
  const written = await run.r.xlen(SlowKey.tradesCompleted);
  run.report.add(name, 'nothing written into the truncated trades:completed while halted', written === 0, `${written} entries`);

  // The two services that rebuild from the ledger, killed while halted: they must come back halted.
  const openNow = await run.r.hlen(SlowKey.positionsOpen);
  const rebuilders = run.sys.children().filter((c) => c.service === 'position_tracker' || c.service === 'execution_service');
  for (const c of rebuilders) if (c.pid !== null) process.kill(c.pid, 'SIGKILL');
  const oldPids = new Set(rebuilders.map((c) => c.pid));
  const backHalted = await waitFor(async () => {
    const entries = (await listInstances(run.r)).filter((h) => rebuilders.some((c) => c.service === h.service && c.instance === h.instance));
    return entries.length === rebuilders.length && entries.every((h) => !oldPids.has(h.pid) && h.status === 'degraded' && /HALTED/.test(h.detail ?? ''));
  }, 20_000);
  const openAfterRestart = await run.r.hlen(SlowKey.positionsOpen);
  run.report.add(
    name,
    'restarted while halted, the tracker and execution stay halted and rebuild nothing',
    backHalted && openAfterRestart === openNow,
    `${backHalted ? 'both back, degraded (HALTED)' : 'not both back halted within 20 s'}; positions:open ${openNow} -> ${openAfterRestart}`,
  );

  // The operator puts the ledger back from the recorder's Postgres, keeping trading halted until
  // the rebuilt positions are checked (new trades would make the comparison moot), then resumes.
  const restore = await run.sys.runCli(['ledger', 'restore', '--keep-halted']);
  run.report.add(name, 'arbees ledger restore puts the lost ledger back from Postgres', restore.code === 0, `exit ${restore.code}: ${lastLines(restore.output, 1)}`);
  const rebuilt = await waitFor(async () => {
    const entries = (await listInstances(run.r)).filter((h) => rebuilders.some((c) => c.service === h.service));
    return entries.length >= rebuilders.length && entries.every((h) => h.status === 'healthy');
  }, 20_000);
  const openAfter = new Set(await run.r.hkeys(SlowKey.positionsOpen));
  const missing = [...openBefore].filter((id) => !openAfter.has(id));
  const extra = [...openAfter].filter((id) => !openBefore.has(id));
  run.report.add(
    name,
    'after the restore, the tracker and execution rebuild the positions held before the loss',
    rebuilt && missing.length === 0 && extra.length === 0,
    `${rebuilt ? 'both healthy' : 'not both healthy within 20 s'}; ${openBefore.size} open before, ${openAfter.size} after (${missing.length} missing, ${extra.length} new)`,
  );
  await run.r.set(SlowKey.killSwitch, 'off');
}

const lastLines = (text: string, n: number): string => text.trim().split('\n').slice(-n).join(' / ').slice(0, 200);

// ---------------------------------------------------------------------------------------------
// Checks shared by the Redis faults

interface Snapshot {
  assignments: Record<string, string>;
  alertsId: string;
  restarts: number;
  gaps: number;
}

async function snapshot(run: Run): Promise<Snapshot> {
  const r = run.r;
  const [assignments, alertsId, instances] = await Promise.all([r.hgetall(SlowKey.assignGames), lastId(r, SlowKey.healthAlerts), listInstances(r)]);
  let gaps = 0;
  for (const h of instances) if (h.service === 'game_shard') gaps += Number(h.metrics['sub.gaps'] ?? 0);
  const restarts = run.sys.children().reduce((n, c) => n + c.restarts, 0);
  return { assignments, alertsId, restarts, gaps };
}

async function windowChecks(run: Run, name: string, sinceMs: number, before: Snapshot, after: Snapshot): Promise<void> {
  const dead = (await alertsSince(run.r, before.alertsId)).filter((a) => a.kind === 'dead');
  const deadLines = run.sys.linesSince(sinceMs, (l) => / is dead/.test(l.text));
  run.report.add(name, '0 false "dead" verdicts', dead.length === 0 && deadLines.length === 0, `${dead.length} dead alerts, ${deadLines.length} "is dead" lines`);
  const moved = Object.keys(before.assignments).filter((g) => after.assignments[g] !== undefined && after.assignments[g] !== before.assignments[g]);
  const noShard = run.sys.linesSince(sinceMs, (l) => l.text.includes('ARB_ORCH_NO_SHARD'));
  run.report.add(name, '0 reassignments', moved.length === 0 && noShard.length === 0, `${moved.length} games moved, ${noShard.length} ARB_ORCH_NO_SHARD lines`);
  const dropped = run.sys.linesSince(sinceMs, (l) => l.text.includes('disconnected from publisher'));
  run.report.add(name, 'no subscriber drops a live publisher', dropped.length === 0, `${dropped.length} "disconnected from publisher" lines`);
  run.report.add(name, 'no service restarted', after.restarts === before.restarts, `${after.restarts - before.restarts} restarts`);
  void sinceMs;
  run.report.note(`${name}: game_shard gaps ${before.gaps} -> ${after.gaps}`);
}

// ---------------------------------------------------------------------------------------------
// Readers

interface TradeRecord {
  trade_id: string;
  source_id: string;
  status: string;
}

async function tradesSince(r: Redis, afterId: string): Promise<TradeRecord[]> {
  const entries = await r.xrange(SlowKey.tradesCompleted, `(${afterId}`, '+').catch(() => []);
  return entries.map(([, fields]) => JSON.parse(fields[fields.indexOf('data') + 1] ?? '{}') as TradeRecord);
}

interface AlertRecord {
  kind: string;
  severity: string;
  service: string;
  message: string;
}

async function alertsSince(r: Redis, afterId: string): Promise<AlertRecord[]> {
  const entries = await r.xrange(SlowKey.healthAlerts, `(${afterId}`, '+').catch(() => []);
  return entries.map(([, fields]) => JSON.parse(fields[fields.indexOf('data') + 1] ?? '{}') as AlertRecord);
}

async function lastId(r: Redis, stream: string): Promise<string> {
  const last = await r.xrevrange(stream, '+', '-', 'COUNT', 1);
  return last[0]?.[0] ?? '0-0';
}

async function realSignal(r: Redis): Promise<Record<string, unknown> | null> {
  const entries = await r.xrevrange(SlowKey.signalsStream, '+', '-', 'COUNT', 200);
  for (const [, fields] of entries) {
    if (fields[fields.indexOf('type') + 1] !== 'trade_signal') continue;
    return JSON.parse(fields[fields.indexOf('data') + 1] ?? 'null') as Record<string, unknown>;
  }
  return null;
}

async function listenerMetrics(r: Redis): Promise<Record<string, number>> {
  const listener = (await listInstances(r)).find((h) => h.service === 'zmq_listener');
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(listener?.metrics ?? {})) if (typeof v === 'number') out[k] = v;
  return out;
}

function probePrice(marketId: string, i: number): Record<string, unknown> {
  return { venue: 'kalshi', market_id: marketId, game_id: null, team: null, yes_bid: 0.4, yes_ask: 0.42, yes_bid_size: 10 + i, yes_ask_size: 10, status: 'open' };
}

/** A subscriber of our own on the monitors' publishers: counts prices whatever Redis does. */
async function hotPathProbe(r: Redis): Promise<{ readonly received: number; close(): Promise<void> }> {
  const monitors = (await listInstances(r)).filter((h) => h.service.endsWith('_monitor'));
  const sub = new ZmqSubscriber({ validate: false });
  let received = 0;
  sub.onMessage(() => void received++);
  sub.subscribe('prices.');
  for (const m of monitors) for (const ep of m.endpoints) sub.connect(ep);
  await sleep(500);
  return {
    get received() {
      return received;
    },
    close: () => sub.close(),
  };
}

/** Waits (kill switch on) until execution decided what was in flight and the recorder wrote it. */
async function quiesce(run: Run): Promise<void> {
  await sleep(3_000);
  let last = '';
  await waitFor(async () => {
    const id = await lastId(run.r, SlowKey.tradesCompleted).catch(() => '');
    const same = id === last;
    last = id;
    return same;
  }, 20_000, 3_000);
  await sleep(3_000); // the recorder's next round
}

// ---------------------------------------------------------------------------------------------

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, everyMs = 250): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return true;
    } catch {
      // Redis may be down on purpose; try again
    }
    if (Date.now() >= deadline) return false;
    await sleep(everyMs);
  }
}

const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const median = (xs: number[]): number => (xs.length === 0 ? 0 : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!);
const say = (line: string): void => void process.stdout.write(`${line}\n`);

main().catch((err: unknown) => {
  process.stderr.write(`chaos: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(2);
});
