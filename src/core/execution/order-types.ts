/**
 * Vocabulary shared by execution, risk, sizing and positions. Prices stay YES-side
 * probabilities everywhere; `side` says which contract is held or traded, and a side price is
 * derived from the YES price only at the point where money is computed (money.ts sidePriceCc).
 */
import type { BookLevel } from '../book-level.js';
import type { Sport, Venue } from '../topics.js';

export type Side = 'yes' | 'no';
export type Action = 'buy' | 'sell';

/** Both sides of a book in YES terms, best first (a NO bid at p is a YES ask at 1 - p). */
export interface YesBook {
  readonly yes_bids: readonly BookLevel[];
  readonly yes_asks: readonly BookLevel[];
}

/** Top of book in YES terms; null when that side is empty. */
export interface TopOfBook {
  readonly yesBid: number | null;
  readonly yesAsk: number | null;
}

/** Where an order or a position lives, with the grouping risk limits apply to. */
export interface MarketRef {
  readonly venue: Venue;
  readonly marketId: string;
  readonly gameId: string;
  readonly sport: Sport;
}

export function marketKey(venue: Venue, marketId: string): string {
  return `${venue}:${marketId}`;
}

/**
 * Which YES-side book an order consumes: buying YES and selling NO take the asks (selling NO at
 * 1 - ask is buying YES at ask); buying NO and selling YES take the bids.
 */
export function consumesAsks(side: Side, action: Action): boolean {
  return (side === 'yes') === (action === 'buy');
}
