/**
 * Shared parts of the notification tests: a NotificationService in this process over the real
 * Redis (a unique NOTIFY_KEY_PREFIX), real channels pointed at local receivers, a settable
 * clock, a logger whose lines are kept for inspection, and readers of the outbox's keys.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import type { MessageData, MessageType, TradeCompleted } from '../src/core/messages.js';
import { nowMicros } from '../src/core/time.js';
import { Topic } from '../src/core/topics.js';
import { registerInstance } from '../src/bus/registry.js';
import { ZmqPublisher } from '../src/bus/zmq-publisher.js';
import { loadConfig, secretVariables } from '../src/runtime/config.js';
import { createLogger, secretValues } from '../src/runtime/logger.js';
import { Metrics } from '../src/runtime/metrics.js';
import { buildChannels } from '../src/services/notification-service/channels/channel-factory.js';
import { checkNotifyConfig, configSecrets, notifyConfigSpec, notifyKeys, type NotifyKeys } from '../src/services/notification-service/notification-service-config.js';
import { NotificationService } from '../src/services/notification-service/notification-service-core.js';
import type { NotifyEvent } from '../src/services/notification-service/notify-events.js';
import { eventually, testRedis } from './helpers/redis.js';

export const uid = (): string => randomBytes(3).toString('hex');

export class NotifyHarness {
  readonly prefix = `t${uid()}:`;
  readonly keys: NotifyKeys = notifyKeys(this.prefix, this.prefix);
  readonly redis: Redis = testRedis().redis;
  readonly metrics = new Metrics();
  readonly logLines: string[] = [];
  /** The clock the service sees; null follows Date.now(). */
  clock: number | null = null;
  notifier!: NotificationService;

  env(extra: Record<string, string>): Record<string, string> {
    return {
      NOTIFY_KEY_PREFIX: this.prefix,
      EXEC_KEY_PREFIX: this.prefix,
      NOTIFY_RETRY_BASE_MS: '50',
      NOTIFY_RETRY_MAX_MS: '400',
      NOTIFY_GROUP_INTERVAL_MS: '0',
      NOTIFY_WEBHOOK_MIN_INTERVAL_MS: '0',
      NOTIFY_WATCH_MS: '50',
      NOTIFY_TIMEOUT_MS: '1000',
      ...extra,
    };
  }

  async start(extra: Record<string, string>): Promise<NotificationService> {
    const env = this.env(extra);
    const config = loadConfig(notifyConfigSpec, env);
    checkNotifyConfig(config);
    const sink = new Writable({
      write: (chunk: Buffer, _enc, done) => {
        this.logLines.push(...chunk.toString('utf8').split('\n').filter((l) => l.length > 0));
        done();
      },
    });
    const log = createLogger({ name: 'notification_service', level: 'debug', secrets: secretValues(secretVariables(notifyConfigSpec), env), destination: sink });
    this.notifier = new NotificationService({
      config,
      keys: this.keys,
      redis: this.redis,
      channels: buildChannels(config),
      publisher: null,
      service: 'notification_service',
      instance: `t${uid()}`,
      metrics: this.metrics,
      log,
      secrets: configSecrets(config),
      now: () => this.clock ?? Date.now(),
    });
    await this.notifier.start();
    return this.notifier;
  }

  event(n: number | string, extra: Partial<NotifyEvent> = {}): NotifyEvent {
    return { id: `he:${this.prefix}${n}`, type: 'high_edge', severity: 'info', mode: 'PAPER', text: `[PAPER] High edge alert ${n}`, ...extra };
  }

  async logEntries(): Promise<Record<string, string>[]> {
    const raw = (await this.redis.xrange(this.keys.log, '-', '+')) as [string, string[]][];
    return raw.map(([, flat]) => {
      const f: Record<string, string> = {};
      for (let i = 0; i < flat.length; i += 2) f[flat[i]!] = flat[i + 1]!;
      return f;
    });
  }

  async stop(): Promise<void> {
    await this.notifier?.stop();
    const keys = await this.redis.keys(`${this.prefix}*`);
    if (keys.length > 0) await this.redis.del(...keys);
    this.redis.disconnect();
  }
}

/** A hot-path publisher registered like a service, so a notifier (NOTIFY_SOURCE_SERVICES) connects to it. */
export class NotifySource {
  readonly service = `nt_src_${uid()}`;
  pub!: ZmqPublisher;
  #timer: NodeJS.Timeout | null = null;

  constructor(private readonly redis: Redis) {}

  async start(): Promise<this> {
    this.pub = await ZmqPublisher.create({ src: `${this.service}.0`, bindAddress: 'tcp://127.0.0.1:*' });
    const beat = () =>
      registerInstance(
        this.redis,
        { service: this.service, instance: '0', status: 'healthy', pid: process.pid, host: hostname(), started_ts: nowMicros(), endpoints: [this.pub.endpoint!], metrics: {}, ts: nowMicros() },
        3_000,
      ).catch(() => {});
    await beat();
    this.#timer = setInterval(beat, 500);
    return this;
  }

  publish<T extends MessageType>(topic: string, type: T, data: MessageData<T>): void {
    this.pub.publish(topic, type, data);
  }

  /** Publishes probe health alerts until `heard()` says one arrived (ZMQ drops what precedes the join). */
  async joined(heard: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
    await eventually(async () => {
      const id = `probe-${uid()}`;
      this.publish(Topic.health('probe', '0'), 'health_alert', { alert_id: id, service: 'probe', instance: '0', severity: 'info', kind: 'other', message: 'probe', ts: nowMicros() });
      await new Promise((r) => setTimeout(r, 100));
      return heard();
    }, timeoutMs, 'the notifier to join the source');
  }

  async close(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    await this.pub?.close();
  }
}

export function tradeFilled(id: string, mode: TradeCompleted['mode'] = 'paper'): TradeCompleted {
  return {
    trade_id: id, source: 'signal', source_id: `sig-${id}`, game_id: 'g1', sport: 'nba', mode, status: 'filled', reason: null, decided_ts: nowMicros(),
    fills: [{ venue: 'kalshi', market_id: 'KXNBA-BOS', side: 'yes', action: 'buy', contracts: 10, yes_price: 0.55, fee_cc: 1700, order_id: 'o1' }],
  };
}
