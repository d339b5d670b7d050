/**
 * Where the api reads lists that grow (signals, trades, closed positions). Today the Redis streams
 * (newest first, paged by stream id); a Postgres reader over the recorder's tables can implement
 * the same interface and be passed to the api instead, without touching a route.
 */
import type { Redis } from 'ioredis';
import type { Page, PositionView, SignalView, TradeView } from '../../core/api-protocol.js';
import type { Position, TradeCompleted, TradeSignal } from '../../core/messages.js';
import { SlowKey } from '../../core/slow-keys.js';
import { checkEntry, newSlowReadCounters, parseEntryFields, type SlowReadCounters } from '../../bus/slow-track.js';
import { StreamPageCache } from './stream-page-cache.js';

export interface PageRequest {
  limit: number;
  before?: string | undefined;
}

export interface HistoryReader {
  signals(page: PageRequest): Promise<Page<SignalView>>;
  trades(page: PageRequest & { status?: TradeCompleted['status'] | undefined }): Promise<Page<TradeView>>;
  closedPositions(page: PageRequest): Promise<Page<PositionView>>;
}

/** `RISK_MAX_EXPOSURE: detail` -> `RISK_MAX_EXPOSURE`. */
export function reasonCode(reason: string | null): string | null {
  if (reason === null) return null;
  const m = /^([A-Z][A-Z0-9_]+):/.exec(reason);
  return m ? m[1]! : 'OTHER';
}

type RawStreamEntry = [id: string, fields: string[]];

const SCAN_FACTOR = 10;

export class RedisHistoryReader implements HistoryReader {
  readonly counters: SlowReadCounters = newSlowReadCounters();
  /** Decoded pages, reused while their stream is unchanged (stream-page-cache.ts). */
  readonly pages: StreamPageCache;

  constructor(private readonly redis: Redis) {
    this.pages = new StreamPageCache(redis);
  }

  async signals(page: PageRequest): Promise<Page<SignalView>> {
    return this.#page(SlowKey.signalsStream, page, '', (id, fields) => {
      const entry = parseEntryFields(fields);
      const typed = entry && checkEntry(entry, ['trade_signal', 'high_edge_signal'], this.counters);
      if (!typed) return null;
      return { stream_id: id, ts: typed.envelope.ts, type: typed.envelope.type, signal: typed.envelope.data as TradeSignal };
    });
  }

  async trades(page: PageRequest & { status?: TradeCompleted['status'] | undefined }): Promise<Page<TradeView>> {
    return this.#page(SlowKey.tradesCompleted, page, `status=${page.status ?? ''}`, (id, fields) => {
      const entry = parseEntryFields(fields);
      const typed = entry && checkEntry(entry, ['trade_completed'], this.counters);
      if (!typed) return null;
      const trade = typed.envelope.data as TradeCompleted;
      if (page.status !== undefined && trade.status !== page.status) return null;
      return { stream_id: id, ts: typed.envelope.ts, origin_ts: typed.envelope.origin_ts, trade, reason_code: reasonCode(trade.reason) };
    });
  }

  async closedPositions(page: PageRequest): Promise<Page<PositionView>> {
    return this.#page(SlowKey.positionsClosed, page, '', (id, fields) => {
      try {
        return { stream_id: id, position: JSON.parse(fields.data ?? '') as Position };
      } catch {
        this.counters.malformed++;
        return null;
      }
    });
  }

  /** Newest first, from the page cache while the stream is unchanged; `filter` names what `map` filters on. */
  #page<T>(key: string, page: PageRequest, filter: string, map: (id: string, fields: Record<string, string>) => T | null): Promise<Page<T>> {
    return this.pages.read(key, `${page.limit}|${page.before ?? ''}|${filter}`, () => this.#load(key, page, map));
  }

  /** Reads in chunks until the page is full (a filter may skip entries), bounded. */
  async #load<T>(key: string, page: PageRequest, map: (id: string, fields: Record<string, string>) => T | null): Promise<Page<T>> {
    const items: T[] = [];
    let end = page.before === undefined ? '+' : `(${page.before}`;
    let lastId: string | null = null;
    let scanned = 0;
    while (items.length < page.limit && scanned < page.limit * SCAN_FACTOR) {
      const chunk = (await this.redis.xrevrange(key, end, '-', 'COUNT', page.limit)) as RawStreamEntry[];
      for (const [id, pairs] of chunk) {
        lastId = id;
        const item = map(id, toRecord(pairs));
        if (item !== null) items.push(item);
        if (items.length === page.limit) break;
      }
      scanned += chunk.length;
      if (chunk.length < page.limit) return { items, next_before: null };
      end = `(${lastId}`;
    }
    return { items, next_before: lastId };
  }
}

function toRecord(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < pairs.length; i += 2) out[pairs[i]!] = pairs[i + 1]!;
  return out;
}
