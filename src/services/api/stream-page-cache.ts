/**
 * Pages of a Redis stream, kept decoded until the stream changes. Stream entries never change
 * once written, so a page read under the same stream version (its length and newest id: an
 * XADD changes the id, a trim changes the length) is the same page: it is answered from memory
 * instead of re-reading and re-decoding the entries on every request (the funnel and the trades
 * list were doing that for every dashboard refresh). The version costs one pipelined round trip.
 * A write racing a load is harmless: the page is stored under the older version and the next
 * read, seeing the newer one, loads again.
 */
import type { Redis } from 'ioredis';

export interface StreamPageCacheCounters {
  hits: number;
  misses: number;
}

interface CachedPage {
  version: string;
  page: unknown;
}

const DEFAULT_MAX_PAGES = 256;

export class StreamPageCache {
  readonly counters: StreamPageCacheCounters = { hits: 0, misses: 0 };
  /** Map order is least recently used first. */
  readonly #pages = new Map<string, CachedPage>();

  constructor(
    private readonly redis: Redis,
    private readonly maxPages = DEFAULT_MAX_PAGES,
  ) {}

  /** The page `pageKey` of stream `streamKey`: from memory while the stream is unchanged, else `load()`. */
  async read<T>(streamKey: string, pageKey: string, load: () => Promise<T>): Promise<T> {
    const version = await this.#version(streamKey);
    const key = `${streamKey}\u0000${pageKey}`;
    const cached = this.#pages.get(key);
    this.#pages.delete(key);
    if (cached !== undefined && cached.version === version) {
      this.counters.hits++;
      this.#pages.set(key, cached);
      return cached.page as T;
    }
    this.counters.misses++;
    const page = await load();
    this.#pages.set(key, { version, page });
    if (this.#pages.size > this.maxPages) {
      const oldest = this.#pages.keys().next().value;
      if (oldest !== undefined) this.#pages.delete(oldest);
    }
    return page;
  }

  get size(): number {
    return this.#pages.size;
  }

  async #version(streamKey: string): Promise<string> {
    const results = (await this.redis.pipeline().xlen(streamKey).xrevrange(streamKey, '+', '-', 'COUNT', 1).exec()) ?? [];
    const [lenErr, len] = results[0] ?? [];
    const [headErr, head] = results[1] ?? [];
    if (lenErr || headErr) throw lenErr ?? headErr;
    const newest = (head as [string, string[]][] | undefined)?.[0]?.[0] ?? '';
    return `${String(len)}|${newest}`;
  }
}
