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
