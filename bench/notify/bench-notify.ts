/**
 * `npm run bench:notify`: notification_service as a real process (its own redis-server with AOF
 * fsync always), fed over ZMQ by this process, posting to a local webhook receiver also in this
 * process, so both ends of every measurement read one clock.
 * - latency: a high-edge signal published on the bus -> the first byte of its webhook POST at the
 *   receiver (HDR percentiles), paced at BENCH_NOTIFY_RATE signals/s;
 * - kill -9: a burst of BENCH_NOTIFY_BURST alerts; once all are accepted and one delivered, the
 *   service is killed with SIGKILL and started again; counted at the receiver by event id: lost
 *   (accepted, never delivered) and duplicated (an event id in two accepted POSTs);
 * - 503 window: the receiver answers 503 for BENCH_NOTIFY_OUTAGE_MS while a burst arrives; the
 *   same counts once it recovers.
 * Prints a table and writes bench/results/notify-<date>.json. BENCH_QUICK=1: a short smoke run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { TradeCompleted, TradeSignal } from '../../src/core/messages.js';
import { nowMicros, sleep } from '../../src/core/time.js';
import { Topic } from '../../src/core/topics.js';
import { registerInstance } from '../../src/bus/registry.js';
import { ZmqPublisher } from '../../src/bus/zmq-publisher.js';
import { SlowKey } from '../../src/core/slow-keys.js';
import { NotifyReceiver, type ReceivedRequest } from '../../src/sim/notify/notify-receiver.js';
import { PrivateRedis } from '../../test/helpers/private-redis.js';
import { LatencyHistogram, type LatencySummary } from '../common/latency-histogram.js';
import { loadAverage1m, machineInfo } from '../common/machine-info.js';
import { writeResults } from '../common/results-file.js';
import { formatCount, formatMicros, formatTable } from '../common/text-table.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const quick = process.env.BENCH_QUICK === '1';
const num = (name: string, full: number, short: number) => Number(process.env[name] ?? (quick ? short : full));
const OPTIONS = {
  signals: num('BENCH_NOTIFY_SIGNALS', 2_000, 100),
  ratePerSec: num('BENCH_NOTIFY_RATE', 50, 50),
  burst: num('BENCH_NOTIFY_BURST', 1_000, 200),
  outageMs: num('BENCH_NOTIFY_OUTAGE_MS', 30_000, 2_000),
  deadlineMs: num('BENCH_NOTIFY_DEADLINE_MS', 120_000, 30_000),
};

interface Counts {
  sent: number;
  accepted: number;
  delivered: number;
  lost: number;
  duplicated: number;
  repeatedPosts: number;
  posts: number;
  failedPosts: number;
  ms: number;
}

const SOURCE = `bench_notify_src_${randomBytes(3).toString('hex')}`;

class Bench {
  readonly rx = new NotifyReceiver();
  pub!: ZmqPublisher;
  redisServer!: PrivateRedis;
  redis!: Redis;
  child: ChildProcess | null = null;
  #beat: NodeJS.Timeout | null = null;
  /** The publish time (hrtime ns) of each signal id, for the latency case. */
  readonly sentAt = new Map<string, bigint>();
  readonly latency = new LatencyHistogram();

  async start(): Promise<void> {
    this.redisServer = await PrivateRedis.start({ durable: true });
    this.redis = new Redis(this.redisServer.url);
    await this.rx.start();
    this.pub = await ZmqPublisher.create({ src: `${SOURCE}.0`, bindAddress: 'tcp://127.0.0.1:*' });
    const beat = () =>
      registerInstance(this.redis, { service: SOURCE, instance: '0', status: 'healthy', pid: process.pid, host: hostname(), started_ts: nowMicros(), endpoints: [this.pub.endpoint!], metrics: {}, ts: nowMicros() }, 3_000).catch(() => {});
    await beat();
    this.#beat = setInterval(beat, 500);
  }

  spawnNotifier(env: Record<string, string>): void {
    this.child = spawn(process.execPath, [path.join(here, 'notifier-worker.js')], {
      env: {
        PATH: process.env.PATH ?? '',
        REDIS_URL: this.redisServer.url,
        ARBEES_ZMQ_TRANSPORT: 'tcp',
        ARBEES_REGISTRY_POLL_MS: '50',
        ARBEES_HEARTBEAT_MS: '200',
        LOG_LEVEL: 'error',
        NOTIFY_SOURCE_SERVICES: SOURCE,
        NOTIFY_WEBHOOK_URL: `${this.rx.url}/hook`,
        NOTIFY_WATCH_MS: '60000',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }

  async kill9(): Promise<void> {
    const c = this.child;
    if (c === null || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
    this.child = null;
  }

  async stopNotifier(): Promise<void> {
    const c = this.child;
    if (c === null || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await Promise.race([exited, sleep(5_000).then(() => c.kill('SIGKILL'))]);
    this.child = null;
  }

  /** Publishes probe signals until one reaches the receiver (ZMQ drops what precedes the join). */
  async joined(): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const before = this.rx.accepted().length;
      this.pub.publish(Topic.highEdgeSignal(`probe${randomBytes(3).toString('hex')}`), 'high_edge_signal', signal(`probe${randomBytes(3).toString('hex')}`));
      await sleep(150);
      if (this.rx.accepted().length > before) return;
    }
    throw new Error('the notifier never joined the source');
  }

  async close(): Promise<void> {
    await this.kill9();
    if (this.#beat !== null) clearInterval(this.#beat);
    await this.pub.close();
    await this.rx.close();
    this.redis.disconnect();
    await this.redisServer.stop();
  }
}

function signal(id: string): TradeSignal {
  const t = nowMicros();
  return {
    signal_id: id, kind: 'model_edge', game_id: 'g1', sport: 'nba', model_prob: 0.61, net_edge: 0.06, gross_edge: 0.07, confidence: 0.9, reason: 'bench', created_ts: t, expires_ts: t + 5e6,
    legs: [{ venue: 'kalshi', market_id: 'KXNBA-BOS', team: 'BOS', side: 'yes', action: 'buy', yes_price: 0.55, contracts: 10, fee_cc: 1700 }],
  };
}

function trade(id: string): TradeCompleted {
  return {
    trade_id: id, source: 'signal', source_id: `s-${id}`, game_id: 'g1', sport: 'nba', mode: 'paper', status: 'filled', reason: null, decided_ts: nowMicros(),
    fills: [{ venue: 'kalshi', market_id: 'KXNBA-BOS', side: 'yes', action: 'buy', contracts: 10, yes_price: 0.55, fee_cc: 1700, order_id: null }],
  };
}

/** Event ids carried by each accepted POST (a grouped POST carries several). */
function deliveredIds(reqs: readonly ReceivedRequest[]): string[] {
  return reqs.flatMap((r) => ((r.body?.events as { id: string }[] | undefined) ?? []).map((e) => e.id));
}

/**
 * Counts at the receiver. A POST repeated under the same `id` (the one in flight at a kill) is
 * what a receiver drops by its idempotency key: `repeatedPosts`. `duplicated` counts an event
 * delivered under two different ids, which no receiver could recognise: the target is 0.
 */
function count(rx: NotifyReceiver, ids: readonly string[], sent: number, accepted: number, startedAt: number, fromIndex: number): Counts {
  const reqs = rx.requests.slice(fromIndex);
  const wanted = new Set(ids);
  const ok = reqs.filter((r) => r.status >= 200 && r.status < 300);
  const byPostId = new Map(ok.map((r) => [String(r.body?.id), r]));
  const got = deliveredIds([...byPostId.values()]).filter((id) => wanted.has(id));
  const distinct = new Set(got);
  return {
    sent, accepted, delivered: distinct.size, lost: accepted - distinct.size, duplicated: got.length - distinct.size, repeatedPosts: ok.length - byPostId.size,
    posts: reqs.length, failedPosts: reqs.filter((r) => r.status >= 300).length, ms: Date.now() - startedAt,
  };
}

async function acceptedCount(b: Bench, ids: readonly string[]): Promise<number> {
  let n = 0;
  for (let i = 0; i < ids.length; i += 500) n += await b.redis.exists(...ids.slice(i, i + 500).map((id) => SlowKey.notifySeen(id)));
  return n;
}

async function until(check: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(50);
  }
  return false;
}

async function latencyCase(b: Bench): Promise<LatencySummary> {
  b.spawnNotifier({ NOTIFY_GROUP_INTERVAL_MS: '0' });
  await b.joined();
  b.rx.requests.length = 0;
  const gapMs = 1000 / OPTIONS.ratePerSec;
  const t0 = performance.now();
  for (let i = 0; i < OPTIONS.signals; i++) {
    const id = `lat${i}`;
    const target = t0 + i * gapMs;
    const wait = target - performance.now();
    if (wait > 0) await sleep(wait);
    b.sentAt.set(`he:${id}`, process.hrtime.bigint());
    b.pub.publish(Topic.highEdgeSignal(id), 'high_edge_signal', signal(id));
  }
  await until(() => deliveredIds(b.rx.accepted()).filter((id) => id.startsWith('he:lat')).length >= OPTIONS.signals, 10_000);
  for (const r of b.rx.requests) {
    const ids = ((r.body?.events as { id: string }[] | undefined) ?? []).map((e) => e.id);
    for (const id of ids) {
      const at = b.sentAt.get(id);
      if (at !== undefined) b.latency.record(Number(r.firstByteNs - at) / 1000);
    }
  }
  await b.stopNotifier();
  return b.latency.summary();
}

async function killCase(b: Bench): Promise<Counts> {
  b.rx.slowDown(3); // deliveries take a while, so the kill lands in the middle of them
  b.spawnNotifier({});
  await b.joined();
  const ids = Array.from({ length: OPTIONS.burst }, (_, i) => `k${i}`);
  const eventIds = ids.map((id) => `tr:${id}`);
  const t0 = Date.now();
  const fromBurst = b.rx.requests.length;
  for (const id of ids) b.pub.publish(Topic.tradeCompleted(id), 'trade_completed', trade(id));
  // The kill tests the outbox: every alert of the burst accepted (written), some delivered, then SIGKILL.
  await until(async () => (await acceptedCount(b, eventIds)) === ids.length, 10_000);
  await until(() => deliveredIds(b.rx.requests.slice(fromBurst)).some((id) => id.startsWith('tr:k')), 10_000);
  await b.kill9();
  const accepted = await acceptedCount(b, eventIds);
  b.spawnNotifier({});
  await until(() => count(b.rx, eventIds, ids.length, accepted, t0, fromBurst).delivered >= accepted, OPTIONS.deadlineMs);
  b.rx.slowDown(0);
  await b.stopNotifier();
  return count(b.rx, eventIds, ids.length, accepted, t0, fromBurst);
}

async function outageCase(b: Bench): Promise<Counts> {
  b.spawnNotifier({});
  await b.joined();
  const ids = Array.from({ length: OPTIONS.burst }, (_, i) => `o${i}`);
  const eventIds = ids.map((id) => `tr:${id}`);
  const fromBurst = b.rx.requests.length;
  const t0 = Date.now();
  b.rx.failFor(OPTIONS.outageMs, 503);
  for (const id of ids) {
    b.pub.publish(Topic.tradeCompleted(id), 'trade_completed', trade(id));
    await sleep(OPTIONS.outageMs / 2 / ids.length); // the burst spreads over the first half of the outage
  }
  await until(async () => (await acceptedCount(b, eventIds)) === ids.length, 10_000);
  const accepted = await acceptedCount(b, eventIds);
  await until(() => count(b.rx, eventIds, ids.length, accepted, t0, fromBurst).delivered >= accepted, OPTIONS.outageMs + OPTIONS.deadlineMs);
  await b.stopNotifier();
  return count(b.rx, eventIds, ids.length, accepted, t0, fromBurst);
}

async function main(): Promise<void> {
  const b = new Bench();
  await b.start();
  const load = loadAverage1m();
  try {
    const latency = await latencyCase(b);
    const kill = await killCase(b);
    const outage = await outageCase(b);
    console.log(`notify bench${quick ? ' (quick)' : ''}: load ${load} on ${machineInfo().nproc} cpus; ${JSON.stringify(OPTIONS)}`);
    console.log(
      formatTable(
        [{ header: 'signal -> webhook first byte', align: 'left' }, { header: 'n' }, { header: 'p50 us' }, { header: 'p99 us' }, { header: 'max us' }],
        [['high_edge, paced', formatCount(latency.count), formatMicros(latency.p50), formatMicros(latency.p99), formatMicros(latency.max)]],
      ),
    );
    const row = (name: string, c: Counts) => [name, String(c.sent), String(c.accepted), String(c.delivered), String(c.lost), String(c.duplicated), String(c.repeatedPosts), String(c.posts), String(c.failedPosts), `${(c.ms / 1000).toFixed(1)} s`];
    console.log(
      formatTable(
        ['case', 'sent', 'accepted', 'delivered', 'lost', 'duplicated', 'same-id repeats', 'POSTs', 'failed POSTs', 'time'].map((header, i) => ({ header, align: i === 0 ? ('left' as const) : ('right' as const) })),
        [row('kill -9 mid-burst', kill), row(`503 for ${OPTIONS.outageMs / 1000} s`, outage)],
      ),
    );
    const file = writeResults('notify', { machine: machineInfo(), load1m: load, quick, options: OPTIONS, latency, kill, outage });
    console.log(`results: ${file}`);
  } finally {
    await b.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
