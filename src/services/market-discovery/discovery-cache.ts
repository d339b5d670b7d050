/**
 * Discovery results in Redis, one key per game and venue, so every market_discovery instance
 * (and a restarted one) answers a repeated request without asking the venue again:
 *
 *   <prefix>game:<sport>:<game_id>:<venue>   JSON { fingerprint, searched_at, result }
 *
 * A found market is kept long (it does not move); "not found" and "ambiguous" only briefly,
 * because venues list games late; errors not at all unless configured. The fingerprint (teams
 * and start time) makes a reused or rescheduled game id a miss instead of a wrong answer.
 */
import type { Redis } from 'ioredis';
import { cleanCode } from '../../core/team-matching.js';
import type { Venue } from '../../core/topics.js';
import type { DiscoveryGame, VenueSearchResult, VenueStatus } from '../../core/market-discovery.js';
import { VENUE_STATUSES } from '../../core/market-discovery.js';

export interface DiscoveryCacheOptions {
  prefix: string;
  foundTtlMs: number;
  notFoundTtlMs: number;
  /** 0: errors are not cached. */
  errorTtlMs: number;
}

export interface CachedResult {
  result: VenueSearchResult;
  searchedAt: string;
}

function gameFingerprint(game: DiscoveryGame): string {
  return `${cleanCode(game.home.abbr)}|${cleanCode(game.away.abbr)}|${game.start.toISOString().slice(0, 16)}`;
}

export class DiscoveryCache {
  private unreadable = 0;

  constructor(
    private readonly redis: Redis,
    private readonly options: Readonly<DiscoveryCacheOptions>,
  ) {}

  /** Entries that were present but could not be read (counted, then treated as a miss). */
  get unreadableEntries(): number {
    return this.unreadable;
  }

  key(game: DiscoveryGame, venue: Venue): string {
    return `${this.options.prefix}game:${game.sport}:${game.gameId}:${venue}`;
  }

  ttlFor(status: VenueStatus): number {
    if (status === 'found') return this.options.foundTtlMs;
    if (status === 'error') return this.options.errorTtlMs;
    return this.options.notFoundTtlMs;
  }

  async get(game: DiscoveryGame, venue: Venue): Promise<CachedResult | null> {
    const raw = await this.redis.get(this.key(game, venue));
    if (raw === null) return null;
    const entry = this.decode(raw);
    if (entry === null) {
      this.unreadable += 1;
      return null;
    }
    return entry.fingerprint === gameFingerprint(game) ? { result: entry.result, searchedAt: entry.searched_at } : null;
  }

  async set(game: DiscoveryGame, venue: Venue, result: VenueSearchResult, searchedAt: string): Promise<void> {
    const ttl = this.ttlFor(result.status);
    if (ttl <= 0) return;
    const value = JSON.stringify({ fingerprint: gameFingerprint(game), searched_at: searchedAt, result });
    await this.redis.set(this.key(game, venue), value, 'PX', ttl);
  }

  private decode(raw: string): { fingerprint: string; searched_at: string; result: VenueSearchResult } | null {
    try {
      const v = JSON.parse(raw) as { fingerprint?: unknown; searched_at?: unknown; result?: Partial<VenueSearchResult> };
      const r = v.result;
      const ok =
        typeof v.fingerprint === 'string' &&
        typeof v.searched_at === 'string' &&
        r !== undefined &&
        (VENUE_STATUSES as readonly string[]).includes(r.status as string) &&
        Array.isArray(r.markets);
      return ok ? (v as { fingerprint: string; searched_at: string; result: VenueSearchResult }) : null;
    } catch {
      return null;
    }
  }
}
