/**
 * NotificationService: hot-path messages and watched states in, alerts accepted into the
 * durable outbox, one ChannelWorker per configured channel sending them. A message that is
 * malformed, of an unknown type or below a threshold is counted (and logged once per reason),
 * never thrown. An event that cannot be written (Redis away) is kept in memory and retried, so
 * nothing heard is dropped for a Redis blip.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { RawEnvelope } from '../../core/envelope.js';
import { errorMessage } from '../../core/errors.js';
import type { HealthAlert } from '../../core/messages.js';
import { ThrottledLog } from '../../core/throttled-log.js';
import { nowMicros } from '../../core/time.js';
import { Topic } from '../../core/topics.js';
import type { HotPublisher } from '../../bus/hot-publisher.js';
import { scrubString } from '../../runtime/logger.js';
import type { Metrics } from '../../runtime/metrics.js';
import type { ChannelName, NotifyChannel, TradingModeLabel } from './channels/notify-channel.js';
import { ChannelWorker } from './channel-worker.js';
import { channelMinIntervalMs, type ChannelProblem, type NotifyConfig, type NotifyKeys } from './notification-service-config.js';
import { NotificationOutbox, type OutboxItem } from './notification-outbox.js';
import { eventFromMessage, minPnlCc, modeLabel, shortHash, type EventContext, type NotifyEvent } from './notify-events.js';
import { QuietHours } from './quiet-hours.js';
import { Router } from './router.js';
import { SlowCatchUp } from './slow-catch-up.js';
import { StateWatch } from './state-watch.js';

export interface NotificationServiceOptions {
  readonly config: NotifyConfig;
  readonly keys: NotifyKeys;
  readonly redis: Redis;
  readonly channels: readonly NotifyChannel[];
  readonly publisher: HotPublisher | null;
  readonly service: string;
  readonly instance: string;
  readonly metrics: Metrics;
  readonly log: Logger;
  /** The values of the secret variables, masked in every reason a receiver gives. */
  readonly secrets?: readonly string[];
  /** The clock of routing, quiet hours, grouping and retries (tests drive it). */
  readonly now?: () => number;
}

/** Events kept in memory while Redis refuses them; past this the oldest are dropped (and counted). */
const MAX_UNACCEPTED = 10_000;
const ACCEPT_RETRY_MS = 500;

export class NotificationService {
  readonly outbox: NotificationOutbox;
  readonly router: Router;
  readonly workers = new Map<ChannelName, ChannelWorker>();
  readonly #ctx: EventContext;
  readonly #now: () => number;
  readonly #watch: StateWatch;
  readonly #catchUp: SlowCatchUp;
  readonly #skipLog: ThrottledLog;
  readonly #unaccepted: NotifyEvent[] = [];
  #acceptTimer: NodeJS.Timeout | null = null;
  /** Channels whose dead-lettering already raised its health alert (until a delivery succeeds). */
  readonly #deadAlerted = new Set<ChannelName>();
  readonly mode: TradingModeLabel;

