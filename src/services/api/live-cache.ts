/**
 * The current state of the hot path as the api heard it: the latest message per topic and type
 * for state-like families (prices, books, games, positions, health) and the most recent
 * messages of event-like families (signals, trades). It answers a WebSocket subscription with
 * a snapshot and the REST book read, without touching Redis.
 */
import type { WsEvent } from '../../core/api-protocol.js';
import { TopicPrefix } from '../../core/topics.js';

const EVENT_FAMILIES = [TopicPrefix.signals, TopicPrefix.tradesCompleted];

export interface LiveCacheOptions {
  /** Most state topics kept (oldest update dropped first beyond it). */
  maxTopics: number;
  /** Most recent events kept per event family. */
  recentEvents: number;
}

export class LiveCache {
  readonly #latest = new Map<string, WsEvent>();
  readonly #recent = new Map<string, WsEvent[]>();
  evicted = 0;

  constructor(private readonly options: LiveCacheOptions = { maxTopics: 50_000, recentEvents: 100 }) {}

  put(event: WsEvent): void {
    const family = EVENT_FAMILIES.find((f) => event.topic.startsWith(f));
    if (family !== undefined) return this.#remember(family, event);
    const key = `${event.topic}|${event.type}`;
    this.#latest.delete(key); // re-insert: Map order is then least recently updated first
    this.#latest.set(key, event);
    if (this.#latest.size > this.options.maxTopics) {
      const oldest = this.#latest.keys().next().value;
      if (oldest !== undefined) this.#latest.delete(oldest);
      this.evicted++;
    }
  }

  /** Everything under a prefix: state topics first (game_info before game_state), then recent events, oldest first. */
  snapshot(prefix: string): WsEvent[] {
    const out: WsEvent[] = [];
    for (const event of this.#latest.values()) if (event.topic.startsWith(prefix)) out.push(event);
    out.sort((a, b) => (a.type === b.type ? a.ts - b.ts : a.type === 'game_info' ? -1 : b.type === 'game_info' ? 1 : a.ts - b.ts));
    for (const [family, events] of this.#recent) {
      if (family.startsWith(prefix) || prefix.startsWith(family)) out.push(...events.filter((e) => e.topic.startsWith(prefix)));
    }
    return out;
  }

  latest(topic: string, type: string): WsEvent | undefined {
    return this.#latest.get(`${topic}|${type}`);
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
