/**
 * Shared set-up of the execution_service tests: real Redis (a unique key prefix for every key
 * the service owns), a stand-in signal/book publisher service (unique name, the only source the
 * service listens to), the service itself (in this process with startService, or as a real child
 * process), and a ZMQ subscriber on the service's endpoint recording trades.completed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import type { HotPublisher } from '../src/bus/hot-publisher.js';
import { registryKey } from '../src/bus/registry.js';
import { ZmqSubscriber } from '../src/bus/zmq-subscriber.js';
import type { ExitSignal, OrderBook, PriceUpdate, TradeCompleted, TradeSignal } from '../src/core/messages.js';
import { nowMicros } from '../src/core/time.js';
import { Topic, TopicPrefix, type Venue } from '../src/core/topics.js';
import { defineService, startService, type RunningService } from '../src/runtime/service.js';
import { executionService } from '../src/services/execution-service/execution-service.js';
import { eventually, testRedis } from './helpers/redis.js';
import { baseServiceEnv } from './helpers/service-env.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface HeardTrade {
  topic: string;
  trade: TradeCompleted;
  originTs: number;
  cause: string | undefined;
  receivedUs: number;
}

export interface StreamTrade {
  streamId: string;
  fields: Record<string, string>;
  trade: TradeCompleted;
}

type Level = [number, number];

export class ExecHarness {
  readonly uid = randomBytes(4).toString('hex');
  readonly redis: Redis;
  readonly prefix: string;
  readonly sourceName = `sig_${this.uid}`;
  readonly dataDir = mkdtempSync(path.join(tmpdir(), 'arb-exec-'));
  readonly heard: HeardTrade[] = [];
  exec: RunningService | null = null;
  /** Added to every environment this harness builds (e.g. ARBEES_HOT_TRANSPORT=redis). */
  extraEnv: Record<string, string> = {};
  #source: RunningService | null = null;
  #pub: HotPublisher | null = null;
  #sub: ZmqSubscriber | null = null;
  #instances = 0;
  #seq = 0;

  constructor() {
    const { redis, prefix } = testRedis();
    this.redis = redis;
    this.prefix = prefix;
  }

  env(extra: Record<string, string> = {}): Record<string, string> {
    return baseServiceEnv({
      ARBEES_DATA_DIR: this.dataDir,
      EXEC_KEY_PREFIX: this.prefix,
      EXEC_SOURCE_SERVICES: this.sourceName,
      // The stand-in plays game_shard and position_tracker; it signs with the data dir's bus key.
      EXEC_TRADE_SIGNAL_SOURCES: this.sourceName,
      EXEC_EXIT_SIGNAL_SOURCES: this.sourceName,
      EXEC_RECONCILE_INTERVAL_MS: '100',
      // These tests publish books before their signals: hear every book (execution-follow and
      // execution-quotes cover the other modes).
      EXEC_MARKET_SUBSCRIPTION: 'all',
      ...this.extraEnv,
      ...extra,
    });
  }

  async startSource(): Promise<void> {
    const def = defineService({ name: this.sourceName, description: 'stand-in shard and monitors', start: async (ctx) => void (await ctx.publisher()) });
    this.#source = await startService(def, this.env({ ARBEES_INSTANCE: `s${this.uid}` }));
    this.#pub = await this.#source.ctx.publisher();
  }

  get instance(): string {
    return `e${this.uid}x${this.#instances}`;
  }

  /** Starts the service in this process and waits until it hears the source. */
  async startExec(extra: Record<string, string> = {}): Promise<RunningService> {
    this.#instances++;
    this.exec = await startService(executionService, this.env({ ARBEES_INSTANCE: this.instance, ...extra }));
    this.listenTo((await this.exec.ctx.publisher()).endpoint!);
    if (extra.EXEC_MARKET_SUBSCRIPTION === 'follow') await this.waitSignalsHeard();
    else if (extra.EXEC_MARKET_SUBSCRIPTION === 'quotes') await this.waitQuotesHeard();
    else await this.waitConnected();
    return this.exec;
  }

  async stopExec(): Promise<void> {
    const e = this.exec;
    this.exec = null;
    await e?.stop();
  }

  listenTo(endpoint: string): void {
    this.#sub ??= this.#newSubscriber();
    this.#sub.connect(endpoint);
  }

  /** Publishes a throwaway book until the service's metrics show it was heard (ZMQ slow joiner). */
  async waitConnected(instance = this.instance): Promise<void> {
    await eventually(
      async () => {
        this.publishBook('kalshi', `WARMUP-${this.uid}`, [[0.4, 1]], [[0.6, 1]], null);
        const raw = await this.redis.get(registryKey('execution_service', instance));
        const metrics = raw ? (JSON.parse(raw) as { metrics: Record<string, number> }).metrics : {};
        return (metrics['exec.books'] ?? 0) >= 1;
      },
      20_000,
      'execution_service hearing the source',
    );
    // The signal subscriber follows the registry on its own poll; give it a few more.
    await new Promise((r) => setTimeout(r, 300));
  }

  /** The service's metrics as its last heartbeat wrote them. */
  async metrics(instance = this.instance): Promise<Record<string, number>> {
    const raw = await this.redis.get(registryKey('execution_service', instance));
    return raw ? (JSON.parse(raw) as { metrics: Record<string, number> }).metrics : {};
  }

  /** `quotes` mode hears books only from quote snapshots: warm up with those. */
  async waitQuotesHeard(): Promise<void> {
    await eventually(
      async () => {
        const warm: PriceUpdate = { venue: 'kalshi', market_id: `WARMUP-${this.uid}`, game_id: null, team: null, yes_bid: 0.4, yes_ask: 0.6, yes_bid_size: 1, yes_ask_size: 1, status: 'open' };
        this.publishQuotes([warm]);
        return ((await this.metrics())['exec.books'] ?? 0) >= 1;
      },
      20_000,
      'execution_service hearing the source',
    );
    await new Promise((r) => setTimeout(r, 300));
  }

  /** `follow` mode hears no book until a signal names its market: warm up with signals instead. */
  async waitSignalsHeard(): Promise<void> {
    await eventually(
      async () => {
        this.publishSignal(modelSignal({ marketId: `WARMUP-${this.uid}`, yesPrice: 0.5, contracts: 1, modelProb: null }));
        return ((await this.metrics())['signals_received'] ?? 0) >= 1;
      },
      20_000,
      'execution_service hearing the source',
    );
    await new Promise((r) => setTimeout(r, 300));
  }

  publishBook(venue: Venue, marketId: string, bids: Level[], asks: Level[], gameId: string | null = 'g1'): void {
    const book: OrderBook = { venue, market_id: marketId, game_id: gameId, book_seq: ++this.#seq, yes_bids: bids, yes_asks: asks };
    this.#pub!.publish(Topic.orderbook(venue, marketId), 'orderbook', book);
  }

  publishPrice(update: PriceUpdate, originTs?: number): void {
    this.#pub!.publish(Topic.price(update.venue, update.market_id), 'price', update, originTs === undefined ? undefined : { originTs });
  }

  /** A monitor's quote snapshot holding these prices, all dated `originTs`. */
  publishQuotes(updates: PriceUpdate[], originTs = nowMicros()): void {
    const venue = updates[0]?.venue ?? 'kalshi';
    this.#pub!.publish(Topic.quotes(venue, 'm0'), 'quotes', { venue, quotes: updates.map((u) => ({ ...u, origin_ts: originTs })) });
  }

  /** Returns the envelope id (the TradeCompleted cause). */
  publishSignal(signal: TradeSignal, originTs = nowMicros()): string {
    return this.#pub!.publish(Topic.tradeSignal(signal.signal_id), 'trade_signal', signal, { originTs })!;
  }

  publishRawSignal(id: string, data: unknown): string {
    return this.#pub!.publishRaw(Topic.tradeSignal(id), 'trade_signal', data)!;
  }

  publishExit(exit: ExitSignal): string {
    return this.#pub!.publish(Topic.exitSignal(exit.position_id), 'exit_signal', exit)!;
  }

  async streamTrades(): Promise<StreamTrade[]> {
    const raw = (await this.redis.xrange(`${this.prefix}trades:completed`, '-', '+')) as [string, string[]][];
    return raw.map(([streamId, flat]) => {
      const fields: Record<string, string> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
      return { streamId, fields, trade: JSON.parse(fields.data!) as TradeCompleted };
    });
  }

  async tradesFor(sourceId: string): Promise<TradeCompleted[]> {
    return (await this.streamTrades()).map((t) => t.trade).filter((t) => t.source_id === sourceId);
  }

  /** A 0.39/0.40 book of 1,000 each side for `marketId`, then a 5-contract entry at 0.40; returns it once filled. */
  async fillEntry(marketId: string): Promise<TradeSignal> {
    this.publishBook('kalshi', marketId, [[0.39, 1_000]], [[0.4, 1_000]]);
    await new Promise((r) => setTimeout(r, 150));
    const entry = modelSignal({ marketId, yesPrice: 0.4, contracts: 5, modelProb: null });
    this.publishSignal(entry);
    const trade = await this.waitTrade(entry.signal_id);
    if (trade.status !== 'filled') throw new Error(`entry on ${marketId} not filled: ${trade.status} ${trade.reason ?? ''}`);
    return entry;
  }

  /** Waits for a trades:completed entry of this source id matching `pred` and returns it. */
  async waitTrade(sourceId: string, pred: (t: TradeCompleted) => boolean = () => true, timeoutMs = 10_000): Promise<TradeCompleted> {
    let found: TradeCompleted | undefined;
    await eventually(
      async () => {
        found = (await this.tradesFor(sourceId)).find(pred);
        return found !== undefined;
      },
      timeoutMs,
      `trade of ${sourceId}`,
    );
    return found!;
  }

  async audit(): Promise<Record<string, string>[]> {
    const raw = (await this.redis.xrange(`${this.prefix}audit:execution`, '-', '+')) as [string, string[]][];
    return raw.map(([, flat]) => {
      const o: Record<string, string> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) o[flat[i]!] = flat[i + 1]!;
      return o;
    });
  }

  async close(): Promise<void> {
    await this.stopExec();
    await this.#sub?.close();
    await this.#source?.stop();
    const keys = await this.redis.keys(`${this.prefix}*`);
    if (keys.length > 0) await this.redis.del(...keys);
    await this.redis.quit();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  #newSubscriber(): ZmqSubscriber {
    const sub = new ZmqSubscriber({ validate: true });
    sub.onMessage((topic, envelope) => {
      this.heard.push({ topic, trade: envelope.data as TradeCompleted, originTs: envelope.origin_ts, cause: envelope.cause, receivedUs: nowMicros() });
    });
    sub.subscribe(TopicPrefix.tradesCompleted);
    return sub;
  }
}

