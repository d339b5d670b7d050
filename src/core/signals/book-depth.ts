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

/**
 * Walks every ladder together, contract by contract, and returns the size with the greatest total
 * value that meets both minimums (the smallest such size on ties), or null. Every size is checked,
 * because fees round up per fill and so are not linear in the size.
 */
export function bestSize(search: SizeSearch): SizedFill | null {
  const { ladders } = search;
  if (ladders.length === 0) return null;
  const limit = Math.min(search.maxContracts, MAX_CONTRACTS_PER_FILL, ...ladders.map((l) => l.depth));
  const index = ladders.map(() => 0);
  const worst: LadderStep[] = ladders.map((l) => l.steps[0] as LadderStep);
  let best: SizedFill | null = null;
  for (let n = 1; n <= limit; n += 1) {
    for (let i = 0; i < ladders.length; i += 1) {
      const steps = (ladders[i] as Ladder).steps;
      let at = index[i] as number;
      while ((steps[at] as LadderStep).cumContracts < n) at += 1;
      index[i] = at;
      worst[i] = steps[at] as LadderStep;
    }
    const gross = search.grossPerContractCc(worst);
    // Fees are never negative, so value per contract <= gross, and gross only falls from here.
    if (gross <= 0 || gross < search.minValuePerContractCc) break;
    if (n < search.minContracts) continue;
    const value = search.totalValueCc(n, worst);
    if (value < search.minTotalValueCc || value < search.minValuePerContractCc * n) continue;
    if (best === null || value > best.valueCc) {
      best = { contracts: n, worst: [...worst], valueCc: value, grossPerContractCc: gross };
    }
  }
  return best;
}
