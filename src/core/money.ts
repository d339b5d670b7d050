/**
 * Money is integer math in one place. The unit is the centi-cent (`cc`, 1/10000 of a dollar):
 * fine enough for Polymarket's sub-cent fees, small enough that every sum stays an exact
 * integer far beyond any bankroll. Prices are YES-side probabilities with at most 4 decimals,
 * which are exactly whole centi-cents per contract.
 */
export const CC_PER_DOLLAR = 10_000;
export const CC_PER_CENT = 100;

/** A YES-side probability to centi-cents per contract; rejects more than 4 decimals of drift. */
export function priceToCc(price: number): number {
  if (!(price >= 0 && price <= 1)) throw new RangeError(`price ${price} is outside [0,1]`);
  return Math.round(price * CC_PER_DOLLAR);
}

export function ccToPrice(cc: number): number {
  return cc / CC_PER_DOLLAR;
}

export function dollarsToCc(dollars: number): number {
  return Math.round(dollars * CC_PER_DOLLAR);
}

/** Cost per contract of holding `side`, from a YES-side price: NO at yes 0.60 costs 0.40. */
export function sidePriceCc(side: 'yes' | 'no', yesPrice: number): number {
  const yesCc = priceToCc(yesPrice);
  return side === 'yes' ? yesCc : CC_PER_DOLLAR - yesCc;
}

/** Integer division rounding up, for non-negative integers. */
export function ceilDiv(numerator: number, denominator: number): number {
  return Math.floor((numerator + denominator - 1) / denominator);
}

export function formatCc(cc: number): string {
  const sign = cc < 0 ? '-' : '';
  const abs = Math.abs(cc);
  return `${sign}$${Math.floor(abs / CC_PER_DOLLAR)}.${String(abs % CC_PER_DOLLAR).padStart(4, '0')}`;
}

/*
 * Quantities. Kalshi trades whole contracts; Polymarket credits shares to the millionth (its
 * base unit: 1e-6 share, the same unit as its amounts on the wire), e.g. 9.85 shares after a fee
 * taken in shares. On the bus and in snapshots a quantity stays a number of contracts, now with
 * up to 6 decimals (whole numbers in old records read the same); every sum, difference and
 * product with a price goes through integer micro-contracts here, never through float math.
 */
export const MICROS_PER_CONTRACT = 1_000_000;
const MICROS_BIG = 1_000_000n;

/** Contracts (at most 6 decimals) as integer micro-contracts; rejects finer or non-finite values. */
export function contractsToMicros(contracts: number): number {
  const micros = Math.round(contracts * MICROS_PER_CONTRACT);
  if (!Number.isFinite(contracts) || !Number.isSafeInteger(micros) || Math.abs(micros - contracts * MICROS_PER_CONTRACT) > 1e-3) {
    throw new RangeError(`quantity ${contracts} is not a whole number of micro-contracts`);
  }
  return micros;
}

/** Integer micro-contracts as contracts: the nearest double to the exact decimal, so it round-trips. */
export function microsToContracts(micros: number): number {
  if (!Number.isSafeInteger(micros)) throw new RangeError(`micro-contracts ${micros} is not a safe integer`);
  return micros / MICROS_PER_CONTRACT;
}

/** True when `contracts` has at most 6 decimals (what a quantity on the bus may carry). */
export function isMicroQuantity(contracts: unknown): contracts is number {
  if (typeof contracts !== 'number') return false;
  try {
    contractsToMicros(contracts);
    return true;
  } catch {
    return false;
  }
}

/** a + b and a - b of two quantities, exactly. */
export function addContracts(a: number, b: number): number {
  return microsToContracts(contractsToMicros(a) + contractsToMicros(b));
}
export function subContracts(a: number, b: number): number {
  return microsToContracts(contractsToMicros(a) - contractsToMicros(b));
}

/** Rounds a quantity down to a multiple of `stepMicros` (a venue's size precision). */
export function floorContracts(contracts: number, stepMicros: number): number {
  const micros = contractsToMicros(contracts);
  return microsToContracts(micros - (micros % stepMicros));
}

/**
 * Contracts x a per-contract amount in cc, as integer cc: exact for whole contracts, rounded
 * `up` (what a buy pays: never understate a cost) or `down` (what a sell receives) otherwise.
 */
export function quantityTimesCc(contracts: number, perContractCc: number, round: 'up' | 'down'): number {
  if (!Number.isInteger(perContractCc)) throw new RangeError(`per-contract amount ${perContractCc} is not whole cc`);
  if (Number.isInteger(contracts) && Number.isSafeInteger(contracts * perContractCc)) return contracts * perContractCc;
  return Number(divRound(BigInt(contractsToMicros(contracts)) * BigInt(perContractCc), MICROS_BIG, round));
}

/** Integer division of bigints rounding toward -inf (`down`) or +inf (`up`). */
export function divRound(numerator: bigint, denominator: bigint, round: 'up' | 'down'): bigint {
  if (denominator <= 0n) throw new RangeError('divRound needs a positive denominator');
  const q = numerator / denominator;
  const r = numerator % denominator;
  if (r === 0n) return q;
  if (round === 'down') return numerator < 0n ? q - 1n : q;
  return numerator > 0n ? q + 1n : q;
}
