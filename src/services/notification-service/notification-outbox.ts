/**
 * The durable outbox in Redis: an alert is accepted only once it is written (per channel: a
 * hash of items and a sorted set of due times), atomically with its dedupe mark, so a kill -9
 * after acceptance loses nothing and the same event heard twice is one alert. Every change of
 * an item (grouped, delivered, retried, dead-lettered) is one MULTI, and each outcome is
 * appended to the `notifications:log` stream.
 */
import type { Redis } from 'ioredis';
import type { ChannelName, OutgoingMessage } from './channels/notify-channel.js';
import type { NotifyKeys } from './notification-service-config.js';
import type { NotifyEvent } from './notify-events.js';
import type { Delivery } from './router.js';

export interface OutboxItem extends OutgoingMessage {
  readonly digest: boolean;
  readonly critical: boolean;
  /** Failed attempts so far. */
  readonly attempts: number;
  readonly lastError?: string;
  /** When it was first tried (ms): its age for NOTIFY_MAX_AGE_MS (a digest may wait hours before that). */
  readonly firstTryMs?: number;
}

export type DeliveryStatus = 'delivered' | 'retry' | 'dead' | 'held';

/**
 * KEYS[1] the dedupe key, then per channel its queue then its items. ARGV[1] TTL (s), ARGV[2]
 * the item id, then per channel the item JSON and its due time. Returns 1, or 0 for a duplicate.
 */
