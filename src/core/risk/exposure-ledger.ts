/**
 * Exposure in cc per market, with running totals per game, per sport and overall, so every
 * limit check is a map lookup. A market's game and sport are fixed at its first adjustment.
 * Exposure never goes below zero: a release larger than what is booked (a rounding or
 * bookkeeping slip elsewhere) clears the market instead of creating negative headroom.
 */
import type { Sport } from '../topics.js';
import { marketKey, type MarketRef } from '../execution/order-types.js';

interface MarketEntry {
  readonly gameId: string;
  readonly sport: Sport;
  cc: number;
}

export class ExposureLedger {
  private readonly markets = new Map<string, MarketEntry>();
  private readonly games = new Map<string, number>();
  private readonly sports = new Map<Sport, number>();
  private total = 0;

  adjust(ref: MarketRef, deltaCc: number): void {
    if (!Number.isSafeInteger(deltaCc)) throw new RangeError(`exposure delta ${deltaCc} is not an integer number of cc`);
    const key = marketKey(ref.venue, ref.marketId);
    const entry = this.markets.get(key) ?? { gameId: ref.gameId, sport: ref.sport, cc: 0 };
    const applied = Math.max(deltaCc, -entry.cc);
    entry.cc += applied;
    bump(this.games, entry.gameId, applied);
    bump(this.sports, entry.sport, applied);
    this.total += applied;
    if (entry.cc === 0) this.markets.delete(key);
    else this.markets.set(key, entry);
  }

  market(venue: MarketRef['venue'], marketId: string): number {
    return this.markets.get(marketKey(venue, marketId))?.cc ?? 0;
  }

  game(gameId: string): number {
    return this.games.get(gameId) ?? 0;
  }

  sport(sport: Sport): number {
    return this.sports.get(sport) ?? 0;
  }

  totalCc(): number {
    return this.total;
  }
}

function bump<K>(map: Map<K, number>, key: K, delta: number): void {
  const next = (map.get(key) ?? 0) + delta;
  if (next === 0) map.delete(key);
  else map.set(key, next);
}
