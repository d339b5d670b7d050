/**
 * Venue process of the pipeline benchmark: the Kalshi and the Polymarket simulators (real
 * WebSocket servers on loopback, the monitors connect to them as to the real venues), both
 * listing the same games, and a paced feeder driving their market makers through
 * setMakerQuotes: one re-quote per slot across both venues (feed-plan.ts), with out-of-line
 * episodes that make cross-venue arbitrage. Reports when each episode went out of line
 * (nowMicros, this host's clock), so the parent can also time venue send -> monitor receipt.
 */
import type { GameInfo } from '../../src/core/messages.js';
import { nowMicros } from '../../src/core/time.js';
import { KalshiSimVenue } from '../../src/sim/kalshi/kalshi-sim-venue.js';
import { PolymarketSimVenue } from '../../src/sim/polymarket/polymarket-sim-venue.js';
import { TEAMS } from '../../src/sim/teams.js';
import type { SimGameView } from '../../src/sim/world.js';
import { serveBenchCommands } from '../common/bench-child.js';
import { runPaced, type RunStats } from '../common/pacer.js';
import { UsageWindow, type UsageReport } from '../common/process-usage.js';
import { applyStep, FeedPlan, ladderOf, newFeedMarket, type FeedMarket, type FeedStep, type StepKind } from './feed-plan.js';

export interface FeederSetup {
  games: number;
  /** The shard every game is assigned to (`game_shard.<instance>`). */
  shard: string;
  kalshiKey: { keyId: string; publicKeyPem: string };
}

export interface FeederUrls {
  kalshiWsUrl: string;
  kalshiRestUrl: string;
  polyWsUrl: string;
}

export interface EpisodeMark {
  gameId: string;
  venue: string;
  marketId: string;
  /** When the asks went out of line (the arbitrage appeared at the venue). */
  outUs: number;
}

export interface FeederRun extends RunStats {
  steps: Record<StepKind, number>;
  episodes: EpisodeMark[];
  usage: UsageReport;
}

let kalshi: KalshiSimVenue | null = null;
let poly: PolymarketSimVenue | null = null;
let markets: FeedMarket[] = [];
let gameIds: string[] = [];
let plan: FeedPlan | null = null;

function simGames(count: number): SimGameView[] {
  const teams = TEAMS.nba;
  return Array.from({ length: count }, (_, i) => ({
    id: `pipe-g${i}`,
    sport: 'nba' as const,
    home: teams[(2 * i) % teams.length]!,
    away: teams[(2 * i + 1) % teams.length]!,
    // One date per game keeps the venues' generated ids apart.
    startTime: new Date(Date.UTC(2026, 10, 25, 0, 30) + i * 86_400_000),
    status: 'live' as const,
    period: 1,
    clockS: 600,
    homeScore: 0,
    awayScore: 0,
    homeWinProb: 0.5,
    drawProb: 0,
    winner: null,
  }));
}

function requote(m: FeedMarket): void {
  if (m.venue === 'kalshi') kalshi!.setMakerQuotes(m.marketId, ladderOf(m));
  else poly!.setMakerQuotes(m.marketId, ladderOf(m));
}

function perform(step: FeedStep, steps: Record<StepKind, number>, episodes: EpisodeMark[]): void {
  applyStep(step);
  if (step.kind === 'asks_down') {
    episodes.push({ gameId: gameIds[step.market.gameIndex]!, venue: step.market.venue, marketId: step.market.marketId, outUs: nowMicros() });
  }
  requote(step.market);
  steps[step.kind]++;
}

serveBenchCommands(
  {
    async setup(s: FeederSetup): Promise<{ urls: FeederUrls; infos: GameInfo[]; markets: number }> {
      kalshi = new KalshiSimVenue({ seed: 'bench-pipeline' });
      const k = await kalshi.start();
      kalshi.registerKey(s.kalshiKey.keyId, s.kalshiKey.publicKeyPem);
      poly = new PolymarketSimVenue({ seed: 'bench-pipeline' });
      const p = await poly.start();
      const infos: GameInfo[] = [];
      markets = [];
      const games = simGames(s.games);
      gameIds = games.map((g) => g.id);
      games.forEach((g, i) => {
        kalshi!.listGame(g);
        const own: FeedMarket[] = [];
        const infoMarkets: GameInfo['markets'] = [];
        for (const { ticker, outcome } of kalshi!.gameMarkets(g.id)) {
          if (outcome === 'draw') continue;
          own.push(newFeedMarket('kalshi', ticker, i, outcome));
          infoMarkets.push({ venue: 'kalshi', market_id: ticker, team: outcome === 'home' ? g.home.abbr : g.away.abbr, outcome });
        }
        for (const t of poly!.listGame(g).tokens) {
          if (t.result === 'draw') continue;
          own.push(newFeedMarket('poly', t.tokenId, i, t.result));
          infoMarkets.push({ venue: 'poly', market_id: t.tokenId, team: t.team, outcome: t.result });
        }
        markets.push(...own);
        infos.push({
          event: 'discovered',
          game_id: g.id,
          sport: g.sport,
          name: `${g.away.name} at ${g.home.name}`,
          home: { name: g.home.name, abbr: g.home.abbr },
          away: { name: g.away.name, abbr: g.away.abbr },
          start_time: g.startTime.toISOString(),
          status: 'live',
          markets: infoMarkets,
          shard: s.shard,
        });
      });
      for (const m of markets) requote(m);
      return { urls: { kalshiWsUrl: k.wsUrl, kalshiRestUrl: k.restUrl, polyWsUrl: p.wsUrl }, infos, markets: markets.length };
    },

    /** A size change on every market, unpaced: each monitor has a fresh price and book of all of them. */
    sweep(): number {
      for (const m of markets) perform({ kind: 'size', market: m, episode: -1 }, { size: 0, bids_down: 0, asks_down: 0, asks_up: 0, bids_up: 0 }, []);
      return markets.length;
    },

    async run(args: { ratePerSec: number; durationMs: number; episodesPerSec: number; episodeMs: number }): Promise<FeederRun> {
      plan = new FeedPlan(markets, args);
      const steps: Record<StepKind, number> = { size: 0, bids_down: 0, asks_down: 0, asks_up: 0, bids_up: 0 };
      const episodes: EpisodeMark[] = [];
      const usage = new UsageWindow();
      const stats = await runPaced({
        ratePerSec: args.ratePerSec,
        durationMs: args.durationMs,
        send: (count) => {
          for (let i = 0; i < count; i++) perform(plan!.next(), steps, episodes);
        },
      });
      // Episodes still out of line are put back now, so every run starts from in-line books.
      for (const step of plan.drain()) perform(step, steps, episodes);
      return { ...stats, steps, episodes, usage: usage.finish() };
    },
  },
  async () => {
    await kalshi?.close();
    await poly?.close();
  },
);
