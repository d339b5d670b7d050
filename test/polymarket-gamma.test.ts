/**
 * The Gamma client against the Polymarket simulator over real HTTP: string-encoded fields are
 * decoded, the simulated games appear with real-style slugs and outcomes, pagination walks
 * every page (keyset, and offset when keyset is missing), and a malformed record is rejected
 * with a counter while the rest of the page is kept.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolymarketSimVenue, type SimGameListing } from '../src/sim/polymarket/polymarket-sim-venue.js';
import { GammaClient } from '../src/venues/polymarket/gamma.js';
import { simGame } from './helpers/polymarket-games.js';

const NBA = [
  ['BOS', 'LAL'],
  ['NY', 'MIA'],
  ['GS', 'DEN'],
  ['CHI', 'DAL'],
  ['ATL', 'HOU'],
  ['MIL', 'PHX'],
  ['CLE', 'BKN'],
] as const;

describe('Gamma client against the simulator', () => {
  const venue = new PolymarketSimVenue({ seed: 'gamma-test' });
  const listings: SimGameListing[] = [];
  let epl: SimGameListing;
  let gammaUrl = '';

  beforeAll(async () => {
    ({ gammaUrl } = await venue.start());
    NBA.forEach(([away, home], i) => listings.push(venue.listGame(simGame(`nba-${i}`, 'nba', away, home, `2026-11-2${i}T00:30:00Z`))));
    epl = venue.listGame(simGame('epl-1', 'epl', 'ARS', 'CHE', '2026-11-28T15:00:00Z'));
    venue.setMakerQuotes(listings[0]!.tokens[1]!.tokenId, { yesBids: [[0.6, 100]], yesAsks: [[0.62, 100]] });
  });
  afterAll(() => venue.close());

  it('lists NBA game events by tag with decoded outcomes and token ids', async () => {
    const gamma = new GammaClient({ baseUrl: gammaUrl, pageSize: 3 });
    const { items, rejected } = await gamma.listEvents({ tagSlug: 'nba', closed: false });
    expect(rejected).toEqual([]);
    expect(items.map((e) => e.slug)).toEqual(NBA.map(([a, h], i) => `nba-${a.toLowerCase()}-${h.toLowerCase()}-2026-11-2${i}`));
    const first = items[0]!;
    expect(first.title).toBe('Celtics vs. Lakers');
    const market = first.markets[0]!;
    expect(market.outcomes).toEqual(['Celtics', 'Lakers']);
    expect(market.clobTokenIds).toEqual(listings[0]!.tokens.map((t) => t.tokenId));
    expect(market.clobTokenIds.every((id) => /^\d{70,78}$/.test(id))).toBe(true);
    expect(market.conditionId).toBe(listings[0]!.conditionId);
    expect(market.outcomePrices).toEqual([0.5, 0.61]); // the quoted Lakers mid; Celtics unquoted
    expect(market).toMatchObject({ active: true, closed: false, sportsMarketType: 'moneyline', gameId: 'nba-0', negRisk: false });
    expect(first.tags.map((t) => t.slug)).toEqual(['sports', 'games', 'nba']);
    expect(gamma.stats().requests).toBe(3); // 7 events over pages of 3
  });

  it('falls back to offset listing when the keyset endpoints are missing', async () => {
    const noKeyset = new PolymarketSimVenue({ seed: 'gamma-test', gammaKeyset: false });
    const { gammaUrl: url } = await noKeyset.start();
    try {
      NBA.forEach(([away, home], i) => noKeyset.listGame(simGame(`nba-${i}`, 'nba', away, home, `2026-11-2${i}T00:30:00Z`)));
      const gamma = new GammaClient({ baseUrl: url, pageSize: 2 });
      const { items } = await gamma.listMarkets({ tagId: '745' });
      expect(items).toHaveLength(7);
      expect(gamma.stats().keysetFallbacks).toBe(1);
      // Same seed, same ids: the simulator is deterministic.
      expect(items[0]!.clobTokenIds).toEqual(listings[0]!.tokens.map((t) => t.tokenId));
    } finally {
      await noKeyset.close();
    }
  });

  it('finds markets by token id and events by slug; a missing slug is null', async () => {
    const gamma = new GammaClient({ baseUrl: gammaUrl });
    const wanted = listings[3]!.tokens[0]!.tokenId;
    const { items } = await gamma.listMarkets({ clobTokenIds: [wanted] });
    expect(items.map((m) => m.slug)).toEqual(['nba-chi-dal-2026-11-23']);
    expect((await gamma.getEventBySlug('nba-chi-dal-2026-11-23'))?.markets[0]?.clobTokenIds).toContain(wanted);
    expect(await gamma.getEventBySlug('nba-nope-nope-2026-01-01')).toBeNull();
  });

  it('lists a soccer game as a neg-risk event of three Yes/No markets', async () => {
    const gamma = new GammaClient({ baseUrl: gammaUrl });
    const ev = await gamma.getEventBySlug('epl-ars-che-2026-11-28');
    expect(ev?.negRisk).toBe(true);
    expect(ev?.markets.map((m) => m.outcomes)).toEqual([['Yes', 'No'], ['Yes', 'No'], ['Yes', 'No']]);
    expect(ev?.markets.map((m) => m.slug)).toEqual(['epl-ars-che-2026-11-28-che', 'epl-ars-che-2026-11-28-draw', 'epl-ars-che-2026-11-28-ars']);
    expect(epl.markets.map((m) => m.tokens[0]!.result)).toEqual(['home', 'draw', 'away']);
  });

  it('shows a settled market as closed with outcome prices 0/1', async () => {
    const nets = listings[6]!.tokens[1]!;
    venue.settle(listings[6]!.conditionId, nets.tokenId);
    const gamma = new GammaClient({ baseUrl: gammaUrl });
    const m = await gamma.getMarketBySlug(listings[6]!.eventSlug);
    expect(m).toMatchObject({ closed: true, acceptingOrders: false, outcomePrices: [0, 1] });
    const open = await gamma.listEvents({ tagSlug: 'nba', closed: false });
    expect(open.items.map((e) => e.slug)).not.toContain(listings[6]!.eventSlug);
  });
});

describe('Gamma client against malformed records', () => {
  let server: Server;
  let url = '';
  const good = {
    id: '1',
    conditionId: `0x${'a'.repeat(64)}`,
    slug: 'nba-bos-lal-2026-11-24',
    outcomes: '["Celtics", "Lakers"]',
    outcomePrices: '["0.4", "0.6"]',
    clobTokenIds: '["123", "456"]',
    active: true,
    closed: false,
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url?.startsWith('/markets/keyset')) {
        res.writeHead(404).end('{"error":"not found"}');
        return;
      }
      const body = req.url?.includes('offset=0')
        ? [good, { ...good, id: '2', clobTokenIds: '["123"]' }, { ...good, id: '3', outcomes: 'Celtics,Lakers' }]
        : [];
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('keeps the good market, rejects each bad one with a clear error, and counts them', async () => {
    const gamma = new GammaClient({ baseUrl: url, pageSize: 3 });
    const { items, rejected } = await gamma.listMarkets();
    expect(items.map((m) => m.id)).toEqual(['1']);
    expect(rejected.map((e) => e.code)).toEqual(['ARB_POLY_PAYLOAD', 'ARB_POLY_PAYLOAD']);
    expect(rejected[0]!.message).toMatch(/markets\[1\]\.clobTokenIds: has 1 entries for 2 outcomes/);
    expect(rejected[1]!.message).toMatch(/markets\[2\]\.outcomes/);
    expect(gamma.stats().parseErrors).toBe(2);
  });
});