const ACCEPT_LUA = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
local n = (#KEYS - 1) / 2
for i = 1, n do
  redis.call('HSET', KEYS[1 + 2 * i], ARGV[2], ARGV[1 + 2 * i])
  redis.call('ZADD', KEYS[2 * i], ARGV[2 + 2 * i], ARGV[2])
end
return 1`;

/** KEYS[1] queue, KEYS[2] items; ARGV[1] now, ARGV[2] max. Returns {next due or '', queue length, id, json, id, json...}. */
const CLAIM_LUA = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {'', redis.call('ZCARD', KEYS[1])}
local later = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
if #later > 0 then out[1] = later[2] end
for _, id in ipairs(ids) do
  local json = redis.call('HGET', KEYS[2], id)
  if json then table.insert(out, id); table.insert(out, json) else redis.call('ZREM', KEYS[1], id) end
end
return out`;

type OutboxRedis = Redis & {
  notifyAccept(...args: (string | number)[]): Promise<number>;
  notifyClaim(queue: string, items: string, now: number, max: number): Promise<(string | number)[]>;
};

export interface Claimed {
  readonly items: OutboxItem[];
  /** When the next not-yet-due item is due (ms), or null when none waits. */
  readonly nextDueMs: number | null;
  /** Items waiting on the channel (due or not), for the heartbeat. */
  readonly queued: number;
}

export class NotificationOutbox {
  readonly #redis: OutboxRedis;

  constructor(
    redis: Redis,
    private readonly keys: NotifyKeys,
    private readonly dedupeTtlS: number,
    private readonly logMaxLen: number,
  ) {
    this.#redis = redis as OutboxRedis;
    if (typeof this.#redis.notifyAccept !== 'function') {
      redis.defineCommand('notifyAccept', { lua: ACCEPT_LUA });
      redis.defineCommand('notifyClaim', { numberOfKeys: 2, lua: CLAIM_LUA });
    }
  }

  /** Writes the event to every planned channel; false when its id was already accepted. */
  async accept(event: NotifyEvent, deliveries: readonly Delivery[], nowMs: number): Promise<boolean> {
    const keys = [this.keys.seen(event.id)];
    const args: (string | number)[] = [this.dedupeTtlS, event.id];
    for (const d of deliveries) {
      keys.push(this.keys.queue(d.channel), this.keys.items(d.channel));
      const item: OutboxItem = {
        id: event.id,
        type: event.type,
        severity: event.severity,
        mode: event.mode,
        text: event.text,
        ts: nowMs,
        events: [{ id: event.id, type: event.type, severity: event.severity, message: event.text }],
        digest: d.digest,
        critical: d.critical,
        attempts: 0,
      };
      // Critical items score 0: first in every claim, ahead of a backlog of due non-critical ones.
      args.push(JSON.stringify(item), d.critical ? 0 : d.dueMs);
    }
    return (await this.#redis.notifyAccept(keys.length, ...keys, ...args)) === 1;
  }

  async claim(channel: ChannelName, nowMs: number, max: number): Promise<Claimed> {
    const raw = await this.#redis.notifyClaim(this.keys.queue(channel), this.keys.items(channel), nowMs, max);
    const items: OutboxItem[] = [];
    for (let i = 2; i + 1 < raw.length; i += 2) {
      try {
        items.push(JSON.parse(String(raw[i + 1])) as OutboxItem);
      } catch {
        await this.drop(channel, String(raw[i]));
      }
    }
    return { items, nextDueMs: raw[0] === '' || raw[0] === undefined ? null : Number(raw[0]), queued: Number(raw[1] ?? 0) };
  }

  /** Replaces `members` by `group` (same transaction), so the group's id is fixed before its first send. */
  async group(channel: ChannelName, members: readonly OutboxItem[], group: OutboxItem, dueMs: number): Promise<void> {
    const ids = members.map((m) => m.id);
    await this.#redis
      .multi()
      .hset(this.keys.items(channel), group.id, JSON.stringify(group))
      .zadd(this.keys.queue(channel), dueMs, group.id)
      .hdel(this.keys.items(channel), ...ids)
      .zrem(this.keys.queue(channel), ...ids)
      .exec();
  }

  async delivered(channel: ChannelName, item: OutboxItem, latencyMs: number): Promise<void> {
    await this.#redis
      .multi()
      .hdel(this.keys.items(channel), item.id)
      .zrem(this.keys.queue(channel), item.id)
      .xadd(this.keys.log, 'MAXLEN', '~', String(this.logMaxLen), '*', ...this.logFields(channel, item, 'delivered', `${latencyMs} ms`))
      .exec();
  }

  async retry(channel: ChannelName, item: OutboxItem, dueMs: number, reason: string, triedMs: number): Promise<void> {
    const next: OutboxItem = { ...item, attempts: item.attempts + 1, lastError: reason, firstTryMs: item.firstTryMs ?? triedMs };
    await this.#redis
      .multi()
      .hset(this.keys.items(channel), item.id, JSON.stringify(next))
      .zadd(this.keys.queue(channel), dueMs, item.id)
      .xadd(this.keys.log, 'MAXLEN', '~', String(this.logMaxLen), '*', ...this.logFields(channel, next, 'retry', reason))
      .exec();
  }

  async dead(channel: ChannelName, item: OutboxItem, reason: string): Promise<void> {
    const final: OutboxItem = { ...item, attempts: item.attempts + 1, lastError: reason };
    await this.#redis
      .multi()
      .hdel(this.keys.items(channel), item.id)
      .zrem(this.keys.queue(channel), item.id)
      .hset(this.keys.dead, `${channel}:${item.id}`, JSON.stringify({ channel, ...final }))
      .xadd(this.keys.log, 'MAXLEN', '~', String(this.logMaxLen), '*', ...this.logFields(channel, final, 'dead', reason))
      .exec();
  }

  async held(channel: ChannelName, eventId: string, untilMs: number): Promise<void> {
    await this.#redis.xadd(this.keys.log, 'MAXLEN', '~', String(this.logMaxLen), '*', 'channel', channel, 'id', eventId, 'status', 'held', 'detail', `until ${new Date(untilMs).toISOString()}`);
  }

  /** Items waiting on a channel (due or not). */
  pending(channel: ChannelName): Promise<number> {
    return this.#redis.zcard(this.keys.queue(channel));
  }

  private async drop(channel: ChannelName, id: string): Promise<void> {
    await this.#redis.multi().hdel(this.keys.items(channel), id).zrem(this.keys.queue(channel), id).exec();
  }

  private logFields(channel: ChannelName, item: OutboxItem, status: DeliveryStatus, detail: string): string[] {
    return [
      'channel', channel, 'id', item.id, 'status', status, 'type', item.type, 'severity', item.severity, 'mode', item.mode,
      'events', String(item.events.length), 'attempts', String(item.attempts), 'detail', detail.slice(0, 300),
    ];
  }
}
