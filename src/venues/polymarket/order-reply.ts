/**
 * What an order's reply says moved: shares and collateral in base units. The CLOB sends
 * `makingAmount`/`takingAmount` as base-unit digit strings ("82000000", the documentation's
 * example) or as decimals ("2.499999", what the official clients parse as Decimal), so a bare
 * "82" could be either. Each reading is checked against the order that was signed: collateral
 * and shares within what the order allowed, and the average price within the limit. A reply
 * with no consistent reading, or more than one, is not guessed: the order's outcome is unknown
 * and it is reconciled from the venue.
 */
import type { PolySide } from './common.js';
import { amountUnits } from './parse.js';

export interface SignedAmounts {
  side: PolySide;
  makerAmount: bigint;
  takerAmount: bigint;
}

export interface MovedAmounts {
  shares: bigint;
  collateral: bigint;
}

const ONE = 1_000_000n;
const MIN_SHARES = 10_000n;
const MIN_PRICE = 100n; // 0.0001 in base units per share

function readings(text: string): bigint[] {
  if (text === '' || text.includes('.')) return [amountUnits(text)];
  const base = BigInt(text);
  return base === 0n ? [0n] : [base, base * ONE];
}

/**
 * BUY: collateral <= the signed collateral; price = collateral / shares <= the signed price
 * (price improvement buys more shares, never fewer per dollar), with 10 % of room for a fee
 * taken in shares (the shares credited are net of it). SELL: shares <= the signed shares;
 * collateral / shares >= the signed price, with the same room for a fee taken from the proceeds. The two readings of a bare number differ 10^6-fold,
 * so the room never makes both fit.
 */
function consistent(order: SignedAmounts, m: MovedAmounts): boolean {
  if (m.shares === 0n || m.collateral === 0n) return m.shares === 0n && m.collateral === 0n;
  // Never less than 0.01 share (the venue's smallest size): "10" is not 0.00001 shares. Shares sold
  // move in steps of 1e-4; shares bought may be net of a fee taken in shares, to the base unit.
  if (m.shares < MIN_SHARES || (order.side === 'SELL' && m.shares % 100n !== 0n)) return false;
  // Nothing trades below 0.0001 or at 1 and above.
  if (m.collateral * ONE < m.shares * MIN_PRICE || m.collateral >= m.shares) return false;
  if (order.side === 'BUY') {
    const sharesBeforeFee = (m.shares * 11n) / 10n;
    return m.collateral <= order.makerAmount && m.collateral * order.takerAmount <= order.makerAmount * sharesBeforeFee;
  }
  const collateralBeforeFee = (m.collateral * 11n) / 10n;
  return m.shares <= order.makerAmount && collateralBeforeFee * order.makerAmount >= order.takerAmount * m.shares;
}

/** The amounts the reply reports, or a reason why they cannot be told. */
export function movedAmounts(order: SignedAmounts, makingText: string, takingText: string): MovedAmounts | { problem: string } {
  const found = new Map<string, MovedAmounts>();
  for (const making of readings(makingText)) {
    for (const taking of readings(takingText)) {
      const m = order.side === 'BUY' ? { shares: taking, collateral: making } : { shares: making, collateral: taking };
      if (consistent(order, m)) found.set(`${m.shares}/${m.collateral}`, m);
    }
  }
  if (found.size === 1) return [...found.values()][0]!;
  const what = `makingAmount ${JSON.stringify(makingText)}, takingAmount ${JSON.stringify(takingText)}`;
  return { problem: found.size === 0 ? `${what} do not fit the signed order` : `${what} read two ways` };
}
