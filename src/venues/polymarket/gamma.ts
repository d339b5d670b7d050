/**
 * Gamma API client (market discovery, Polymarket's API documentation): events and markets by tag, slug,
 * active/closed, with pagination. Gamma's JSON-in-JSON fields (outcomes, outcomePrices,
 * clobTokenIds) are decoded by parse.ts. A malformed record is rejected on its own (clear error,
 * counted) and the rest of the page is kept. Listing tries the keyset endpoints first and falls
 * back to offset pagination when the server does not have them.
 */
import { POLYMARKET_HOSTS } from './common.js';
import { PolymarketHttpError, PolymarketParseError } from './errors.js';
import type { JsonHttpClient } from '../json-http-client.js';
import { createPolymarketHttp, polymarketTransportStats, stripUndefined } from './json-http.js';
import {
  parseGammaEvent,
  parseGammaMarket,
  parseGammaPage,
  type GammaEvent,
  type GammaMarket,
  type GammaPage,
} from './parse.js';

export interface GammaClientOptions {
  baseUrl?: string;
  timeoutMs?: number;
  readRetries?: number;
  retryBaseMs?: number;
  /** Page size for listing (keyset caps: 100 markets, 500 events per page). */
  pageSize?: number;
  /** Stop listing after this many records. */
  maxItems?: number;
}

const DEFAULTS = { baseUrl: POLYMARKET_HOSTS.gamma, timeoutMs: 8_000, readRetries: 2, retryBaseMs: 250, pageSize: 100, maxItems: 5_000 };

interface CommonQuery {
  ids?: readonly string[];
  slugs?: readonly string[];
  tagId?: string;
  active?: boolean;
  closed?: boolean;
  archived?: boolean;
  /** Comma list of fields, e.g. "id" or "volume". */
  order?: string;
  ascending?: boolean;
}

export interface GammaEventQuery extends CommonQuery {
  tagSlug?: string;
  startDateMin?: string;
  startDateMax?: string;
}

export interface GammaMarketQuery extends CommonQuery {
  conditionIds?: readonly string[];
  clobTokenIds?: readonly string[];
  sportsMarketTypes?: readonly string[];
  gameId?: string;
}

export interface GammaListing<T> {
  items: T[];
  /** One error per record that did not parse (each also counted). */
  rejected: PolymarketParseError[];
}

export interface GammaClientStats {
  requests: number;
  retries: number;
  httpErrors: number;
  timeouts: number;
  /** Records (or whole bodies) that did not parse. */
  parseErrors: number;
  /** Times a keyset endpoint was missing and offset listing was used instead. */
  keysetFallbacks: number;
}

type Query = Record<string, string | number | boolean | readonly string[] | undefined>;

function commonQuery(q: CommonQuery): Query {
  return {
    id: q.ids,
    slug: q.slugs,
    tag_id: q.tagId,
    active: q.active,
    closed: q.closed,
    archived: q.archived,
    order: q.order,
    ascending: q.ascending,
  };
}

function eventQuery(q: GammaEventQuery): Query {
  return { ...commonQuery(q), tag_slug: q.tagSlug, start_date_min: q.startDateMin, start_date_max: q.startDateMax };
}

function marketQuery(q: GammaMarketQuery): Query {
  return {
    ...commonQuery(q),
    condition_ids: q.conditionIds,
    clob_token_ids: q.clobTokenIds,
    sports_market_types: q.sportsMarketTypes,
    game_id: q.gameId,
  };
}

interface Kind<T> {
  key: 'events' | 'markets';
  parse: (v: unknown, path: string) => T;
}

const EVENTS: Kind<GammaEvent> = { key: 'events', parse: parseGammaEvent };
const MARKETS: Kind<GammaMarket> = { key: 'markets', parse: parseGammaMarket };

export class GammaClient {
  private readonly http: JsonHttpClient;
  private readonly pageSize: number;
  private readonly maxItems: number;
  private parseErrors = 0;
  private keysetFallbacks = 0;
  /** Learned once: the server has no keyset endpoints. */
  private keysetMissing = false;

  constructor(options: GammaClientOptions = {}) {
    const opts = { ...DEFAULTS, ...stripUndefined(options) };
    if (!(opts.pageSize >= 1 && opts.pageSize <= 500) || !(opts.maxItems >= 1)) {
      throw new RangeError('pageSize must be in [1, 500] and maxItems >= 1');
    }
    this.http = createPolymarketHttp(opts);
    this.pageSize = opts.pageSize;
    this.maxItems = opts.maxItems;
  }

