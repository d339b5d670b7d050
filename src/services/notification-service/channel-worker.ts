/**
 * One channel's sender: takes what is due from the outbox, one send at a time. Non-critical
 * messages respect the channel's spacing (its rate limit, and the group interval); whatever
 * became due meanwhile goes out as one grouped message (its id fixed in Redis before the first
 * try). Critical messages go at once. A failure is retried with the one backoff
 * (core/backoff.ts), never sooner than the receiver's Retry-After, which also pauses the whole
 * channel; after the last attempt (or the maximum age) the message is dead-lettered.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { backoffDelay, type BackoffPolicy } from '../../core/backoff.js';
import { errorMessage } from '../../core/errors.js';
import type { Metrics } from '../../runtime/metrics.js';
import type { ChannelName, NotifyChannel, SendOutcome, Severity } from './channels/notify-channel.js';
import type { NotificationOutbox, OutboxItem } from './notification-outbox.js';

export interface WorkerOptions {
  readonly channel: NotifyChannel;
  readonly outbox: NotificationOutbox;
  /** Spacing of non-critical sends: max(rate limit, group interval). */
  readonly minIntervalMs: number;
  readonly groupMax: number;
  readonly retry: BackoffPolicy;
  readonly maxAttempts: number;
  readonly maxAgeMs: number;
  readonly now: () => number;
  readonly metrics: Metrics;
  readonly log: Logger;
  /** Masks secrets in a receiver's answer before it reaches a log or Redis (a proxy may echo a URL with its token). */
  readonly scrub: (text: string) => string;
  /** Called once per dead-lettered message. */
  readonly onDead: (item: OutboxItem, reason: string) => void;
  /** Called after each delivery (tests, benches). */
  readonly onDelivered?: (item: OutboxItem) => void;
}

/** Redis unreachable: try again after this. */
const REDIS_RETRY_MS = 500;

export class ChannelWorker {
  #timer: NodeJS.Timeout | null = null;
  #timerAt = Infinity;
  #running = false;
  #again = false;
  #stopped = false;
  #lastSentMs = -Infinity;
  #pausedUntilMs = 0;
  #loop: Promise<void> = Promise.resolve();
  readonly #m: string;

  constructor(private readonly o: WorkerOptions) {
    this.#m = `notify.${o.channel.name}`;
  }

  get name(): ChannelName {
    return this.o.channel.name;
  }

  /** Something may be due: run now (or right after the current pass). */
  wake(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    // At once, not through a timer (a 0 ms timer still waits for the next timers phase, ~1 ms).
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerAt = Infinity;
    this.#loop = this.run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#loop;
    this.o.channel.close();
  }

  private schedule(delayMs: number): void {
    if (this.#stopped) return;
    // Timers run on the real clock, whatever clock routing uses (tests move theirs).
    const at = performance.now() + delayMs;
    if (this.#timer !== null && this.#timerAt <= at) return;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#timerAt = Infinity;
      this.#loop = this.run();
    }, Math.max(0, delayMs));
    if (delayMs > 0) this.#timer.unref();
  }

