/**
 * Venue process of the monitor benchmark: a Kalshi or Polymarket simulator with one game per two
 * markets, whose market maker changes one market's top-of-book size per update, round robin, at
 * a paced rate. A size change at the top is one level update on the wire (one Kalshi
 * orderbook_delta, one Polymarket price_change) and one top-of-book change for the monitor.
 */
import type { Sport } from '../../src/core/topics.js';
import { KalshiSimVenue } from '../../src/sim/kalshi/kalshi-sim-venue.js';
import { PolymarketSimVenue } from '../../src/sim/polymarket/polymarket-sim-venue.js';
import { TEAMS } from '../../src/sim/teams.js';
import type { QuoteLadder, SimGameView } from '../../src/sim/world.js';
import { serveBenchCommands } from '../common/bench-child.js';
import { runPaced, type RunStats } from '../common/pacer.js';
import type { BenchVenue } from './monitor-bench-options.js';

export interface BenchMarket {
  marketId: string;
  gameId: string;
  team: string | null;
  outcome: 'home' | 'away' | 'draw';
}

export interface BenchGame {
  game: { id: string; sport: Sport; home: { name: string; abbr: string }; away: { name: string; abbr: string }; start: string };
  markets: BenchMarket[];
}

export interface VenueSetup {
  venue: BenchVenue;
  games: number;
  kalshiKey?: { keyId: string; publicKeyPem: string };
}

interface Quoted {
  id: string;
  bid: number;
  ask: number;
  size: number;
}

let kalshi: KalshiSimVenue | null = null;
let poly: PolymarketSimVenue | null = null;
let quoted: Quoted[] = [];
let next = 0;

const ladder = (q: Quoted): QuoteLadder => ({
  yesBids: [
    [q.bid, q.size],
    [Math.round((q.bid - 0.01) * 100) / 100, 500],
  ],
  yesAsks: [
    [q.ask, 200],
    [Math.round((q.ask + 0.01) * 100) / 100, 500],
  ],
});

function simGames(count: number): SimGameView[] {
  const teams = TEAMS.nba;
  return Array.from({ length: count }, (_, i) => {
    const home = teams[(2 * i) % teams.length]!;
    const away = teams[(2 * i + 1) % teams.length]!;
    return {
      id: `bench-g${i}`,
      sport: 'nba' as const,
      home,
      away,
      // One date per game keeps the venues' generated ids apart.
      startTime: new Date(Date.UTC(2026, 10, 25 + i, 0, 30)),
      status: 'live' as const,
      period: 1,
      clockS: 600,
      homeScore: 0,
      awayScore: 0,
      homeWinProb: 0.5,
      drawProb: 0,
      winner: null,
    };
  });
}

function setQuotes(q: Quoted): void {
  if (kalshi) kalshi.setMakerQuotes(q.id, ladder(q));
  else poly!.setMakerQuotes(q.id, ladder(q));
}

serveBenchCommands(
  {
    async setup(s: VenueSetup): Promise<{ urls: Record<string, string>; games: BenchGame[] }> {
      const games = simGames(s.games);
      const out: BenchGame[] = [];
      let urls: Record<string, string>;
      if (s.venue === 'kalshi') {
        kalshi = new KalshiSimVenue({ seed: 11 });
        urls = await kalshi.start();
        if (s.kalshiKey) kalshi.registerKey(s.kalshiKey.keyId, s.kalshiKey.publicKeyPem);
        for (const g of games) {
          kalshi.listGame(g);
          const markets = kalshi.gameMarkets(g.id).map(({ ticker, outcome }) => ({
            marketId: ticker,
            gameId: g.id,
            team: outcome === 'home' ? g.home.abbr : outcome === 'away' ? g.away.abbr : null,
            outcome,
          }));
          out.push({ game: gameSummary(g), markets });
        }
      } else {
        poly = new PolymarketSimVenue({ seed: 'bench-monitor' });
        urls = { ...(await poly.start()) };
        for (const g of games) {
          const listing = poly.listGame(g);
          const markets = listing.tokens.map((t) => ({ marketId: t.tokenId, gameId: g.id, team: t.team, outcome: t.result }));
          out.push({ game: gameSummary(g), markets });
        }
      }
      quoted = out.flatMap((g) => g.markets).map((m, i) => ({ id: m.marketId, bid: 0.3 + (i % 30) / 100, ask: 0.32 + (i % 30) / 100, size: 100 }));
      for (const q of quoted) setQuotes(q);
      return { urls, games: out };
    },

    /** One top-size change per update, cycling through the markets. */
    async run(args: { ratePerSec: number; durationMs: number }): Promise<RunStats> {
      return runPaced({
        ratePerSec: args.ratePerSec,
        durationMs: args.durationMs,
        send: (count) => {
          for (let i = 0; i < count; i++) {
            const q = quoted[next++ % quoted.length]!;
            q.size = q.size >= 199 ? 100 : q.size + 1;
            setQuotes(q);
          }
        },
      });
    },
  },
  async () => {
    await kalshi?.close();
    await poly?.close();
  },
);

function gameSummary(g: SimGameView): BenchGame['game'] {
  return {
    id: g.id,
    sport: g.sport,
    home: { name: g.home.name, abbr: g.home.abbr },
    away: { name: g.away.name, abbr: g.away.abbr },
    start: g.startTime.toISOString(),
  };
}
