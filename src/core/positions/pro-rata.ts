import { contractsToMicros } from '../money.js';

/**
 * The share of an integer amount that belongs to `part` of `whole` contracts, rounded down.
 * Closing k of n contracts releases proRataCc(cost, k, n) and leaves the rest on the position,
 * so a position closed in any number of pieces releases exactly its whole cost: the rounding
 * never creates or loses a centi-cent.
 */
export function proRataCc(totalCc: number, part: number, whole: number): number {
  if (!Number.isInteger(totalCc) || !Number.isInteger(part) || !Number.isInteger(whole)) {
    throw new RangeError(`proRataCc needs integers, got ${totalCc}, ${part}, ${whole}`);
  }
  if (whole <= 0 || part < 0 || part > whole) throw new RangeError(`part ${part} of ${whole} is not a share`);
  if (part === whole) return totalCc;
  const product = totalCc * part;
  if (Number.isSafeInteger(product)) return Math.floor(product / whole);
  const big = BigInt(totalCc) * BigInt(part);
  const q = big / BigInt(whole);
  // BigInt division truncates toward zero; floor for negatives.
  return Number(big % BigInt(whole) !== 0n && big < 0n ? q - 1n : q);
}

/**
 * proRataCc for quantities (contracts with up to 6 decimals): the share of `totalCc` that
 * `part` of `whole` contracts carries, by integer micro-contracts, so a fractional position
 * closed in any pieces still releases exactly its whole cost.
 */
export function proRataQuantityCc(totalCc: number, part: number, whole: number): number {
  return proRataCc(totalCc, contractsToMicros(part), contractsToMicros(whole));
}
