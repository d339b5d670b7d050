/**
 * Shared parts of the position tracker tests: unique keys (PT_KEY_PREFIX) and instance names, a
 * test publisher registered in the real Redis registry under a unique service name (the tracker
 * hears only it: PT_SOURCE_SERVICES), a recorder on the tracker's own ZMQ endpoint, and helpers
 * that append TradeCompleted entries to the test's trades:completed in the layout the
 * execution service writes.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { ENVELOPE_VERSION, type RawEnvelope } from '../src/core/envelope.js';
import type { ExitSignal, Fill, GameInfo, GameState, MarketRef, MessageData, MessageType, Position, PriceUpdate, TradeCompleted } from '../src/core/messages.js';
import { ExitSignalSchema, PositionSchema } from '../src/core/messages.js';
import { nowMicros } from '../src/core/time.js';
import { Topic, type Sport } from '../src/core/topics.js';
import { registerInstance, registryKey } from '../src/bus/registry.js';
import { streamEntryFields } from '../src/bus/slow-track.js';
import { ZmqPublisher } from '../src/bus/zmq-publisher.js';
import { ZmqSubscriber } from '../src/bus/zmq-subscriber.js';
import type { PositionRow } from '../src/services/position-tracker/snapshot-store.js';
import { trackerKeys, type TrackerKeys } from '../src/services/position-tracker/position-tracker-config.js';
import { eventually, testRedis } from './helpers/redis.js';
import { baseServiceEnv } from './helpers/service-env.js';

export const uid = (): string => randomBytes(3).toString('hex');

export const T0 = 1_760_000_000_000_000;

export function trade(id: string, gameId: string, fills: Fill[], extra: Partial<TradeCompleted> = {}): TradeCompleted {
  return {
    trade_id: id,
    source: 'signal',
    source_id: `sig-${id}`,
    game_id: gameId,
    sport: 'nba',
    mode: 'paper',
    status: 'filled',
    reason: null,
    fills,
    decided_ts: nowMicros(),
    ...extra,
  };
}

export function fill(marketId: string, side: 'yes' | 'no', action: 'buy' | 'sell', contracts: number, yes: number, feeCc: number): Fill {
  return { venue: 'kalshi', market_id: marketId, side, action, contracts, yes_price: yes, fee_cc: feeCc, order_id: null };
}

export function gameInfo(gameId: string, markets: MarketRef[], event: GameInfo['event'] = 'discovered', sport: Sport = 'nba'): GameInfo {
  return {
    event,
    game_id: gameId,
    sport,
    name: 'Away at Home',
    home: { name: 'Home', abbr: 'HOM' },
    away: { name: 'Away', abbr: 'AWY' },
    start_time: '2026-01-01T00:00:00Z',
    status: event === 'final' ? 'final' : 'live',
    markets,
    shard: null,
  };
}

export function gameState(gameId: string, status: GameState['status'], home: number, away: number, modelHome: number | null = null): GameState {
  return {
    game_id: gameId,
    sport: 'nba',
    status,
    period: 4,
    clock_s: status === 'final' ? 0 : 300,
    home_score: home,
    away_score: away,
    possession: null,
    situation: null,
    model_home_prob: modelHome,
    espn_home_prob: null,
    markets: [],
    updated_ts: nowMicros(),
  };
}

export function price(marketId: string, bid: number | null, ask: number | null, gameId: string | null = null): PriceUpdate {
  return { venue: 'kalshi', market_id: marketId, game_id: gameId, team: null, yes_bid: bid, yes_ask: ask, yes_bid_size: 100, yes_ask_size: 100, status: 'open' };
}

/** Everything one test needs to be alone on the shared Redis and registry. */
export class TrackerHarness {
  readonly prefix = `t${uid()}:`;
  readonly keys: TrackerKeys = trackerKeys(this.prefix);
  readonly source = `pt_src_${uid()}`;
  readonly instance = `pt-${uid()}`;
  readonly redis: Redis = testRedis().redis;
  pub!: ZmqPublisher;
  private registryTimer: NodeJS.Timeout | null = null;
  private recorder: ZmqSubscriber | null = null;
  readonly heard: { topic: string; env: RawEnvelope }[] = [];
  private seq = 0;

