/**
 * Walking books for size. A ladder is one way of buying one market: YES lifts the YES asks, NO
 * hits the YES bids (NO at 1 - yes_bid). Each step carries the cumulative whole contracts
 * available up to and including it.
 *
 * Sizing is priced at the WORST step used, for every contract: that is the limit the order will
 * carry, and a limit order can fill the whole size at its limit if the better levels are taken
 * first. Pricing at the limit is therefore the profit the signal can promise. (Cost plus fee per
 * contract rises with the price, since the fee's slope rate * (1 - 2p) is below 1, so fills at
 * better prices only add profit.)
 */
import { MAX_CONTRACTS_PER_FILL } from '../fees.js';
import { CC_PER_DOLLAR } from '../money.js';
import type { Side, ValidBook } from './signal-input.js';

export interface LadderStep {
  /** YES-side price of this level, in cc. */
  readonly yesCc: number;
  /** What one contract of the ladder's side costs at this level, in cc. */
  readonly costCc: number;
  /** Whole contracts available from the best level through this one. */
  readonly cumContracts: number;
}

export interface Ladder {
  readonly book: ValidBook;
  readonly side: Side;
  readonly steps: readonly LadderStep[];
  /** Whole contracts on the whole side of the book. */
  readonly depth: number;
}

export function buyLadder(book: ValidBook, side: Side): Ladder {
  const levels = side === 'yes' ? book.asks : book.bids;
  const steps: LadderStep[] = [];
  let cumulative = 0;
  for (const level of levels) {
    cumulative += level.contracts;
    // Floor: a fractional remainder is not a contract we can count on.
    const cumContracts = Math.floor(cumulative);
    const costCc = side === 'yes' ? level.yesCc : CC_PER_DOLLAR - level.yesCc;
    steps.push({ yesCc: level.yesCc, costCc, cumContracts });
  }
  return { book, side, steps, depth: steps.at(-1)?.cumContracts ?? 0 };
}

export interface SizeSearch {
  readonly ladders: readonly Ladder[];
  readonly minContracts: number;
  readonly maxContracts: number;
  /** The result must be worth at least this much per contract... */
  readonly minValuePerContractCc: number;
  /** ...and at least this much in total. */
  readonly minTotalValueCc: number;
  /**
   * Value per contract before fees, given each ladder's worst step. It must not rise as the
   * steps get worse: the walk stops once it falls below the per-contract minimum.
   */
  readonly grossPerContractCc: (worst: readonly LadderStep[]) => number;
  /**
   * An upper bound on value per contract at these steps: gross minus the unrounded fees. Since
   * fees only round up, totalValueCc(n) <= n * this, which lets the walk skip sizes that cannot win.
   */
  readonly slopePerContractCc: (worst: readonly LadderStep[]) => number;
  /** Total value of `contracts` at the worst steps, fees included. */
  readonly totalValueCc: (contracts: number, worst: readonly LadderStep[]) => number;
}

export interface SizedFill {
  readonly contracts: number;
  /** The worst step used on each ladder, in ladder order: the legs' limit prices. */
  readonly worst: readonly LadderStep[];
  readonly valueCc: number;
  readonly grossPerContractCc: number;
}

/** Unrounded fee per contract in cc at a YES price, for SizeSearch.slopePerContractCc. */
export function exactFeePerContractCc(takerRateBp: number, yesCc: number): number {
  return (takerRateBp * yesCc * (CC_PER_DOLLAR - yesCc)) / 100_000_000;
}

/**
 * Walks every ladder together and returns the size with the greatest total value that meets both
 * minimums (the smallest such size on ties), or null. The walk goes segment by segment (a segment
 * is a run of sizes over which no ladder's worst step changes). Fees round up per fill, so value is
 * not linear in size: inside a segment sizes are tried from the largest down, and only while the
 * unrounded bound n * slope could still beat the best found, which is exact and usually a handful
 * of evaluations per segment.
 */
export function bestSize(search: SizeSearch): SizedFill | null {
  const { ladders } = search;
  if (ladders.length === 0) return null;
  const limit = Math.min(search.maxContracts, MAX_CONTRACTS_PER_FILL, ...ladders.map((l) => l.depth));
  const index = ladders.map(() => 0);
  const worst: LadderStep[] = ladders.map((l) => l.steps[0] as LadderStep);
  let best: SizedFill | null = null;
  let n = 1;
  while (n <= limit) {
    let segmentEnd = limit;
    for (let i = 0; i < ladders.length; i += 1) {
      const steps = (ladders[i] as Ladder).steps;
      let at = index[i] as number;
      while ((steps[at] as LadderStep).cumContracts < n) at += 1;
      index[i] = at;
      const step = steps[at] as LadderStep;
      worst[i] = step;
      segmentEnd = Math.min(segmentEnd, step.cumContracts);
    }
    const gross = search.grossPerContractCc(worst);
    // Fees are never negative, so value per contract <= gross, and gross only falls from here.
    if (gross <= 0 || gross < search.minValuePerContractCc) break;
    const slope = search.slopePerContractCc(worst);
    if (slope > 0 && slope >= search.minValuePerContractCc) {
      for (let size = segmentEnd; size >= Math.max(n, search.minContracts); size -= 1) {
        if (best !== null && size * slope + 1e-6 < best.valueCc) break;
        const value = search.totalValueCc(size, worst);
        if (value < search.minTotalValueCc || value < search.minValuePerContractCc * size) continue;
        if (best === null || value > best.valueCc || (value === best.valueCc && size < best.contracts)) {
          best = { contracts: size, worst: [...worst], valueCc: value, grossPerContractCc: gross };
        }
      }
    }
    n = segmentEnd + 1;
  }
  return best;
}
