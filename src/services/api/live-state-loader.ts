/**
 * The state of a hot family as the slow track holds it, read when the api switches the family's
 * subscription on (live-families.ts): the api did not hear the family while nobody followed it, so
 * a snapshot needs what zmq_listener wrote meanwhile. Prices: every latest-price hash
 * (`price:<venue>:<id>`); books: the newest entries of the mirrored book streams
 * (`mirror:orderbook:<venue>`, capped; the bridge keeps no latest key per book).
 */
import type { Redis } from 'ioredis';
import { checkEntry, newSlowReadCounters, parseEntryFields, readRecent, type SlowEntry, type SlowReadCounters } from '../../bus/slow-track.js';
import { SlowKey } from '../../core/slow-keys.js';
import { TopicPrefix, VENUES } from '../../core/topics.js';

export interface LiveStateLoaderOptions {
  /** Most latest-price hashes read (the live cache's bound). */
  maxPrices: number;
  /** Newest book stream entries read per venue. */
  bookEntries: number;
}

const SCAN_COUNT = 1_000;
const HGETALL_BATCH = 500;

export class LiveStateLoader {
  readonly counters: SlowReadCounters = newSlowReadCounters();

  constructor(
    private readonly redis: Redis,
    private readonly options: LiveStateLoaderOptions = { maxPrices: 50_000, bookEntries: 2_000 },
  ) {}

  /** The stored state of a family the api switches on (empty for families it always follows). */
  async load(family: string): Promise<SlowEntry[]> {
    if (family === TopicPrefix.prices) return this.#prices();
    if (family === TopicPrefix.orderbooks) return this.#books();
    return [];
  }

  async #prices(): Promise<SlowEntry[]> {
    const keys: string[] = [];
    for (const venue of VENUES) await this.#scan(SlowKey.latestPrice(venue, '*'), keys);
    const out: SlowEntry[] = [];
    for (let i = 0; i < keys.length; i += HGETALL_BATCH) {
      const pipe = this.redis.pipeline();
      for (const key of keys.slice(i, i + HGETALL_BATCH)) pipe.hgetall(key);
      for (const [err, fields] of (await pipe.exec()) ?? []) {
        // Gone between SCAN and HGETALL (an empty hash): nothing to keep.
        if (err !== null || Object.keys(fields as object).length === 0) continue;
        this.#keep(parseEntryFields(fields as Record<string, string>), 'price', out);
      }
    }
    return out;
  }

  async #scan(match: string, into: string[]): Promise<void> {
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', match, 'COUNT', SCAN_COUNT);
      cursor = next;
      for (const key of found) if (into.length < this.options.maxPrices) into.push(key);
    } while (cursor !== '0' && into.length < this.options.maxPrices);
  }

  async #books(): Promise<SlowEntry[]> {
    const out: SlowEntry[] = [];
    for (const venue of VENUES) {
      const entries = await readRecent(this.redis, SlowKey.mirrorStream(`${TopicPrefix.orderbooks}${venue}`), this.options.bookEntries, this.counters);
      for (const entry of entries) this.#keep(entry, 'orderbook', out);
    }
    return out;
  }

  #keep(entry: SlowEntry | null, type: 'price' | 'orderbook', out: SlowEntry[]): void {
    if (entry === null) {
      this.counters.malformed++;
      return;
    }
    if (checkEntry(entry, [type], this.counters) !== null) out.push(entry);
  }
}
