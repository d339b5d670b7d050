/** Small operations on maker quote ladders. */
import type { Ladder, QuoteLadder } from './world.js';

const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;

/**
 * The ladder of the complementary token (it pays exactly when this one does not): its bids are
 * one minus this token's asks, and its asks one minus its bids, best first.
 */
export function mirrorLadder(ladder: QuoteLadder): QuoteLadder {
  return {
    yesBids: ladder.yesAsks.map(([p, s]) => [round4(1 - p), s]),
    yesAsks: ladder.yesBids.map(([p, s]) => [round4(1 - p), s]),
  };
}

function sameSide(a: Ladder, b: Ladder): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]![0] !== b[i]![0] || a[i]![1] !== b[i]![1]) return false;
  }
  return true;
}

export function sameLadder(a: QuoteLadder | null, b: QuoteLadder): boolean {
  return a !== null && sameSide(a.yesBids, b.yesBids) && sameSide(a.yesAsks, b.yesAsks);
}
