/**
 * The current state of the hot path as the api heard it: the latest message per topic and type
 * for state-like families (prices, books, games, positions, health) and the most recent
 * messages of event-like families (signals, trades). It answers a WebSocket subscription with
 * a snapshot and the REST book read, without touching Redis.
 *
 * A state topic only ever moves forward (isLaterMessage: seq within a publisher boot, else publish
 * time): a message older than the one held is refused, so state loaded from Redis when a family
 * is switched on (live-families.ts) and live messages can arrive in any order and the cache still
 * ends on the newest of each topic.
 */
import type { WsEvent } from '../../core/api-protocol.js';
import { isLaterMessage, type RawEnvelope } from '../../core/envelope.js';
import { TopicPrefix } from '../../core/topics.js';

const EVENT_FAMILIES = [TopicPrefix.signals, TopicPrefix.tradesCompleted];

function eventFamilyOf(topic: string): string | null {
  for (const f of EVENT_FAMILIES) if (topic.startsWith(f)) return f;
  return null;
}

export interface LiveCacheOptions {
  /** Most state topics kept (oldest update dropped first beyond it). */
  maxTopics: number;
  /** Most recent events kept per event family. */
  recentEvents: number;
}

/** What orders two messages of one topic: the envelope's publisher identity and time (isLaterMessage). */
export type MessageOrder = Pick<RawEnvelope, 'src' | 'id' | 'seq' | 'ts'>;

/** The event and what orders it (isLaterMessage reads src, id, seq, ts). */
interface StateEntry {
  event: WsEvent;
  src: string;
  id: string;
  seq: number;
  ts: number;
}

export class LiveCache {
  readonly #latest = new Map<string, StateEntry>();
  readonly #recent = new Map<string, WsEvent[]>();
  evicted = 0;
  /** State messages refused because the cache held a later one of their topic. */
  stale = 0;
  /** Bumped by every change: a snapshot taken at one version is the same until the next. */
  version = 0;

  constructor(private readonly options: LiveCacheOptions = { maxTopics: 50_000, recentEvents: 100 }) {}

  /**
   * Keeps `event` (`order`: its envelope); false (nothing changed) when it is older than what the
   * cache holds for its topic. Called per hot-path message: a held entry is updated in place.
   */
  put(event: WsEvent, order: MessageOrder): boolean {
    this.version++;
    const family = eventFamilyOf(event.topic);
    if (family !== null) {
      this.#remember(family, event);
      return true;
    }
    const key = `${event.topic}|${event.type}`;
    let entry = this.#latest.get(key);
    if (entry !== undefined) {
      if (!isLaterMessage(order, entry)) {
        this.stale++;
        return false;
      }
      entry.event = event;
      entry.src = order.src;
      entry.id = order.id;
      entry.seq = order.seq;
      entry.ts = order.ts;
      this.#latest.delete(key); // re-insert: Map order is then least recently updated first
    } else {
      entry = { event, src: order.src, id: order.id, seq: order.seq, ts: order.ts };
    }
    this.#latest.set(key, entry);
    if (this.#latest.size > this.options.maxTopics) {
      const oldest = this.#latest.keys().next().value;
      if (oldest !== undefined) this.#latest.delete(oldest);
      this.evicted++;
    }
    return true;
  }

  /** Everything under a prefix: state topics first (game_info before game_state), then recent events, oldest first. */
  snapshot(prefix: string): WsEvent[] {
    const out: WsEvent[] = [];
    for (const { event } of this.#latest.values()) if (event.topic.startsWith(prefix)) out.push(event);
    out.sort((a, b) => (a.type === b.type ? a.ts - b.ts : a.type === 'game_info' ? -1 : b.type === 'game_info' ? 1 : a.ts - b.ts));
    for (const [family, events] of this.#recent) {
      if (family.startsWith(prefix) || prefix.startsWith(family)) out.push(...events.filter((e) => e.topic.startsWith(prefix)));
    }
    return out;
  }

  latest(topic: string, type: string): WsEvent | undefined {
    return this.#latest.get(`${topic}|${type}`)?.event;
  }

  /** Forgets the state of every topic under `prefix` (a family nobody follows any more goes stale). */
  forget(prefix: string): void {
    this.version++;
    for (const [key, { event }] of this.#latest) if (event.topic.startsWith(prefix)) this.#latest.delete(key);
  }

  get size(): number {
    return this.#latest.size;
  }

  #remember(family: string, event: WsEvent): void {
    let list = this.#recent.get(family);
    if (list === undefined) this.#recent.set(family, (list = []));
    list.push(event);
    if (list.length > this.options.recentEvents) list.shift();
  }
}
