/**
 * The venue searches against listings the simulators never produce, served over real HTTP from
 * a loopback server in the recorded wire formats (src/venues/*\/fixtures): Kalshi's own codes
 * and "Los Angeles L" labels, a ticker suffix contradicted by its label, a label naming a team
 * outside the game; Gamma's documented "Raiders vs. Broncos" listing (with a malformed sibling
 * market), spread/total markets beside the moneyline, and an outcome naming another team.
 * Whatever is uncertain must come back without markets and with a reason.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TeamRef } from '../src/core/team-matching.js';
import type { Sport } from '../src/core/topics.js';
import { KalshiHttpClient } from '../src/venues/kalshi/http.js';
import { GammaClient } from '../src/venues/polymarket/gamma.js';
import type { DiscoveryGame } from '../src/core/market-discovery.js';
import { KalshiMarketSearch } from '../src/venues/kalshi/market-search.js';
import { DEFAULT_KALSHI_SERIES } from '../src/venues/kalshi/search-config.js';
import { PolymarketMarketSearch } from '../src/venues/polymarket/market-search.js';
import { DEFAULT_POLY_TAG_SLUGS } from '../src/venues/polymarket/search-config.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fixture = (p: string): unknown => JSON.parse(readFileSync(path.join(ROOT, p), 'utf8'));
const KALSHI_EVENT = fixture('src/venues/kalshi/fixtures/good/event.json') as { event: Record<string, unknown>; markets: Record<string, unknown>[] };
const GAMMA_EVENTS = fixture('src/venues/polymarket/fixtures/gamma-events.json') as Record<string, unknown>[];

/** What the loopback venue serves: Kalshi events per series, Gamma events per tag slug. */
let kalshiEvents: Record<string, unknown[]> = {};
let gammaEvents: Record<string, unknown[]> = {};
let server: Server;
let kalshi: KalshiMarketSearch;
let poly: PolymarketMarketSearch;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/trade-api/v2/events') {
      return send(200, { events: kalshiEvents[url.searchParams.get('series_ticker') ?? ''] ?? [], cursor: '' });
    }
    // No keyset endpoints here: the Gamma client falls back to offset listing.
    if (url.pathname === '/events') {
      const offset = Number(url.searchParams.get('offset') ?? 0);
      return send(200, offset > 0 ? [] : (gammaEvents[url.searchParams.get('tag_slug') ?? ''] ?? []));
    }
    send(404, { error: 'not found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const common = { listingTtlMs: 0, relistAfterMs: 0, minConfidence: 0.8 };
  kalshi = new KalshiMarketSearch(new KalshiHttpClient({ baseUrl: `${origin}/trade-api/v2`, maxRetries: 0 }), { ...common, series: DEFAULT_KALSHI_SERIES, maxPages: 5 });
  poly = new PolymarketMarketSearch(new GammaClient({ baseUrl: origin, readRetries: 0 }), { ...common, tagSlugs: DEFAULT_POLY_TAG_SLUGS, startToleranceMs: 12 * 3_600_000 });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

beforeEach(() => {
  kalshiEvents = {};
  gammaEvents = {};
});

const t = (name: string, abbr: string): TeamRef => ({ name, abbr });
const game = (sport: Sport, home: TeamRef, away: TeamRef, start: string): DiscoveryGame => ({ gameId: 'x', sport, home, away, start: new Date(start) });
const LV_AT_DEN = game('nfl', t('Denver Broncos', 'DEN'), t('Las Vegas Raiders', 'LV'), '2025-11-07T01:15:00Z');

/** A Kalshi market in the current wire format (the fixture's), with another ticker and label. */
function kalshiMarket(eventTicker: string, suffix: string, label: string): Record<string, unknown> {
  return { ...KALSHI_EVENT.markets[0], ticker: `${eventTicker}-${suffix}`, event_ticker: eventTicker, yes_sub_title: label, no_sub_title: label };
}

function kalshiEvent(series: string, eventTicker: string, strike: string, markets: [string, string][]): Record<string, unknown> {
  return {
    ...KALSHI_EVENT.event,
    event_ticker: eventTicker,
    series_ticker: series,
    strike_date: strike,
    markets: markets.map(([suffix, label]) => kalshiMarket(eventTicker, suffix, label)),
  };
}

describe('Kalshi listings', () => {
  it("finds the documented LV at DEN event and knows which market pays on which team", async () => {
    kalshiEvents.KXNFLGAME = [kalshiEvent('KXNFLGAME', 'KXNFLGAME-25NOV06LVDEN', '2025-11-07T01:15:00Z', [['DEN', 'Denver'], ['LV', 'Las Vegas']])];
    const r = await kalshi.search(LV_AT_DEN);
    expect(r.status).toBe('found');
    expect(r.markets.map((m) => [m.market_id, m.outcome, m.team, m.method])).toEqual([
      ['KXNFLGAME-25NOV06LVDEN-DEN', 'home', 'DEN', 'code+label'],
      ['KXNFLGAME-25NOV06LVDEN-LV', 'away', 'LV', 'code+label'],
    ]);
  });

  it("reads Kalshi's own codes and city-initial labels (GSW/NYK, Los Angeles L/C)", async () => {
    kalshiEvents.KXNBAGAME = [
      kalshiEvent('KXNBAGAME', 'KXNBAGAME-26JAN15GSWNYK', '2026-01-16T00:30:00Z', [['GSW', 'Golden State'], ['NYK', 'New York']]),
      kalshiEvent('KXNBAGAME', 'KXNBAGAME-26JAN15LALLAC', '2026-01-16T03:30:00Z', [['LAL', 'Los Angeles L'], ['LAC', 'Los Angeles C']]),
    ];
    const gsw = await kalshi.search(game('nba', t('New York Knicks', 'NY'), t('Golden State Warriors', 'GS'), '2026-01-16T00:30:00Z'));
    expect(gsw.markets.map((m) => [m.market_id.split('-').at(-1), m.team])).toEqual([['NYK', 'NY'], ['GSW', 'GS']]);
    const la = await kalshi.search(game('nba', t('LA Clippers', 'LAC'), t('Los Angeles Lakers', 'LAL'), '2026-01-16T03:30:00Z'));
    expect(la.status).toBe('found');
    expect(la.markets.map((m) => [m.market_id.split('-').at(-1), m.outcome])).toEqual([['LAC', 'home'], ['LAL', 'away']]);
  });

  it('rejects an event whose ticker suffix and label disagree, rather than trusting either', async () => {
    kalshiEvents.KXNFLGAME = [kalshiEvent('KXNFLGAME', 'KXNFLGAME-25NOV06LVDEN', '2025-11-07T01:15:00Z', [['DEN', 'Denver'], ['LV', 'Denver']])];
    const r = await kalshi.search(LV_AT_DEN);
    expect(r).toMatchObject({ status: 'ambiguous', markets: [] });
    expect(r.reason).toMatch(/code LV says away but label "Denver" says home/);
  });

  it('rejects a market whose label names a team outside the game', async () => {
    kalshiEvents.KXNBAGAME = [kalshiEvent('KXNBAGAME', 'KXNBAGAME-26JAN15LALBOS', '2026-01-16T00:30:00Z', [['LAL', 'Los Angeles C'], ['BOS', 'Boston']])];
    const r = await kalshi.search(game('nba', t('Boston Celtics', 'BOS'), t('Los Angeles Lakers', 'LAL'), '2026-01-16T00:30:00Z'));
    expect(r).toMatchObject({ status: 'ambiguous', markets: [] });
    expect(r.reason).toMatch(/LA Clippers, not a team of this game/);
  });

  it('does not take another day\'s event of the same teams, nor another game of one team', async () => {
    kalshiEvents.KXNFLGAME = [
      kalshiEvent('KXNFLGAME', 'KXNFLGAME-25NOV13LVDEN', '2025-11-14T01:15:00Z', [['DEN', 'Denver'], ['LV', 'Las Vegas']]),
      kalshiEvent('KXNFLGAME', 'KXNFLGAME-25NOV06KCDEN', '2025-11-07T01:15:00Z', [['DEN', 'Denver'], ['KC', 'Kansas City']]),
    ];
    const r = await kalshi.search(LV_AT_DEN);
    expect(r).toMatchObject({ status: 'not_found', markets: [] });
    expect(r.reason).toMatch(/no open Kalshi KXNFLGAME event for LV at DEN on 25NOV06 \(2 open events listed\)/);
  });

  it('wants the TIE market in soccer', async () => {
    kalshiEvents.KXEPLGAME = [kalshiEvent('KXEPLGAME', 'KXEPLGAME-26JAN17MUNMCI', '2026-01-17T15:00:00Z', [['MCI', 'Manchester City'], ['MUN', 'Manchester United']])];
    const derby = game('epl', t('Manchester City', 'MNC'), t('Manchester United', 'MAN'), '2026-01-17T15:00:00Z');
    expect(await kalshi.search(derby)).toMatchObject({ status: 'ambiguous', reason: expect.stringMatching(/no market pays on draw/) });
    kalshiEvents.KXEPLGAME[0] = kalshiEvent('KXEPLGAME', 'KXEPLGAME-26JAN17MUNMCI', '2026-01-17T15:00:00Z', [['MCI', 'Manchester City'], ['MUN', 'Manchester United'], ['TIE', 'Tie']]);
    const r = await kalshi.search(derby);
    expect(r.markets.map((m) => [m.outcome, m.team])).toEqual([['home', 'MNC'], ['away', 'MAN'], ['draw', null]]);
  });
});

describe('Gamma listings', () => {
  const event = GAMMA_EVENTS[0] as Record<string, unknown> & { markets: Record<string, unknown>[] };
  const tokens = JSON.parse(event.markets[0]!.clobTokenIds as string) as string[];

  it('finds the documented "Raiders vs. Broncos" event (skipping its malformed sibling) with each token on its team', async () => {
    gammaEvents.nfl = [event];
    const r = await poly.search(LV_AT_DEN);
    expect(r.status).toBe('found');
    expect(r.markets.map((m) => [m.market_id, m.outcome, m.team, m.no_token_id])).toEqual([
      [tokens[1], 'home', 'DEN', tokens[0]],
      [tokens[0], 'away', 'LV', tokens[1]],
    ]);
  });

  it('ignores spread and total markets of the same event', async () => {
    const spread = { ...event.markets[0], id: '613300', question: 'Spread: Broncos (-7.5)', sportsMarketType: 'spreads', outcomes: '["Broncos", "Raiders"]' };
    const total = { ...event.markets[0], id: '613301', question: 'Raiders vs. Broncos: O/U 41.5', sportsMarketType: null, outcomes: '["Over", "Under"]' };
    gammaEvents.nfl = [{ ...event, markets: [spread, total, event.markets[0]] }];
    const r = await poly.search(LV_AT_DEN);
    expect(r.status).toBe('found');
    expect(r.markets.every((m) => m.gamma_market_id === '613240')).toBe(true);
  });

  it('rejects an event whose outcome names a team outside the game', async () => {
    gammaEvents.nfl = [{ ...event, markets: [{ ...event.markets[0], outcomes: '["Chiefs", "Broncos"]' }] }];
    const r = await poly.search(LV_AT_DEN);
    expect(r).toMatchObject({ status: 'ambiguous', markets: [] });
    expect(r.reason).toMatch(/Chiefs.*not a team of this game/);
  });

  it('does not take the event of a game at another time', async () => {
    gammaEvents.nfl = [event];
    const r = await poly.search(game('nfl', t('Denver Broncos', 'DEN'), t('Las Vegas Raiders', 'LV'), '2025-12-20T21:00:00Z'));
    expect(r).toMatchObject({ status: 'not_found', markets: [] });
  });
});
