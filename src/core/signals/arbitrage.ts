/**
 * Cross-venue arbitrage for one game: buy a set of contracts that pays exactly $1 in every outcome
 * for less than $1 plus every venue's fees.
 *
 * A leg is one market bought on one side: YES pays on the market's outcome, NO on every other
 * outcome (NO is bought by hitting the YES bids, at 1 - yes_bid). A set of legs is an arbitrage
 * combination when every outcome of the game is paid by exactly one leg:
 * - two-outcome sports: YES home + NO home, YES away + NO away, YES home + YES away,
 *   NO home + NO away (YES away pays exactly when NO home does);
 * - soccer (home/draw/away): YES x + NO x for any x, or YES home + YES draw + YES away. NO home +
 *   NO away pays $2 on a draw, so it is not a $1 combination and is never built;
 * - tie-risk sports (regular-season NFL): skipped, since venues settle a tie differently.
 * Legs must be on different markets and, unless allowed, not all on one venue.
 *
 * The chosen combination is the one with the largest total profit; it is emitted as ONE signal with
 * every leg at the same number of contracts, each at the worst level it uses (its limit), and each
 * with its venue's fee at the whole size. The reference emitted a single leg, ignored Polymarket's
 * fee and sized arbitrage at $1; none of that happens here.
 */
import { venueFeeCc } from '../fees.js';
import { CC_PER_DOLLAR, formatCc } from '../money.js';
import { bestSize, buyLadder, exactFeePerContractCc, type Ladder, type SizedFill } from './book-depth.js';
import { DEFAULT_SIGNAL_OPTIONS, type SignalOptions } from './signal-options.js';
import {
  checkBooks,
  checkContext,
  checkGame,
  outcomesOf,
  type GameRef,
  type MarketBook,
  type Outcome,
  type SignalContext,
} from './signal-input.js';
import type { SignalInputError } from './signal-input-error.js';
import {
  buyLeg,
  ccPerContractToEdge,
  coveredOutcomes,
  describeLeg,
  emitSignal,
  noSignal,
  type Detection,
} from './signal-result.js';

export interface ArbitrageInput {
  game: GameRef;
  /** Every book of the game's markets on every venue (home, away, and draw for soccer). */
  books: readonly MarketBook[];
}

interface PricedCombination {
  readonly ladders: readonly Ladder[];
  readonly fill: SizedFill;
}

export function detectArbitrage(
  input: ArbitrageInput,
  context: SignalContext,
  options: Readonly<SignalOptions> = DEFAULT_SIGNAL_OPTIONS,
): Detection {
  const issues: SignalInputError[] = [];
  const game = checkGame(input?.game, issues);
  const ctx = checkContext(context, issues);
  if (game === null || ctx === null) return noSignal('invalid_input', issues);
  if (options.tieRiskSports.includes(game.sport)) return noSignal('tie_risk_sport', issues);

  const outcomes = outcomesOf(game.sport, options.threeOutcomeSports);
  const checked = checkBooks(input.books, outcomes, issues);
  if (checked.books.length === 0) {
    return noSignal(checked.staleCount > 0 ? 'all_books_stale' : issues.length > 0 ? 'invalid_input' : 'no_books', issues);
  }
  const ladders = checked.books
    .flatMap((book) => [buyLadder(book, 'yes'), buyLadder(book, 'no')])
    .filter((ladder) => ladder.depth > 0);
  const combinations = exactCovers(ladders, outcomes, options.arbitrage.allowSameVenue);
  if (combinations.length === 0) return noSignal('no_combination', issues);

  let best: PricedCombination | null = null;
  for (const combo of combinations) {
    const fill = sizeCombination(combo, options);
    if (fill === null) continue;
    const better = best === null || fill.valueCc > best.fill.valueCc ||
      (fill.valueCc === best.fill.valueCc && combo.length < best.ladders.length);
    if (better) best = { ladders: combo, fill };
  }
  if (best === null) return noSignal('below_threshold', issues);
  return emitArbitrage(game, ctx, best, options, issues);
}

