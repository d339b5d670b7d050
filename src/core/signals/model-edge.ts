/**
 * Model edge: the model says an outcome is more likely than the price at which the market sells
 * it. The executable price is the ask for YES (yes_ask) and 1 - yes_bid for NO, walked level by
 * level for size.
 *
 * Expected profit per contract = model probability of the side bought - price paid - entry fee -
 * expected exit fee. Two ways out exist: hold to settlement (no exit fee) or sell before the end
 * (the position tracker takes profit or stops out), at best at the model's price, paying that
 * venue's taker fee there. The exit fee is charged at the model price because that is the
 * conservative of the two: holding costs nothing more, so an edge that survives the exit fee
 * survives either way.
 *
 * One signal per game at most: of every (venue, market, side) that clears the threshold, the one
 * with the best net edge per contract. So the better venue wins (fees included: a worse price on a
 * cheaper venue can be the better trade), and a game is never backed on both sides at once.
 * Outcomes whose model probability lies outside [minModelProb, maxModelProb] are not traded on
 * either side: there the model is extrapolating and the upside is a cent or two.
 */
import { feeCc } from '../fees.js';
import { modelProbSd } from '../win-probability/index.js';
import { CC_PER_DOLLAR, formatCc } from '../money.js';
import type { FeeSchedule } from '../fees.js';
import { bestSize, buyLadder, exactFeePerContractCc, type Ladder, type SizedFill } from './book-depth.js';
import { DEFAULT_SIGNAL_OPTIONS, type SignalOptions } from './signal-options.js';
import {
  checkBooks,
  checkContext,
  checkGame,
  checkModel,
  outcomeProbability,
  outcomesOf,
  type GameRef,
  type MarketBook,
  type ModelProbs,
  type Outcome,
  type Side,
  type SignalContext,
  type ValidBook,
} from './signal-input.js';
import type { SignalInputError } from './signal-input-error.js';
import {
  backedKey,
  buyLeg,
  ccPerContractToEdge,
  coveredOutcomes,
  describeLeg,
  emitSignal,
  noSignal,
  type Detection,
  type SignalFields,
} from './signal-result.js';

export interface ModelEdgeInput {
  game: GameRef;
  model: ModelProbs;
  books: readonly MarketBook[];
}

export interface BuyRules {
  readonly minNetEdgeCc: number;
  readonly minLiquidityContracts: number;
  readonly maxContracts: number;
  readonly minModelProb: number;
  readonly maxModelProb: number;
}

export interface BuyCandidate {
  readonly ladder: Ladder;
  readonly fill: SizedFill;
  /** Model probability of the market's YES outcome (YES-side, whatever the side bought). */
  readonly modelYesProb: number;
  readonly covered: readonly Outcome[];
  readonly entryFeeCc: number;
  readonly exitFeeCc: number;
}

/** May a (book, side) be considered at all? Score-change uses this to keep only unmoved books. */
export type BuyFilter = (book: ValidBook, side: Side, modelSideProb: number) => boolean;

export function detectModelEdge(
  input: ModelEdgeInput,
  context: SignalContext,
  options: Readonly<SignalOptions> = DEFAULT_SIGNAL_OPTIONS,
): Detection {
  const issues: SignalInputError[] = [];
  if (!options.model.enabled) return noSignal('disabled', issues);
  const game = checkGame(input?.game, issues);
  const ctx = checkContext(context, issues);
  const model = checkModel('model', input?.model, issues);
  if (game === null || ctx === null || model === null) return noSignal('invalid_input', issues);

  const outcomes = outcomesOf(game.sport, options.threeOutcomeSports);
  const checked = checkBooks(input.books, outcomes, issues);
  if (checked.books.length === 0) {
    return noSignal(checked.staleCount > 0 ? 'all_books_stale' : issues.length > 0 ? 'invalid_input' : 'no_books', issues);
  }
  const best = strongestBuy(evaluateBuys(checked.books, model, outcomes, options.fees, options.model));
  if (best === null) return noSignal('below_threshold', issues);
  return emitSignal(
    buySignalFields('model_edge', game, best, 'model edge', options.highEdgeThreshold),
    {
      ctx,
      ttlUs: options.model.ttlUs,
      highEdgeThreshold: options.highEdgeThreshold,
      debounceKey: `${game.game_id}:model:${backedKey(best.covered)}`,
      expectedProfitCc: best.fill.valueCc,
    },
    issues,
  );
}

