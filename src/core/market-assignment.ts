/**
 * A market a monitor watches, and why: the game it belongs to and the team its YES contract pays
 * on. Derived from the orchestrator's GameInfo (its `markets` list), for one venue.
 */
import { GameInfoSchema, type GameInfo } from './messages.js';
import { isValidTopicId, type Venue } from './topics.js';

export interface MarketAssignment {
  readonly venue: Venue;
  readonly marketId: string;
  readonly gameId: string;
  /** Abbreviation of the team YES pays on; null for a draw contract. */
  readonly team: string | null;
  readonly outcome: 'home' | 'away' | 'draw';
}

export interface VenueMarkets {
  markets: MarketAssignment[];
  /** Market ids that cannot name a topic (and so cannot be watched). */
  rejected: string[];
}

/** This venue's markets of a game; ids that would break a topic are rejected, not published. */
export function venueMarketsOf(info: GameInfo, venue: Venue): VenueMarkets {
  const markets: MarketAssignment[] = [];
  const rejected: string[] = [];
  for (const ref of info.markets) {
    if (ref.venue !== venue) continue;
    if (!isValidTopicId(ref.market_id)) {
      rejected.push(ref.market_id);
      continue;
    }
    markets.push(Object.freeze({ venue, marketId: ref.market_id, gameId: info.game_id, team: ref.team, outcome: ref.outcome }));
  }
  return { markets, rejected };
}

/** A game the monitor should stop watching (after a grace period, so the settlement shows). */
export function hasEnded(info: GameInfo): boolean {
  return info.event === 'final' || info.status === 'final' || info.status === 'cancelled' || info.status === 'postponed';
}

export function sameAssignment(a: MarketAssignment, b: MarketAssignment): boolean {
  return a.gameId === b.gameId && a.team === b.team && a.outcome === b.outcome;
}

export type ParsedGameInfo = { ok: true; info: GameInfo } | { ok: false; reason: string };

/** Parses one games:active value or a message's data; never throws. */
export function parseGameInfo(raw: unknown): ParsedGameInfo {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return { ok: false, reason: 'not JSON' };
    }
  }
  const parsed = GameInfoSchema.safeParse(value);
  if (!parsed.success) return { ok: false, reason: parsed.error.issues[0]?.message ?? 'schema mismatch' };
  return { ok: true, info: parsed.data };
}
