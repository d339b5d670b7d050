/**
 * The benchmark's games and the prices that feed them. Every game has a Kalshi and a Polymarket
 * market per team, quoted out of line (Kalshi BOS asks 0.40, Polymarket LAL asks 0.50: one of the
 * two pays $1 for 0.90 plus fees), so with the debounce off every price update of a game is an
 * arbitrage and must come out of the shard as a signal. Updates change the top size only.
 */
import type { GameInfo, PriceUpdate } from '../../src/core/messages.js';
import type { Venue } from '../../src/core/topics.js';

export interface BenchMarket {
  venue: Venue;
  marketId: string;
  gameId: string;
  team: string;
  outcome: 'home' | 'away';
  bid: number;
  ask: number;
}

const QUOTES: Record<string, [number, number]> = {
  'kalshi:home': [0.38, 0.4],
  'kalshi:away': [0.58, 0.6],
  'poly:home': [0.47, 0.49],
  'poly:away': [0.48, 0.5],
};

export function benchGames(tag: string, count: number, shard: string): { infos: GameInfo[]; markets: BenchMarket[] } {
  const infos: GameInfo[] = [];
  const markets: BenchMarket[] = [];
  for (let i = 0; i < count; i++) {
    const gameId = `${tag}${i}`;
    const own: BenchMarket[] = [];
    for (const venue of ['kalshi', 'poly'] as const) {
      for (const outcome of ['home', 'away'] as const) {
        const team = outcome === 'home' ? 'BOS' : 'LAL';
        const [bid, ask] = QUOTES[`${venue}:${outcome}`]!;
        own.push({ venue, marketId: venue === 'kalshi' ? `KXB-${gameId}-${team}` : `${gameId}${team}9`, gameId, team, outcome, bid, ask });
      }
    }
    markets.push(...own);
    infos.push({
      event: 'discovered',
      game_id: gameId,
      sport: 'nba',
      name: 'Los Angeles Lakers at Boston Celtics',
      home: { name: 'Boston Celtics', abbr: 'BOS' },
      away: { name: 'Los Angeles Lakers', abbr: 'LAL' },
      start_time: new Date(Date.now() + 3_600_000).toISOString(),
      status: 'scheduled',
      markets: own.map((m) => ({ venue: m.venue, market_id: m.marketId, team: m.team, outcome: m.outcome })),
      shard,
    });
  }
  return { infos, markets };
}

/** The n-th update of a market: its quote with a top size that changes every time. */
export function benchPrice(m: BenchMarket, n: number): PriceUpdate {
  return {
    venue: m.venue,
    market_id: m.marketId,
    game_id: m.gameId,
    team: m.team,
    yes_bid: m.bid,
    yes_ask: m.ask,
    yes_bid_size: 100 + (n % 97),
    yes_ask_size: 100 + (n % 89),
    status: 'open',
  };
}