/** Every set of 2..outcomes.length ladders that pays on each outcome exactly once. */
export function exactCovers(ladders: readonly Ladder[], outcomes: readonly Outcome[], allowSameVenue: boolean): Ladder[][] {
  const found: Ladder[][] = [];
  const chosen: Ladder[] = [];
  const count = new Map<Outcome, number>(outcomes.map((o) => [o, 0]));
  const visit = (from: number): void => {
    if (chosen.length >= 2 && outcomes.every((o) => count.get(o) === 1)) {
      if (allowSameVenue || new Set(chosen.map((l) => l.book.venue)).size > 1) found.push([...chosen]);
      return;
    }
    if (chosen.length === outcomes.length) return;
    for (let i = from; i < ladders.length; i += 1) {
      const ladder = ladders[i] as Ladder;
      if (chosen.some((c) => c.book === ladder.book)) continue;
      const covered = coveredOutcomes(ladder.book.outcome, ladder.side, outcomes);
      if (covered.some((o) => (count.get(o) ?? 0) >= 1)) continue;
      for (const o of covered) count.set(o, 1);
      chosen.push(ladder);
      visit(i + 1);
      chosen.pop();
      for (const o of covered) count.set(o, 0);
    }
  };
  visit(0);
  return found;
}

/** Largest total profit of one combination, priced at every leg's limit with each venue's fee. */
function sizeCombination(ladders: readonly Ladder[], options: Readonly<SignalOptions>): SizedFill | null {
  const arb = options.arbitrage;
  return bestSize({
    ladders,
    minContracts: 1,
    maxContracts: arb.maxContracts,
    minValuePerContractCc: arb.minEdgeCcPerContract,
    minTotalValueCc: arb.minProfitCc,
    grossPerContractCc: (worst) => worst.reduce((left, step) => left - step.costCc, CC_PER_DOLLAR),
    slopePerContractCc: (worst) =>
      ladders.reduce((left, ladder, i) => {
        const step = worst[i];
        if (step === undefined) return left;
        return left - step.costCc - exactFeePerContractCc(options.fees[ladder.book.venue].takerRateBp, step.yesCc);
      }, CC_PER_DOLLAR),
    totalValueCc: (n, worst) => {
      let profit = 0;
      ladders.forEach((ladder, i) => {
        const step = worst[i];
        if (step === undefined) return;
        profit -= n * step.costCc + venueFeeCc(options.fees, ladder.book.venue, n, step.yesCc / CC_PER_DOLLAR);
      });
      return profit + n * CC_PER_DOLLAR;
    },
  });
}

function emitArbitrage(
  game: GameRef,
  ctx: SignalContext,
  best: PricedCombination,
  options: Readonly<SignalOptions>,
  issues: SignalInputError[],
): Detection {
  const { fill, ladders } = best;
  const n = fill.contracts;
  const legs = ladders.map((ladder, i) => {
    const step = fill.worst[i];
    if (step === undefined) throw new Error('bestSize returned fewer steps than ladders');
    return buyLeg(ladder, step, n, venueFeeCc(options.fees, ladder.book.venue, n, step.yesCc / CC_PER_DOLLAR));
  });
  const netEdge = ccPerContractToEdge(fill.valueCc, n);
  return emitSignal(
    {
      kind: 'arbitrage',
      game_id: game.game_id,
      sport: game.sport,
      legs,
      model_prob: null,
      net_edge: netEdge,
      gross_edge: fill.grossPerContractCc / CC_PER_DOLLAR,
      confidence: 1,
      reason: `arbitrage locks ${formatCc(fill.valueCc)} after fees on ${n} contracts: ${legs.map(describeLeg).join(' + ')}`,
    },
    {
      ctx,
      ttlUs: options.arbitrage.ttlUs,
      highEdgeThreshold: options.highEdgeThreshold,
      debounceKey: `${game.game_id}:arb`,
      expectedProfitCc: fill.valueCc,
    },
    issues,
  );
}