  /** Environment for a tracker of this test (any PT_* may be overridden). */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return baseServiceEnv({
      ARBEES_INSTANCE: this.instance,
      ARBEES_HEARTBEAT_MS: '200',
      ARBEES_REGISTRY_TTL_MS: '2000',
      ARBEES_REGISTRY_POLL_MS: '100',
      PT_KEY_PREFIX: this.prefix,
      PT_SOURCE_SERVICES: this.source,
      PT_INITIAL_BANKROLL_USD: '1000',
      PT_READ_BLOCK_MS: '200',
      PT_EXIT_CHECK_MS: '50',
      PT_MARK_PUBLISH_MS: '0',
      PT_SNAPSHOT_MS: '100',
      ...extra,
    });
  }

  /** The test's hot-path publisher, registered like a service so the tracker connects to it. */
  async startPublisher(): Promise<void> {
    this.pub = await ZmqPublisher.create({ src: `${this.source}.0`, bindAddress: 'tcp://127.0.0.1:*' });
    const beat = () =>
      registerInstance(
        this.redis,
        { service: this.source, instance: '0', status: 'healthy', pid: process.pid, host: hostname(), started_ts: nowMicros(), endpoints: [this.pub.endpoint!], metrics: {}, ts: nowMicros() },
        3_000,
      ).catch(() => {});
    await beat();
    this.registryTimer = setInterval(beat, 500);
  }

  publish<T extends MessageType>(topic: string, type: T, data: MessageData<T>): void {
    this.pub.publish(topic, type, data);
  }

  /**
   * A price as the monitors send it: on `prices.<venue>.<id>` and in a quote snapshot, so the
   * tracker marks from it whichever its PT_MARK_SOURCE.
   */
  publishPrice(p: PriceUpdate): void {
    const now = nowMicros();
    this.pub.publish(Topic.price(p.venue, p.market_id), 'price', p, { originTs: now });
    this.pub.publish(Topic.quotes(p.venue, 'test'), 'quotes', { venue: p.venue, quotes: [{ ...p, origin_ts: now }] });
  }

  /** Appends a trade the way execution_service does (slow-track layout); returns its stream id. */
  async appendTrade(t: TradeCompleted, alsoPublish = true): Promise<string> {
    const topic = Topic.tradeCompleted(t.trade_id);
    if (alsoPublish) this.pub?.publish(topic, 'trade_completed', t);
    const envelope = { v: ENVELOPE_VERSION, type: 'trade_completed', id: `e${++this.seq}`, src: 'exec.0', seq: this.seq, ts: nowMicros(), origin_ts: nowMicros(), data: t };
    return (await this.redis.xadd(this.keys.tradesCompleted, '*', ...streamEntryFields(topic, envelope)))!;
  }

  async appendRaw(fields: string[]): Promise<string> {
    return (await this.redis.xadd(this.keys.tradesCompleted, '*', ...fields))!;
  }

  async checkpoint(): Promise<Record<string, string>> {
    return this.redis.hgetall(this.keys.checkpoint);
  }

  async waitCursor(streamId: string, timeoutMs = 10_000): Promise<Record<string, string>> {
    let cp: Record<string, string> = {};
    await eventually(async () => (cp = await this.checkpoint()).trade_cursor === streamId, timeoutMs, `trade cursor ${streamId}`);
    return cp;
  }

  async openRows(): Promise<Map<string, PositionRow>> {
    const raw = await this.redis.hgetall(this.keys.positionsOpen);
    return new Map(Object.entries(raw).map(([id, text]) => [id, JSON.parse(text) as PositionRow]));
  }

  async closedEntries(): Promise<{ positionId: string; state: string; position: Position; book: PositionRow['book'] }[]> {
    const raw = (await this.redis.xrange(this.keys.positionsClosed, '-', '+')) as [string, string[]][];
    return raw.map(([, flat]) => {
      const f: Record<string, string> = {};
      for (let i = 0; i < flat.length; i += 2) f[flat[i]!] = flat[i + 1]!;
      return { positionId: f.position_id!, state: f.state!, position: PositionSchema.parse(JSON.parse(f.data!)), book: JSON.parse(f.book!) as PositionRow['book'] };
    });
  }

  /** Subscribes to the tracker's own publisher (found in the registry). */
  async record(prefixes: string[] = ['positions.', 'signals.exit.']): Promise<void> {
    let endpoint: string | undefined;
    await eventually(async () => {
      const raw = await this.redis.get(registryKey('position_tracker', this.instance));
      endpoint = raw === null ? undefined : (JSON.parse(raw) as { endpoints: string[] }).endpoints[0];
      return endpoint !== undefined;
    }, 10_000, 'the tracker endpoint in the registry');
    this.recorder = new ZmqSubscriber();
    this.recorder.onMessage((topic, env) => void this.heard.push({ topic, env }));
    for (const p of prefixes) this.recorder.subscribe(p);
    this.recorder.connect(endpoint!);
    await new Promise((r) => setTimeout(r, 300)); // the SUB socket joins before anything is published
  }

  positions(positionId?: string): Position[] {
    return this.heard
      .filter((m) => m.env.type === 'position')
      .map((m) => PositionSchema.parse(m.env.data))
      .filter((p) => positionId === undefined || p.position_id === positionId);
  }

  exits(): ExitSignal[] {
    return this.heard.filter((m) => m.env.type === 'exit_signal').map((m) => ExitSignalSchema.parse(m.env.data));
  }

  /** Publishes a probe until the tracker has heard this publisher (ZMQ drops what precedes the join). */
  async joined(received: () => number): Promise<void> {
    const before = received();
    await eventually(() => {
      this.publish(Topic.game('nba', `probe${uid()}`), 'game_state', gameState('probe', 'live', 0, 0));
      return received() > before;
    }, 10_000, 'the tracker hearing the test publisher');
  }

  async close(): Promise<void> {
    if (this.registryTimer !== null) clearInterval(this.registryTimer);
    await this.recorder?.close();
    await this.pub?.close();
    await this.redis.del(registryKey(this.source, '0'));
    const keys = await this.redis.keys(`${this.prefix}*`);
    if (keys.length > 0) await this.redis.del(...keys);
    this.redis.disconnect();
  }
}
