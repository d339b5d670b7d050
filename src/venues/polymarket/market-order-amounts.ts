/**
 * Amounts of a FAK/FOK order, which the CLOB treats as a market order: a BUY's collateral at most
 * 2 decimals and its shares at most 4, a SELL's shares at most 2 and its collateral at most 4,
 * whatever the tick size (MARKET_ORDER_DECIMALS). A limit-order sizing (shares x price, exact)
 * breaks this on every fine tick: 7 shares at 0.973 is $6.811.
 *
 * BUY of N whole shares at limit p: spend D = N x p rounded down to the cent, ask for
 * T = D / p rounded down to 1e-4 shares (as the official clients round a market buy). Then
 * T <= N, and the signed price D / T is p or above it by less than one tick (D / T - p <
 * p x 1e-4 / T, T >= 0.01), so the order crosses every level at p and none above it, and never
 * spends more than N x p; when N x p is already whole cents, D / T is exactly p and T is N.
 * SELL of N shares at p: N x p has at most 4 decimals for every tick when N is whole, so it is
 * exact. A held fraction (Polymarket credits shares to 1e-6) sells on the 2-decimal share step
 * (core/execution/sell-size.ts decides how much of a position that is): N x p then has up to 6
 * decimals and is rounded down to 4, a signed price at most 0.0001 / N below p, refused when that
 * would pass the tick below (the order would then cross levels under the limit).
 */
import { AMOUNT_DECIMALS, MARKET_ORDER_DECIMALS, ROUNDING, type PolySide, type TickSize } from './common.js';
import { PolymarketOrderInvalidError } from './errors.js';
import { contractsToMicros } from '../../core/money.js';

const ONE = 10n ** BigInt(AMOUNT_DECIMALS);
/** Base units per step of the given number of decimals. */
const step = (decimals: number): bigint => 10n ** BigInt(AMOUNT_DECIMALS - decimals);
const MAKER_STEP = step(MARKET_ORDER_DECIMALS.maker);
const TAKER_STEP = step(MARKET_ORDER_DECIMALS.taker);

export interface MarketOrderAmounts {
  makerAmount: bigint;
  takerAmount: bigint;
}

/** The price in base units per share (price x 1e6), refusing a price off the tick grid or outside (0, 1). */
export function priceBaseUnits(price: number, tick: TickSize): bigint {
  const decimals = ROUNDING[tick].price;
  const scaled = Math.round(price * 10 ** decimals);
  if (!Number.isFinite(price) || Math.abs(scaled - price * 10 ** decimals) > 1e-6) {
    throw new PolymarketOrderInvalidError(`price ${price} is not on a ${tick} grid`);
  }
  const units = BigInt(scaled) * step(decimals);
  const tickUnits = BigInt(Math.round(Number(tick) * 1e6));
  if (units % tickUnits !== 0n) throw new PolymarketOrderInvalidError(`price ${price} is not a multiple of the tick size ${tick}`);
  if (units < tickUnits || units > ONE - tickUnits) throw new PolymarketOrderInvalidError(`price ${price} is outside [${tick}, ${1 - Number(tick)}]`);
  return units;
}

export function marketOrderAmounts(side: PolySide, price: number, shares: number, tick: TickSize): MarketOrderAmounts {
  const p = priceBaseUnits(price, tick);
  const tickUnits = BigInt(Math.round(Number(tick) * 1e6));
  if (side === 'SELL') return sellAmounts(shares, price, p, tickUnits);
  if (!Number.isSafeInteger(shares) || shares <= 0) throw new PolymarketOrderInvalidError(`whole shares only for a buy, got ${shares}`);
  const n = BigInt(shares);
  const dollars = ((n * p) / MAKER_STEP) * MAKER_STEP;
  if (dollars === 0n) throw new PolymarketOrderInvalidError(`${shares} shares at ${price} is less than one cent`);
  const takerAmount = ((dollars * ONE) / (p * TAKER_STEP)) * TAKER_STEP;
  // A share or so at a fine tick near 1 (0.9999 x 1 = $0.99 for 0.99 shares: price 1.0) cannot be said within the precision.
  if (dollars * ONE >= (p + tickUnits) * takerAmount) {
    throw new PolymarketOrderInvalidError(`${shares} shares at ${price} cannot be sent within the market-order precision (the signed price would pass the next tick)`);
  }
  return { makerAmount: dollars, takerAmount };
}

/** Why a FAK/FOK order's amounts would be refused by the venue's market-order precision, or null. */
export function marketOrderPrecisionProblem(side: PolySide, makerAmount: bigint, takerAmount: bigint): string | null {
  if (makerAmount <= 0n || takerAmount <= 0n) return 'amounts must be positive';
  if (makerAmount % MAKER_STEP !== 0n || takerAmount % TAKER_STEP !== 0n) {
    return `invalid amounts, the market ${side.toLowerCase()} orders maker amount supports a max accuracy of ${MARKET_ORDER_DECIMALS.maker} decimals, taker amount a max of ${MARKET_ORDER_DECIMALS.taker} decimals`;
  }
  return null;
}

function sellAmounts(shares: number, price: number, p: bigint, tickUnits: bigint): MarketOrderAmounts {
  let micros: bigint;
  try {
    micros = BigInt(contractsToMicros(shares));
  } catch {
    throw new PolymarketOrderInvalidError(`shares ${shares} has more than 6 decimals`);
  }
  if (micros <= 0n || micros % MAKER_STEP !== 0n) throw new PolymarketOrderInvalidError(`a sell takes shares to ${MARKET_ORDER_DECIMALS.maker} decimals, got ${shares}`);
  const takerAmount = ((micros * p) / ONE / TAKER_STEP) * TAKER_STEP;
  if (takerAmount === 0n || takerAmount * ONE <= (p - tickUnits) * micros) {
    throw new PolymarketOrderInvalidError(`${shares} shares at ${price} cannot be sent within the market-order precision (the signed price would pass the tick below)`);
  }
  return { makerAmount: micros, takerAmount };
}