let signalCount = 0;

/** A single-leg model-edge signal buying `side` on one market. */
export function modelSignal(p: {
  id?: string;
  venue?: Venue;
  marketId: string;
  side?: 'yes' | 'no';
  yesPrice: number;
  contracts: number;
  modelProb: number | null;
  gameId?: string;
  ttlUs?: number;
  createdTs?: number;
}): TradeSignal {
  const created = p.createdTs ?? nowMicros();
  return {
    signal_id: p.id ?? `sig-${process.pid}-${Date.now().toString(36)}-${++signalCount}`,
    kind: 'model_edge',
    game_id: p.gameId ?? 'g1',
    sport: 'nba',
    legs: [{ venue: p.venue ?? 'kalshi', market_id: p.marketId, team: 'LAL', side: p.side ?? 'yes', action: 'buy', yes_price: p.yesPrice, contracts: p.contracts, fee_cc: 0 }],
    model_prob: p.modelProb,
    net_edge: 0.05,
    gross_edge: 0.06,
    confidence: 0.8,
    reason: 'test',
    created_ts: created,
    expires_ts: created + (p.ttlUs ?? 30_000_000),
  };
}

/** Two legs bought together: YES on `yes` and NO on `no`, same contracts. */
export function arbSignal(p: {
  id?: string;
  yes: { venue: Venue; marketId: string; yesPrice: number };
  no: { venue: Venue; marketId: string; yesPrice: number };
  contracts: number;
  gameId?: string;
}): TradeSignal {
  const created = nowMicros();
  return {
    signal_id: p.id ?? `arb-${process.pid}-${Date.now().toString(36)}-${++signalCount}`,
    kind: 'arbitrage',
    game_id: p.gameId ?? 'g1',
    sport: 'nba',
    legs: [
      { venue: p.yes.venue, market_id: p.yes.marketId, team: 'LAL', side: 'yes', action: 'buy', yes_price: p.yes.yesPrice, contracts: p.contracts, fee_cc: 0 },
      { venue: p.no.venue, market_id: p.no.marketId, team: 'LAL', side: 'no', action: 'buy', yes_price: p.no.yesPrice, contracts: p.contracts, fee_cc: 0 },
    ],
    model_prob: null,
    net_edge: 0.03,
    gross_edge: 0.05,
    confidence: 1,
    reason: 'test arb',
    created_ts: created,
    expires_ts: created + 30_000_000,
  };
}

