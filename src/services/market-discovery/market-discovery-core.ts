/**
 * The market_discovery request handler: validate the game, then per venue answer from the
 * Redis cache, or join the search already running for this game (in this process, or in
 * another instance through the search lock), or search the venue and cache the outcome.
 */
import type { Redis } from 'ioredis';
import { ArbeesError, errorMessage } from '../../core/errors.js';
import type { MarketRef } from '../../core/messages.js';
import { cleanCode } from '../../core/team-matching.js';
import { sleep } from '../../core/time.js';
import { VENUES, type Venue } from '../../core/topics.js';
import { silentLogger, type BusLogger } from '../../bus/bus-options.js';
import { DiscoveryCache, type CachedResult } from './discovery-cache.js';
import {
  DiscoveryRequestSchema,
  type DiscoveryGame,
  type DiscoveryReply,
  type VenueDiscovery,
  type VenueSearch,
  type VenueSearchResult,
} from '../../core/market-discovery.js';
import { SearchLock } from './search-lock.js';

export interface MarketDiscoveryOptions {
  /** Prefix of every Redis key this service writes (cache and locks). */
  keyPrefix: string;
  foundTtlMs: number;
  notFoundTtlMs: number;
  errorTtlMs: number;
  /** TTL of the cross-instance search lock (extended while the search runs). */
  lockTtlMs: number;
  /** How long an instance waits for another's search before searching itself. */
  lockWaitMs: number;
  /** How often a waiting instance looks for the lock owner's result. */
  lockPollMs: number;
  /** This instance's stable id (the RPC server id): names the locks it takes. */
  instanceId: string;
  logger?: BusLogger;
}

export type MarketDiscoveryMetrics = {
  requests: number;
  invalid_requests: number;
  cache_hits: number;
  coalesced: number;
  lock_waits: number;
  found: number;
  not_found: number;
  ambiguous: number;
  venue_errors: number;
  cache_errors: number;
  unreadable_cache_entries: number;
} & Record<`searches_${Venue}`, number>;

/** One search counter per venue: `searches_kalshi`, `searches_poly`, ... */
function searchCounters(): Record<`searches_${Venue}`, number> {
  return Object.fromEntries(VENUES.map((v) => [`searches_${v}`, 0])) as Record<`searches_${Venue}`, number>;
}

export class MarketDiscovery {
  private readonly cache: DiscoveryCache;
  private readonly lock: SearchLock;
  private readonly searches: ReadonlyMap<Venue, VenueSearch>;
  private readonly inFlight = new Map<string, Promise<VenueDiscovery>>();
  private readonly log: BusLogger;
  private readonly counters: Omit<MarketDiscoveryMetrics, 'unreadable_cache_entries'> = {
    requests: 0, invalid_requests: 0, cache_hits: 0, coalesced: 0, lock_waits: 0,
    ...searchCounters(),
    found: 0, not_found: 0, ambiguous: 0, venue_errors: 0, cache_errors: 0,
  };

  constructor(
    redis: Redis,
    searches: readonly VenueSearch[],
    private readonly options: Readonly<MarketDiscoveryOptions>,
  ) {
    this.cache = new DiscoveryCache(redis, {
      prefix: options.keyPrefix,
      foundTtlMs: options.foundTtlMs,
      notFoundTtlMs: options.notFoundTtlMs,
      errorTtlMs: options.errorTtlMs,
    });
    this.lock = new SearchLock(redis, options.keyPrefix, options.lockTtlMs, options.instanceId);
    this.searches = new Map(searches.map((s) => [s.venue, s]));
    this.log = options.logger ?? silentLogger;
  }

  metrics(): MarketDiscoveryMetrics {
    return { ...this.counters, unreadable_cache_entries: this.cache.unreadableEntries };
  }

  /** The RPC handler: a request payload in, a DiscoveryReply out; a bad payload throws ARB_DISCOVERY_INVALID_REQUEST. */
  async handle(payload: unknown): Promise<DiscoveryReply> {
    this.counters.requests += 1;
    const parsed = DiscoveryRequestSchema.safeParse(payload);
    if (!parsed.success) {
      this.counters.invalid_requests += 1;
      const detail = parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ');
      throw new ArbeesError('ARB_DISCOVERY_INVALID_REQUEST', detail);
    }
    const req = parsed.data;
    if (cleanCode(req.home.abbr) === cleanCode(req.away.abbr) && req.home.name === req.away.name) {
      this.counters.invalid_requests += 1;
      throw new ArbeesError('ARB_DISCOVERY_INVALID_REQUEST', `home and away are the same team (${req.home.name})`);
    }
    const game: DiscoveryGame = { gameId: req.game_id, sport: req.sport, home: req.home, away: req.away, start: new Date(req.start_time) };
    const venues = [...new Set(req.venues ?? [...this.searches.keys()])].filter((v) => this.searches.has(v));
    const results = await Promise.all(venues.map((v) => this.discoverVenue(game, v, req.refresh === true)));
    const reply: DiscoveryReply = { game_id: game.gameId, sport: game.sport, markets: [], venues: {} };
    for (const r of results) {
      reply.venues[r.venue] = r;
      if (r.status === 'found') reply.markets.push(...r.markets.map(toMarketRef));
    }
    return reply;
  }