/** Every (book, side) whose expected profit clears the rules, sized by depth. */
export function evaluateBuys(
  books: readonly ValidBook[],
  model: ModelProbs,
  outcomes: readonly Outcome[],
  fees: FeeSchedule,
  rules: BuyRules,
  accept: BuyFilter = () => true,
): BuyCandidate[] {
  const found: BuyCandidate[] = [];
  for (const book of books) {
    const yesProb = outcomeProbability(book.outcome, model, outcomes);
    if (yesProb === null || yesProb < rules.minModelProb || yesProb > rules.maxModelProb) continue;
    const yesProbCc = Math.round(yesProb * CC_PER_DOLLAR);
    for (const side of ['yes', 'no'] as const) {
      const sideProbCc = side === 'yes' ? yesProbCc : CC_PER_DOLLAR - yesProbCc;
      if (!accept(book, side, sideProbCc / CC_PER_DOLLAR)) continue;
      const candidate = sizeBuy(buyLadder(book, side), sideProbCc, yesProbCc, fees, rules);
      if (candidate !== null) found.push({ ...candidate, modelYesProb: yesProb, covered: coveredOutcomes(book.outcome, side, outcomes) });
    }
  }
  return found;
}

function sizeBuy(
  ladder: Ladder,
  sideProbCc: number,
  yesProbCc: number,
  fees: FeeSchedule,
  rules: BuyRules,
): Pick<BuyCandidate, 'ladder' | 'fill' | 'entryFeeCc' | 'exitFeeCc'> | null {
  if (ladder.depth === 0) return null;
  const rule = fees[ladder.book.venue];
  const exitPrice = yesProbCc / CC_PER_DOLLAR;
  const fill = bestSize({
    ladders: [ladder],
    minContracts: rules.minLiquidityContracts,
    maxContracts: rules.maxContracts,
    minValuePerContractCc: rules.minNetEdgeCc,
    minTotalValueCc: 1,
    grossPerContractCc: ([step]) => sideProbCc - (step?.costCc ?? CC_PER_DOLLAR),
    slopePerContractCc: ([step]) =>
      step === undefined
        ? -Infinity
        : sideProbCc - step.costCc - exactFeePerContractCc(rule.takerRateBp, step.yesCc) - exactFeePerContractCc(rule.takerRateBp, yesProbCc),
    totalValueCc: (n, [step]) => {
      if (step === undefined) return -Infinity;
      const entry = feeCc(rule, n, step.yesCc / CC_PER_DOLLAR);
      const exit = feeCc(rule, n, exitPrice);
      return n * (sideProbCc - step.costCc) - entry - exit;
    },
  });
  if (fill === null) return null;
  const worst = fill.worst[0];
  if (worst === undefined) return null;
  return {
    ladder,
    fill,
    entryFeeCc: feeCc(rule, fill.contracts, worst.yesCc / CC_PER_DOLLAR),
    exitFeeCc: feeCc(rule, fill.contracts, exitPrice),
  };
}

/** Best net edge per contract; then the larger expected profit; then input order. */
export function strongestBuy(candidates: readonly BuyCandidate[]): BuyCandidate | null {
  let best: BuyCandidate | null = null;
  for (const c of candidates) {
    if (best === null) {
      best = c;
      continue;
    }
    // Compare value/n exactly: a.v * b.n vs b.v * a.n (all integers, well below 2^53).
    const lhs = c.fill.valueCc * best.fill.contracts;
    const rhs = best.fill.valueCc * c.fill.contracts;
    if (lhs > rhs || (lhs === rhs && c.fill.valueCc > best.fill.valueCc)) best = c;
  }
  return best;
}

export function buySignalFields(
  kind: 'model_edge' | 'score_change',
  game: GameRef,
  best: BuyCandidate,
  label: string,
  highEdgeThreshold = DEFAULT_SIGNAL_OPTIONS.highEdgeThreshold,
): SignalFields {
  const { fill, ladder } = best;
  const worst = fill.worst[0];
  if (worst === undefined) throw new Error('a sized buy has no step');
  const leg = buyLeg(ladder, worst, fill.contracts, best.entryFeeCc);
  const netEdge = ccPerContractToEdge(fill.valueCc, fill.contracts);
  return {
    kind,
    game_id: game.game_id,
    sport: game.sport,
    legs: [leg],
    model_prob: best.modelYesProb,
    model_prob_sd: modelProbSd(game.sport, best.modelYesProb),
    net_edge: netEdge,
    gross_edge: fill.grossPerContractCc / CC_PER_DOLLAR,
    confidence: highEdgeThreshold > 0 ? Math.min(1, Math.max(0, netEdge / highEdgeThreshold)) : 1,
    reason:
      `${label}: model ${best.modelYesProb.toFixed(4)} (YES ${ladder.book.outcome}); ${describeLeg(leg)}; ` +
      `expected ${formatCc(fill.valueCc)} after entry fee ${best.entryFeeCc}cc and exit fee ${best.exitFeeCc}cc`,
  };
}
