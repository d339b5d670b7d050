/**
 * How much of a held quantity a venue can sell in one order. Kalshi sells whole contracts;
 * Polymarket's FAK sell (a market order) takes shares to at most 2 decimals
 * (MARKET_ORDER_DECIMALS in src/venues/polymarket/common.ts; a test checks the two agree).
 *
 * What cannot be sold is dust: a position of 9.8534 shares sells 9.85 and keeps 0.0034, which
 * stays booked at its share of the cost and is paid at settlement (1 or 0 per share, like the rest).
 */
import { contractsToMicros, floorContracts } from '../money.js';
import type { Venue } from '../topics.js';

/** Size step of a sell order, micro-contracts. */
export const SELL_STEP_MICROS: Readonly<Record<Venue, number>> = Object.freeze({ kalshi: 1_000_000, poly: 10_000 });

/** The largest quantity not above `held` that the venue accepts in a sell (0 when all of it is dust). */
export function sellableContracts(venue: Venue, held: number): number {
  return floorContracts(held, SELL_STEP_MICROS[venue]);
}

/** True when `contracts` is on the venue's sell step. */
export function onSellStep(venue: Venue, contracts: number): boolean {
  return contractsToMicros(contracts) % SELL_STEP_MICROS[venue] === 0;
}