// ---- child processes ----------------------------------------------------------------------------

/** Compiles src/cli.ts into a private folder (parallel builds by others cannot interfere). */
export function buildCli(): { buildDir: string; cli: string } {
  const buildDir = path.join(ROOT, 'dist', `.exec-test-${randomBytes(4).toString('hex')}`);
  const tsc = path.join(ROOT, 'node_modules/.bin/tsc');
  const args = [
    '--outDir', buildDir, '--rootDir', ROOT, '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022',
    '--lib', 'es2023', '--types', 'node', '--skipLibCheck', '--esModuleInterop', '--strict', '--resolveJsonModule',
    path.join(ROOT, 'src/cli.ts'),
  ];
  const result = spawnSync(tsc, args, { cwd: ROOT, encoding: 'utf8' });
  if (!existsSync(path.join(buildDir, 'src/services/execution-service/execution-service.js'))) {
    throw new Error(`tsc did not emit execution_service:\n${result.stdout}\n${result.stderr}`);
  }
  return { buildDir, cli: path.join(buildDir, 'src/cli.js') };
}

export function spawnExec(cli: string, env: Record<string, string>, stderr: string[] = []): ChildProcess {
  const child = spawn(process.execPath, [cli, 'run', 'execution_service'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH, ...env } });
  child.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
  return child;
}

