import { describe, expect, it } from 'vitest';
import { notFound, type DiscoveryGame, type VenueSearchResult } from '../core/market-discovery.js';
import type { Sport } from '../core/topics.js';
import { ListedMarketSearch } from './listed-market-search.js';

/** A venue whose listing is an in-memory list of game ids the test edits. */
class FakeVenueSearch extends ListedMarketSearch<string> {
  readonly venue = 'kalshi' as const;
  listed: string[] = [];
  reads = 0;

  protected listingKeys(sport: Sport): readonly string[] {
    return [`series-${sport}`];
  }

  protected async list(): Promise<string[]> {
    this.reads++;
    await new Promise((r) => setTimeout(r, 5));
    return [...this.listed];
  }

  protected judgeEvents(game: DiscoveryGame, events: readonly string[]): VenueSearchResult {
    if (!events.includes(game.gameId)) return notFound(`${game.gameId} not among ${events.length}`);
    return { status: 'found', reason: null, eventId: game.gameId, markets: [] };
  }
}

const game = (gameId: string): DiscoveryGame => ({
  gameId,
  sport: 'nba',
  home: { name: 'Boston Celtics', abbr: 'BOS' },
  away: { name: 'Los Angeles Lakers', abbr: 'LAL' },
  start: new Date('2026-12-05T00:00:00Z'),
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('listed market search', () => {
  it('reuses a fresh listing, and lists again before concluding a game is missing from an old one', async () => {
    const venue = new FakeVenueSearch({ listingTtlMs: 60_000, relistAfterMs: 40 });
    expect((await venue.search(game('g1'))).status).toBe('not_found');
    venue.listed = ['g1'];
    // Listed 0 ms ago: younger than relistAfterMs, so the cached listing is the answer.
    expect((await venue.search(game('g1'))).status).toBe('not_found');
    expect(venue.listingFetches).toBe(1);
    await sleep(60);
    // Now the listing is old: not found in it, read again, found.
    expect(await venue.search(game('g1'))).toMatchObject({ status: 'found', eventId: 'g1' });
    expect(venue.listingFetches).toBe(2);
    // Found in the fresh listing: no further read.
    expect((await venue.search(game('g1'))).status).toBe('found');
    expect(venue.listingFetches).toBe(2);
  });

  it('shares one listing read between concurrent searches', async () => {
    const venue = new FakeVenueSearch({ listingTtlMs: 60_000, relistAfterMs: 60_000 });
    venue.listed = ['g1', 'g2'];
    const results = await Promise.all([venue.search(game('g1')), venue.search(game('g2')), venue.search(game('g3'))]);
    expect(results.map((r) => r.status)).toEqual(['found', 'found', 'not_found']);
    expect(venue.reads).toBe(1);
  });
});