  constructor(private readonly o: NotificationServiceOptions) {
    const { config } = o;
    this.#now = o.now ?? Date.now;
    this.mode = modeLabel(config.tradingMode);
    this.#ctx = { mode: this.mode, minEdge: config.minEdge, minPnlCc: minPnlCc(config.minPnlUsd) };
    this.outbox = new NotificationOutbox(o.redis, o.keys, config.dedupeTtlS, config.logMaxLen);
    const quiet = config.quietHours === null ? null : new QuietHours(config.quietHours, config.timeZone);
    this.router = new Router({
      channels: o.channels.map((c) => c.name),
      rules: config.routes,
      quietHours: quiet,
      digestIntervalMs: config.digestIntervalMs,
      groupWaitMs: config.groupWaitMs,
    });
    for (const channel of o.channels) this.workers.set(channel.name, this.workerFor(channel));
    this.#watch = new StateWatch({ redis: o.redis, keys: o.keys, watchMs: config.watchMs, mode: this.mode, accept: (e) => this.accept(e), metrics: o.metrics, log: o.log });
    this.#catchUp = new SlowCatchUp({
      redis: o.redis,
      watchKey: o.keys.watch,
      tradesKey: o.keys.tradesCompleted,
      healthAlertsKey: o.keys.healthAlerts,
      ownService: o.service,
      pollMs: config.watchMs,
      onMessage: (m) => this.onMessage('slow-track', m.type, m.data, true),
      metrics: o.metrics,
      log: o.log,
    });
    this.#skipLog = new ThrottledLog(o.log, { maxPerWindow: 5, windowMs: 60_000 });
  }

  private workerFor(channel: NotifyChannel): ChannelWorker {
    const { config } = this.o;
    return new ChannelWorker({
      channel,
      outbox: this.outbox,
      minIntervalMs: Math.max(channelMinIntervalMs(config, channel.name), config.groupIntervalMs),
      groupMax: config.groupMax,
      retry: { baseMs: config.retryBaseMs, maxMs: config.retryMaxMs, factor: 2, jitter: 0.2 },
      maxAttempts: config.maxAttempts,
      maxAgeMs: config.maxAgeMs,
      now: this.#now,
      metrics: this.o.metrics,
      log: this.o.log,
      scrub: (text) => scrubString(text, this.o.secrets ?? []),
      onDead: (item, reason) => void this.onDead(channel.name, item, reason),
      onDelivered: () => this.#deadAlerted.delete(channel.name),
    });
  }

  /** Starts the watches and sends whatever the outbox still holds from before a restart. */
  async start(): Promise<void> {
    for (const w of this.workers.values()) w.wake();
    await this.#watch.start();
    await this.#catchUp.start();
  }

  async stop(): Promise<void> {
    if (this.#acceptTimer !== null) clearTimeout(this.#acceptTimer);
    await this.#watch.stop();
    await this.#catchUp.stop();
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
  }

  /** The hot-path handler: never throws. */
  onHot(topic: string, envelope: RawEnvelope): Promise<boolean> {
    this.o.metrics.inc('notify.heard');
    return this.onMessage(topic, envelope.type, envelope.data, false);
  }

  /** One message from the hot path or the durable streams (`caughtUp`: its duplicates are expected, not counted). */
  private onMessage(topic: string, type: string, data: unknown, caughtUp: boolean): Promise<boolean> {
    const result = eventFromMessage(type, data, this.#ctx);
    if ('skip' in result) {
      if (caughtUp) return Promise.resolve(false);
      this.o.metrics.inc(`notify.skipped.${result.skip}`);
      if (result.skip === 'malformed' || result.skip === 'unknown_type') {
        this.#skipLog.warn({ topic: topic.slice(0, 200), type: String(type).slice(0, 64), detail: result.detail }, `notification input skipped (${result.skip})`);
      }
      return Promise.resolve(false);
    }
    return this.accept(result, undefined, caughtUp);
  }

  /** Routes and writes one event; true when it was new. */
  async accept(event: NotifyEvent, except?: ChannelName, caughtUp = false): Promise<boolean> {
    const now = this.#now();
    const plan = this.router.plan(event, now).filter((d) => d.channel !== except);
    // No channel wants it (none configured, as in bench:pipeline, or NOTIFY_ROUTES sends it
    // nowhere): nothing to deliver, so nothing to dedupe; a Redis write per event would buy nothing.
    if (plan.length === 0) {
      this.o.metrics.inc('notify.unrouted');
      return false;
    }
    let fresh: boolean;
    try {
      fresh = await this.outbox.accept(event, plan, now);
    } catch (err) {
      this.keepForLater(event, err);
      return false;
    }
    if (!fresh) {
      if (!caughtUp) this.o.metrics.inc('notify.duplicates');
      return false;
    }
    this.o.metrics.inc(caughtUp ? 'notify.caught_up' : 'notify.accepted');
    this.o.metrics.inc(`notify.accepted.${event.type}`);
    for (const d of plan) {
      if (d.digest) void this.outbox.held(d.channel, event.id, d.dueMs).catch(() => {});
      this.workers.get(d.channel)?.wake();
    }
    return true;
  }

  private keepForLater(event: NotifyEvent, err: unknown): void {
    this.o.metrics.inc('notify.accept_errors');
    if (this.#unaccepted.length >= MAX_UNACCEPTED) {
      this.#unaccepted.shift();
      this.o.metrics.inc('notify.accept_dropped');
    }
    this.#unaccepted.push(event);
    this.#skipLog.warn({ err: errorMessage(err) }, 'ARB_REDIS_UNAVAILABLE: alert not yet in the outbox; kept in memory and retried');
    this.#acceptTimer ??= setTimeout(() => {
      this.#acceptTimer = null;
      for (const e of this.#unaccepted.splice(0)) void this.accept(e);
    }, ACCEPT_RETRY_MS);
  }

  /** Tells the working channels which ones are off and why (the variable, never its value). */
  async reportMisconfigured(problems: readonly ChannelProblem[]): Promise<void> {
    for (const p of problems) {
      const text = `[${this.mode}] Notification channel ${p.channel} is off: ${p.variable} ${p.problem}`;
      await this.accept({ id: `cfg:${p.channel}:${p.variable}:${shortHash(p.problem)}`, type: 'health', severity: 'warning', mode: this.mode, text });
    }
  }

  /**
   * One health alert per channel that starts dead-lettering (not one per message), on the hot
   * path and in alerts:health, and the news to the other channels (never back to the failing
   * one, so a dead channel cannot loop).
   */
  private async onDead(channel: ChannelName, item: OutboxItem, reason: string): Promise<void> {
    if (item.type === 'dead_letter' || this.#deadAlerted.has(channel)) return;
    this.#deadAlerted.add(channel);
    const message = `notifications to ${channel} fail for good (${reason.slice(0, 160)}); ${item.events.length} alert(s) dead-lettered in notify:dead`;
    const alert: HealthAlert = {
      alert_id: `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`,
      service: this.o.service,
      instance: this.o.instance,
      severity: 'warning',
      kind: 'other',
      message,
      ts: nowMicros(),
    };
    try {
      this.o.publisher?.publish(Topic.health(this.o.service, this.o.instance), 'health_alert', alert);
      await this.o.redis.xadd(this.o.keys.healthAlerts, 'MAXLEN', '~', '10000', '*', 'id', alert.alert_id, 'kind', alert.kind, 'service', alert.service, 'instance', alert.instance ?? '', 'severity', alert.severity, 'ts', String(alert.ts), 'data', JSON.stringify(alert));
    } catch (err) {
      this.o.log.warn({ err: errorMessage(err) }, 'ARB_REDIS_UNAVAILABLE: dead-letter alert not recorded');
    }
    const event: NotifyEvent = { id: `dl:${channel}:${item.id}`, type: 'dead_letter', severity: 'warning', mode: item.mode, text: `[${item.mode}] Notifications to ${channel} are failing: ${reason.slice(0, 160)}` };
    await this.accept(event, channel);
  }
}