export async function kill9(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

// ---- a proxy in front of a venue that can delay order replies ---------------------------------

/**
 * Forwards everything to the venue at once; the reply to an order POST can be held back for
 * `delayOrderRepliesMs` (the order still executes at the venue: a lost reply, the worst case of
 * a timeout). Records the client_order_id of every order POST it forwards.
 */
export class OrderReplyDelayProxy {
  delayOrderRepliesMs = 0;
  /** Replaces the next N order replies (after the venue acted) with this body: a reply the client cannot read. */
  garbleOrderReplies = 0;
  garbledBody = '{"success": true, "orderID": 17, "makingAmount": "1e3"}';
  /** While set, Polymarket order lookups (`GET /data/order/...`) answer 503: the venue cannot say yet. */
  holdOrderLookups = false;
  readonly orderIds: string[] = [];
  #server: Server | null = null;

  constructor(private readonly target: string) {}

  async start(): Promise<string> {
    const server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.#server = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    const s = this.#server;
    this.#server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const pathname = (req.url ?? '').split('?')[0]!;
    const isOrder = req.method === 'POST' && (pathname.endsWith('/portfolio/events/orders') || pathname === '/order');
    if (isOrder) {
      try {
        const parsed = JSON.parse(body.toString('utf8')) as { client_order_id?: string; order?: { salt?: number } };
        this.orderIds.push(String(parsed.client_order_id ?? parsed.order?.salt));
      } catch {
        this.orderIds.push('unparsable');
      }
    }
    if (this.holdOrderLookups && req.method === 'GET' && pathname.startsWith('/data/order/')) {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{"error": "held by the test"}');
      return;
    }
    const delay = isOrder ? this.delayOrderRepliesMs : 0;
    const url = new URL(req.url ?? '/', this.target);
    const upstream = httpRequest(url, { method: req.method, headers: { ...req.headers, host: url.host } }, (up) => {
      const parts: Buffer[] = [];
      up.on('data', (d: Buffer) => parts.push(d));
      up.on('end', () => {
        setTimeout(() => {
          if (res.destroyed) return;
          if (isOrder && this.garbleOrderReplies > 0) {
            this.garbleOrderReplies--;
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(this.garbledBody);
            return;
          }
          res.writeHead(up.statusCode ?? 502, up.headers);
          res.end(Buffer.concat(parts));
        }, delay);
      });
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    upstream.end(body);
  }
}