  private async discoverVenue(game: DiscoveryGame, venue: Venue, refresh: boolean): Promise<VenueDiscovery> {
    if (!refresh) {
      const cached = await this.readCache(game, venue);
      if (cached !== null) {
        this.counters.cache_hits += 1;
        return view(venue, cached, true);
      }
    }
    const key = `${venue}:${game.sport}:${game.gameId}`;
    const running = this.inFlight.get(key);
    if (running !== undefined) {
      this.counters.coalesced += 1;
      return running;
    }
    const search = this.searchOnce(game, venue, key, refresh).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, search);
    return search;
  }

  /** One search of this game on this venue among all instances (or the result of the one running). */
  private async searchOnce(game: DiscoveryGame, venue: Venue, key: string, refresh: boolean): Promise<VenueDiscovery> {
    const deadline = Date.now() + this.options.lockWaitMs;
    let token = await this.tryLock(key);
    while (token === null && Date.now() < deadline) {
      this.counters.lock_waits += 1;
      await sleep(this.options.lockPollMs);
      if (!refresh) {
        const cached = await this.readCache(game, venue);
        if (cached !== null) {
          this.counters.coalesced += 1;
          return view(venue, cached, true);
        }
      }
      token = await this.tryLock(key);
    }
    const stopKeepAlive = token !== null && token !== 'unlocked' ? this.lock.keepAlive(key, token) : () => undefined;
    try {
      if (!refresh) {
        // Another instance may have finished between our cache read and taking the lock.
        const cached = await this.readCache(game, venue);
        if (cached !== null) {
          this.counters.cache_hits += 1;
          return view(venue, cached, true);
        }
      }
      const result = await this.runSearch(game, venue);
      const searchedAt = new Date().toISOString();
      await this.cache.set(game, venue, result, searchedAt).catch((err: unknown) => {
        this.counters.cache_errors += 1;
        this.log.warn({ err: errorMessage(err) }, 'ARB_REDIS_UNAVAILABLE: discovery result not cached');
      });
      return view(venue, { result, searchedAt }, false);
    } finally {
      stopKeepAlive();
      if (token !== null && token !== 'unlocked') await this.lock.release(key, token).catch(() => undefined);
    }
  }

  private async runSearch(game: DiscoveryGame, venue: Venue): Promise<VenueSearchResult> {
    this.counters[`searches_${venue}`] += 1;
    let result: VenueSearchResult;
    try {
      result = await this.searches.get(venue)!.search(game);
    } catch (err) {
      this.counters.venue_errors += 1;
      const reason = `ARB_DISCOVERY_VENUE_FAILED: ${errorMessage(err)}`;
      this.log.warn({ venue, game_id: game.gameId, err: errorMessage(err) }, reason);
      return { status: 'error', reason, eventId: null, markets: [] };
    }
    if (result.status === 'found') this.counters.found += 1;
    else if (result.status === 'ambiguous') this.counters.ambiguous += 1;
    else if (result.status === 'not_found') this.counters.not_found += 1;
    if (result.status !== 'found') this.log.info({ venue, game_id: game.gameId, status: result.status, reason: result.reason }, 'no market assigned');
    return result;
  }

  private async readCache(game: DiscoveryGame, venue: Venue): Promise<CachedResult | null> {
    try {
      return await this.cache.get(game, venue);
    } catch (err) {
      this.counters.cache_errors += 1;
      this.log.warn({ err: errorMessage(err) }, 'ARB_REDIS_UNAVAILABLE: discovery cache unreadable; searching the venue');
      return null;
    }
  }

  /** A Redis failure while locking must not stop discovery: search without the lock. */
  private async tryLock(key: string): Promise<string | null | 'unlocked'> {
    try {
      return await this.lock.acquire(key);
    } catch (err) {
      this.counters.cache_errors += 1;
      this.log.warn({ err: errorMessage(err) }, 'ARB_REDIS_UNAVAILABLE: discovery lock unavailable; searching without it');
      return 'unlocked';
    }
  }
}

function view(venue: Venue, cached: CachedResult, fromCache: boolean): VenueDiscovery {
  const r = cached.result;
  return { venue, status: r.status, reason: r.reason, event_id: r.eventId, markets: r.markets, searched_at: cached.searchedAt, from_cache: fromCache };
}

function toMarketRef(m: MarketRef): MarketRef {
  return { venue: m.venue, market_id: m.market_id, team: m.team, outcome: m.outcome, ...(m.title !== undefined ? { title: m.title } : {}) };
}