  stats(): GammaClientStats {
    return { ...polymarketTransportStats(this.http.stats(), this.parseErrors), keysetFallbacks: this.keysetFallbacks };
  }

  /** Every event matching the query, across pages. */
  listEvents(query: GammaEventQuery = {}): Promise<GammaListing<GammaEvent>> {
    return this.listAll(EVENTS, eventQuery(query));
  }

  /** Every market matching the query, across pages. */
  listMarkets(query: GammaMarketQuery = {}): Promise<GammaListing<GammaMarket>> {
    return this.listAll(MARKETS, marketQuery(query));
  }

  /** One offset page (`limit`/`offset`). */
  eventsPage(query: GammaEventQuery, limit: number, offset: number): Promise<GammaPage<GammaEvent>> {
    return this.page(EVENTS, `/events`, { ...eventQuery(query), limit, offset });
  }

  marketsPage(query: GammaMarketQuery, limit: number, offset: number): Promise<GammaPage<GammaMarket>> {
    return this.page(MARKETS, `/markets`, { ...marketQuery(query), limit, offset });
  }

  /** null when Gamma has no such event (404). */
  getEventBySlug(slug: string): Promise<GammaEvent | null> {
    return this.one(`/events/slug/${encodeURIComponent(slug)}`, parseGammaEvent);
  }

  getMarketBySlug(slug: string): Promise<GammaMarket | null> {
    return this.one(`/markets/slug/${encodeURIComponent(slug)}`, parseGammaMarket);
  }

  getMarket(id: string): Promise<GammaMarket | null> {
    return this.one(`/markets/${encodeURIComponent(id)}`, parseGammaMarket);
  }

  private async one<T>(path: string, parse: (v: unknown, path: string) => T): Promise<T | null> {
    let raw: unknown;
    try {
      raw = await this.http.request({ method: 'GET', path, idempotent: true });
    } catch (err) {
      if (err instanceof PolymarketHttpError && err.status === 404) return null;
      throw err;
    }
    try {
      return parse(raw, '');
    } catch (err) {
      if (err instanceof PolymarketParseError) this.parseErrors++;
      throw err;
    }
  }

  private async page<T>(kind: Kind<T>, path: string, query: Query): Promise<GammaPage<T>> {
    const raw = await this.http.request({ method: 'GET', path, query, idempotent: true });
    let page: GammaPage<T>;
    try {
      page = parseGammaPage(raw, kind.key, kind.parse);
    } catch (err) {
      if (err instanceof PolymarketParseError) this.parseErrors++;
      throw err;
    }
    this.parseErrors += page.rejected.length;
    if (kind === (EVENTS as Kind<unknown>)) {
      for (const ev of page.items as GammaEvent[]) this.parseErrors += ev.rejectedMarkets.length;
    }
    return page;
  }

  private async listAll<T>(kind: Kind<T>, query: Query): Promise<GammaListing<T>> {
    if (!this.keysetMissing) {
      try {
        return await this.listKeyset(kind, query);
      } catch (err) {
        // Gamma without keyset endpoints answers 404 (route) or 422/400 (treats "keyset" as an id).
        if (!(err instanceof PolymarketHttpError) || ![400, 404, 422].includes(err.status ?? 0)) throw err;
        this.keysetMissing = true;
        this.keysetFallbacks++;
      }
    }
    return this.listOffset(kind, query);
  }

  private async listKeyset<T>(kind: Kind<T>, query: Query): Promise<GammaListing<T>> {
    const out: GammaListing<T> = { items: [], rejected: [] };
    let cursor: string | null = null;
    do {
      const page: GammaPage<T> = await this.page(kind, `/${kind.key}/keyset`, {
        ...query,
        limit: this.pageSize,
        next_cursor: cursor ?? undefined,
      });
      out.items.push(...page.items);
      out.rejected.push(...page.rejected);
      cursor = page.nextCursor;
    } while (cursor !== null && out.items.length < this.maxItems);
    return out;
  }

  private async listOffset<T>(kind: Kind<T>, query: Query): Promise<GammaListing<T>> {
    const out: GammaListing<T> = { items: [], rejected: [] };
    for (let offset = 0; offset < this.maxItems; offset += this.pageSize) {
      const page = await this.page(kind, `/${kind.key}`, { ...query, limit: this.pageSize, offset });
      out.items.push(...page.items);
      out.rejected.push(...page.rejected);
      if (page.items.length + page.rejected.length < this.pageSize) break;
    }
    return out;
  }
}
