/**
 * The shape of a venue's game-winner search when the venue is searched by listing: read the
 * listings of a sport (Kalshi series, Polymarket league tags), cached for a while and shared by
 * concurrent searches, and judge their events against the game. When that finds nothing and a
 * listing is older than `relistAfterMs`, the listings are read again and judged once more: the
 * event may have been listed since. A venue implements the three abstract parts.
 */
import type { DiscoveryGame, VenueSearchResult } from '../core/market-discovery.js';
import type { Sport, Venue } from '../core/topics.js';
import { ListingCache } from './listing-cache.js';
import type { CountedVenueSearch } from './venue-adapter.js';

export interface ListingTiming {
  /** How long a listing is reused. */
  listingTtlMs: number;
  /** A listing older than this is read again before concluding that a game is not listed. */
  relistAfterMs: number;
}

export abstract class ListedMarketSearch<Event> implements CountedVenueSearch {
  abstract readonly venue: Venue;
  readonly #listings: ListingCache<Event[]>;
  readonly #relistAfterMs: number;

  constructor(timing: ListingTiming) {
    this.#listings = new ListingCache(timing.listingTtlMs);
    this.#relistAfterMs = timing.relistAfterMs;
  }

  /** Listings read from the venue so far (cache misses). */
  get listingFetches(): number {
    return this.#listings.fetches;
  }

  async search(game: DiscoveryGame): Promise<VenueSearchResult> {
    const keys = this.listingKeys(game.sport);
    const first = this.judgeEvents(game, await this.#events(keys));
    if (first.status === 'found') return first;
    const stale = keys.some((k) => (this.#listings.age(k) ?? 0) > this.#relistAfterMs);
    return stale ? this.judgeEvents(game, await this.#events(keys, 0)) : first;
  }

  /** The listings that may hold a game of this sport. */
  protected abstract listingKeys(sport: Sport): readonly string[];
  /** Reads one listing from the venue. */
  protected abstract list(key: string): Promise<Event[]>;
  /** The game's markets among these events, or why there are none. */
  protected abstract judgeEvents(game: DiscoveryGame, events: readonly Event[]): VenueSearchResult;

  async #events(keys: readonly string[], maxAgeMs?: number): Promise<Event[]> {
    const lists = await Promise.all(keys.map((k) => this.#listings.get(k, () => this.list(k), maxAgeMs)));
    return lists.flat();
  }
}