  private async run(): Promise<void> {
    if (this.#running || this.#stopped) return;
    this.#running = true;
    try {
      let next: number | null;
      do {
        this.#again = false;
        next = await this.pass();
      } while ((next === 0 || this.#again) && !this.#stopped);
      if (next !== null) this.schedule(next);
    } catch (err) {
      this.o.metrics.inc(`${this.#m}.redis_errors`);
      this.o.log.warn({ channel: this.name, err: errorMessage(err) }, 'ARB_REDIS_UNAVAILABLE: outbox pass failed; retrying');
      this.schedule(REDIS_RETRY_MS);
    } finally {
      this.#running = false;
    }
  }

  /** One send at most; returns the delay before the next pass (0: at once), or null when idle. */
  private async pass(): Promise<number | null> {
    const now = this.o.now();
    if (now < this.#pausedUntilMs) return this.#pausedUntilMs - now;
    const { items, nextDueMs, queued } = await this.o.outbox.claim(this.o.channel.name, now, this.o.groupMax);
    this.o.metrics.set(`${this.#m}.queued`, queued);
    if (items.length === 0) return nextDueMs === null ? null : Math.max(1, nextDueMs - now);
    const critical = items.filter((i) => i.critical);
    const waitMs = this.#lastSentMs + this.o.minIntervalMs - now;
    if (critical.length === 0 && waitMs > 0) return waitMs;
    const batch = critical.length > 0 ? critical : items;
    const item = await this.batchToSend(batch, now);
    await this.sendOne(item, now);
    return 0;
  }

  /** The item to send: a retried one alone (its id must not change), else all fresh ones as one group. */
  private async batchToSend(batch: OutboxItem[], now: number): Promise<OutboxItem> {
    const retried = batch.find((i) => i.attempts > 0);
    if (retried !== undefined) return retried;
    if (batch.length === 1) return batch[0]!;
    const group = groupOf(batch, now);
    await this.o.outbox.group(this.o.channel.name, batch, group, now);
    this.o.metrics.inc(`${this.#m}.grouped`, batch.length);
    return group;
  }

  private async sendOne(item: OutboxItem, now: number): Promise<void> {
    if (!item.critical) this.#lastSentMs = now;
    const outcome = scrubbed(await this.send(item), this.o.scrub);
    const after = this.o.now();
    if (outcome.kind === 'ok') {
      await this.o.outbox.delivered(this.name, item, after - now);
      this.o.metrics.inc(`${this.#m}.delivered`);
      this.o.metrics.inc(`${this.#m}.events_delivered`, item.events.length);
      this.o.onDelivered?.(item);
      return;
    }
    const attempts = item.attempts + 1;
    const tooOld = after - (item.firstTryMs ?? now) >= this.o.maxAgeMs;
    if (outcome.kind === 'fatal' || attempts >= this.o.maxAttempts || tooOld) {
      const why = outcome.kind === 'fatal' ? outcome.reason : `${outcome.reason} (gave up after ${attempts} attempts${tooOld ? ', too old' : ''})`;
      await this.o.outbox.dead(this.name, item, why);
      this.o.metrics.inc(`${this.#m}.dead`);
      this.o.log.error({ channel: this.name, id: item.id, type: item.type, attempts }, `notification dead-lettered: ${why}`);
      this.o.onDead(item, why);
      return;
    }
    const wish = outcome.retryAfterMs ?? 0;
    if (wish > 0) this.#pausedUntilMs = Math.max(this.#pausedUntilMs, after + wish);
    const due = after + Math.max(backoffDelay(this.o.retry, item.attempts), wish);
    await this.o.outbox.retry(this.name, item, due, outcome.reason, now);
    this.o.metrics.inc(`${this.#m}.retries`);
    if (outcome.status === 429) this.o.metrics.inc(`${this.#m}.rate_limited`);
    // The first failure of a message is logged; its later ones are in notifications:log.
    if (item.attempts === 0) this.o.log.warn({ channel: this.name, id: item.id, retryInMs: due - after }, `notification send failed, will retry: ${outcome.reason}`);
  }

  private async send(item: OutboxItem): Promise<SendOutcome> {
    try {
      return await this.o.channel.send(item);
    } catch (err) {
      // Channels do not throw; a bug in one must still not lose the message.
      return { kind: 'retry', status: null, retryAfterMs: null, reason: errorMessage(err) };
    }
  }
}

function scrubbed(outcome: SendOutcome, scrub: (text: string) => string): SendOutcome {
  return outcome.kind === 'ok' ? outcome : { ...outcome, reason: scrub(outcome.reason) };
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** Several due items as one message: every event kept, a headline and one line each. */
export function groupOf(items: readonly OutboxItem[], nowMs: number): OutboxItem {
  const events = items.flatMap((i) => i.events);
  const severity = items.reduce<Severity>((s, i) => (RANK[i.severity] > RANK[s] ? i.severity : s), 'info');
  const mode = items.some((i) => i.mode === 'LIVE') ? 'LIVE' : 'PAPER';
  const digest = items.every((i) => i.digest);
  const types = [...new Set(items.map((i) => i.type))];
  const headline = `[${mode}] ${digest ? 'Digest' : 'Alerts'}: ${events.length} (${types.join(', ')})`;
  const text = [headline, ...events.map((e) => `- ${e.message.replace(/^\[(PAPER|LIVE)\] /, '')}`)].join('\n');
  return {
    id: `g${nowMs.toString(36)}-${randomBytes(5).toString('hex')}`,
    type: types.length === 1 ? types[0]! : 'group',
    severity,
    mode,
    text,
    ts: Math.min(...items.map((i) => i.ts)),
    events,
    digest,
    critical: items.some((i) => i.critical),
    attempts: 0,
  };
}
