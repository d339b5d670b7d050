/**
 * The sim runner end to end over real HTTP: the real ESPN, Kalshi and Polymarket clients see the
 * simulated games and their markets, the makers' books are non-empty and follow each game's
 * true probability, a final settles the game's markets on both venues, the same seed gives the
 * same tickers and token ids, and 50 games with ~200 markets at 10x cost a small part of a core.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPORTS } from '../src/core/topics.js';
import { SimRunner, type QuotedMarketInfo } from '../src/sim/sim-runner.js';
import { EspnClient } from '../src/venues/espn/http.js';
import { KalshiHttpClient } from '../src/venues/kalshi/http.js';
import { PolymarketClobClient } from '../src/venues/polymarket/http.js';
import { GammaClient } from '../src/venues/polymarket/gamma.js';
import { eventually } from './helpers/redis.js';

const FREE_PORTS = { espn: 0, kalshi: 0, gamma: 0, clob: 0 };
const START_MS = Date.parse('2026-11-24T23:00:00Z');

describe('sim runner over HTTP', () => {
  let runner: SimRunner;
  let espn: EspnClient;
  let kalshi: KalshiHttpClient;
  let gamma: GammaClient;
  let clob: PolymarketClobClient;

  beforeAll(async () => {
    runner = new SimRunner({ seed: 5, games: 16, speed: 60, liveShare: 0.75, soonShare: 0.25, ports: FREE_PORTS, quoteIntervalMs: 100, startMs: START_MS });
    const urls = await runner.start();
    espn = new EspnClient({ baseUrl: urls.espnBaseUrl, minIntervalMs: 0 });
    kalshi = new KalshiHttpClient({ baseUrl: urls.kalshiRestUrl, retryBaseMs: 10 });
    gamma = new GammaClient({ baseUrl: urls.polyGammaUrl });
    clob = new PolymarketClobClient({ baseUrl: urls.polyClobUrl });
  });
  afterAll(() => runner?.close());

  it('serves the world games on the ESPN scoreboard', async () => {
    const live = runner.world.games().filter((g) => g.status === 'live' || g.status === 'halftime');
    expect(live.length).toBeGreaterThanOrEqual(8);
    const seen = new Map<string, string>();
    for (const sport of new Set(runner.world.games().map((g) => g.sport))) {
      for (const g of await espn.scoreboard(sport)) seen.set(g.id, g.status);
    }
    for (const g of live) expect(seen.has(g.id), `${g.sport} game ${g.id} on the scoreboard`).toBe(true);
  });

  it('lists every game on Kalshi and Polymarket', async () => {
    const quoted = runner.quotedMarkets();
    const kalshiIds = quoted.filter((m) => m.venue === 'kalshi').map((m) => m.id);
    const markets = await kalshi.getAllMarkets({ limit: 20 });
    expect(markets.map((m) => m.ticker).sort()).toEqual([...kalshiIds].sort());
    // Two Kalshi markets per game, three in soccer.
    const soccer = runner.world.games().filter((g) => g.sport === 'epl' || g.sport === 'mls').length;
    expect(kalshiIds).toHaveLength(2 * runner.world.games().length + soccer);

    const { items, rejected } = await gamma.listEvents({ tagSlug: 'sports' });
    expect(rejected).toEqual([]);
    expect(items).toHaveLength(runner.world.games().length);
    const tokens = items.flatMap((e) => e.markets.flatMap((m) => m.clobTokenIds));
    const polyIds = quoted.filter((m) => m.venue === 'poly').flatMap((m) => [m.id, m.mirrorId!]);
    expect(tokens.sort()).toEqual([...polyIds].sort());
    expect(new Set(items.flatMap((e) => e.markets.map((m) => m.gameId))).size).toBe(runner.world.games().length);
  });

  it('books on both venues are non-empty and track the true probability', async () => {
    const openGames = new Set(runner.world.games().filter((g) => g.status !== 'final').map((g) => g.id));
    const sample = runner.quotedMarkets().filter((m) => openGames.has(m.gameId));
    expect(sample.length).toBeGreaterThan(20);
    const misses: string[] = [];
    for (const m of sample) {
      const { bid, ask } = await top(m);
      expect(bid, `${m.venue} ${m.id} bid`).not.toBeNull();
      expect(ask, `${m.venue} ${m.id} ask`).not.toBeNull();
      expect(bid!).toBeLessThan(ask!);
      const truth = runner.trueProbability(m)!;
      // Lag, noise and an occasional out-of-line episode move the book away from the truth, but
      // only so far: the spread straddles it within a tolerance.
      if (!(bid! < truth + 0.12 && ask! > truth - 0.12)) misses.push(`${m.venue} ${m.id}: ${bid}/${ask} vs ${truth.toFixed(3)}`);
    }
    expect(misses.length, misses.join('\n')).toBeLessThanOrEqual(Math.ceil(sample.length * 0.1));
    // The two Polymarket tokens of a market mirror each other.
    const poly = sample.find((m) => m.venue === 'poly')!;
    const [a, b] = await Promise.all([clob.getBook(poly.id), clob.getBook(poly.mirrorId!)]);
    expect(a.bids[0]!.price).toBeCloseTo(1 - b.asks[0]!.price, 6);
    expect(runner.stats().quotesPushed).toBeGreaterThan(sample.length);
  });

  it('settles a finished game on both venues', async () => {
    const game = runner.world.games().find((g) => g.status === 'live')!;
    const markets = runner.quotedMarkets().filter((m) => m.gameId === game.id);
    // Jump far enough ahead that every started game ends (simulated time; the timer keeps going).
    runner.world.step(6 * 3600);
    const final = runner.world.game(game.id)!;
    expect(final.status).toBe('final');
    expect(final.winner).not.toBeNull();
    for (const m of markets.filter((x) => x.venue === 'kalshi')) {
      const market = await kalshi.getMarket(m.id);
      expect(market.status).toBe('finalized');
      expect(market.result).toBe(m.outcome === final.winner ? 'yes' : 'no');
    }
    const event = (await gamma.listEvents({ tagSlug: final.sport })).items.find((e) => e.markets.some((mk) => mk.gameId === game.id))!;
    for (const mk of event.markets) {
      expect(mk.closed).toBe(true);
      expect(mk.outcomePrices).not.toBeNull();
    }
    expect(runner.stats().gamesSettled).toBeGreaterThanOrEqual(1);
    // Settled markets are no longer quoted.
    const pushed = runner.stats().quotesPushed;
    await new Promise((r) => setTimeout(r, 300));
    for (const m of markets) expect(runner.quotedMarkets().some((q) => q.id === m.id)).toBe(true);
    expect(runner.stats().marketsQuoted).toBeLessThan(runner.quotedMarkets().length);
    expect(runner.stats().quoteErrors).toBe(0);
    expect(runner.stats().quotesPushed).toBeGreaterThanOrEqual(pushed);
  });

  async function top(m: QuotedMarketInfo): Promise<{ bid: number | null; ask: number | null }> {
    if (m.venue === 'kalshi') {
      const book = await kalshi.getOrderbook(m.id);
      const bestYes = book.yes.at(-1)?.[0] ?? null;
      const bestNo = book.no.at(-1)?.[0] ?? null;
      return { bid: bestYes, ask: bestNo === null ? null : Math.round((1 - bestNo) * 10_000) / 10_000 };
    }
    const book = await clob.getBook(m.id);
    return { bid: book.bids[0]?.price ?? null, ask: book.asks[0]?.price ?? null };
  }
});

describe('sim runner determinism', () => {
  it('the same seed and start give the same games, tickers, token ids and quotes', async () => {
    const make = (seed: number) => new SimRunner({ seed, games: 12, clock: 'manual', ports: FREE_PORTS, startMs: START_MS });
    const [a, b, c] = [make(9), make(9), make(10)];
    try {
      expect(b.world.games().map((g) => g.id)).toEqual(a.world.games().map((g) => g.id));
      expect(b.quotedMarkets()).toEqual(a.quotedMarkets());
      for (const r of [a, b]) {
        r.world.step(900);
        r.pushQuotes();
      }
      for (const m of a.quotedMarkets()) expect(b.lastQuote(m.id)).toEqual(a.lastQuote(m.id));
      expect(c.quotedMarkets().map((m) => m.id)).not.toEqual(a.quotedMarkets().map((m) => m.id));
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it('the two venues quote the same game with different makers, so prices differ at times', () => {
    const r = new SimRunner({ seed: 3, games: 30, clock: 'manual', ports: FREE_PORTS, startMs: START_MS, liveShare: 1, soonShare: 0 });
    try {
      let differing = 0;
      let compared = 0;
      for (let step = 0; step < 40; step++) {
        r.world.step(60);
        r.pushQuotes();
        for (const g of r.world.games()) {
          if (g.status === 'final' || g.sport === 'epl' || g.sport === 'mls') continue;
          const k = r.quotedMarkets().find((m) => m.venue === 'kalshi' && m.gameId === g.id && m.outcome === 'home')!;
          const p = r.quotedMarkets().find((m) => m.venue === 'poly' && m.gameId === g.id)!;
          const kq = r.lastQuote(k.id);
          const pq = r.lastQuote(p.id);
          const kBid = kq?.yesBids[0]?.[0];
          const pBid = pq?.yesBids[0]?.[0];
          const pAsk = pq?.yesAsks[0]?.[0];
          if (kBid === undefined || pBid === undefined || pAsk === undefined) continue;
          // Poly's quoted token of a two-way game pays on the away team: mirrored, it is the home YES.
          const polyHomeBid = p.outcome === 'home' ? pBid : 1 - pAsk;
          compared++;
          if (Math.abs(kBid - polyHomeBid) > 0.005) differing++;
        }
      }
      expect(compared).toBeGreaterThan(100);
      expect(differing).toBeGreaterThan(compared * 0.2);
    } finally {
      void r.close();
    }
  });
});

describe('sim runner cost', () => {
  it('50 games and ~200 markets at 10x use well under one core', async () => {
    const runner = new SimRunner({ seed: 21, games: 50, speed: 10, liveShare: 0.6, soonShare: 0.3, ports: FREE_PORTS, leagues: SPORTS });
    try {
      await runner.start();
      const markets = runner.quotedMarkets();
      const kalshiCount = markets.filter((m) => m.venue === 'kalshi').length;
      const polyTokens = markets.filter((m) => m.venue === 'poly').length * 2;
      await eventually(() => runner.stats().quotesPushed >= markets.length, 5_000, 'first quotes');
      const cpu0 = process.cpuUsage();
      const wall0 = performance.now();
      await new Promise((r) => setTimeout(r, 5_000));
      const used = process.cpuUsage(cpu0);
      const wallMs = performance.now() - wall0;
      const share = (used.user + used.system) / 1000 / wallMs;
      const s = runner.stats();
      console.log(
        `[sim-runner 50 games x10] ${kalshiCount} Kalshi markets + ${polyTokens} Polymarket tokens: ` +
          `CPU ${(share * 100).toFixed(1)}% of one core over ${(wallMs / 1000).toFixed(1)} s; ` +
          `quote pass mean ${(s.quoteCpuMsTotal / Math.max(1, s.quotesComputed / markets.length)).toFixed(2)} ms, max ${s.quoteCpuMsMax} ms; ` +
          `${s.quotesPushed} ladders pushed; ${s.gamesLive} live`,
      );
      expect(kalshiCount + polyTokens).toBeGreaterThanOrEqual(180);
      expect(share).toBeLessThan(0.5);
    } finally {
      await runner.close();
    }
  }, 30_000);
});
