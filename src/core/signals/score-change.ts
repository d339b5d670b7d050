/**
 * Score change: a scoring play has been seen and the model has moved, but the market's book has
 * not changed since the play. Buying before the market reprices is a model edge with a short
 * life, so it is sized and priced exactly like a model edge (model-edge.ts), with three more
 * conditions:
 * - the play is recent (maxPlayAgeUs): after that it is assumed priced in whatever the book says;
 * - the book has not changed since the play (its `changed_ts` is before `playTs`); a book without
 *   a `changed_ts` counts as moved, since nothing shows it has not;
 * - the model probability of the side bought rose by at least minModelMove with the play.
 * Off by default (the reference admits its ESPN scoreboard arrived after the markets moved: only a
 * feed faster than the market makes this signal worth anything).
 */
import { CC_PER_DOLLAR } from '../money.js';
import { buySignalFields, evaluateBuys, strongestBuy } from './model-edge.js';
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
  type SignalContext,
} from './signal-input.js';
import { SignalInputError } from './signal-input-error.js';
import { backedKey, emitSignal, noSignal, type Detection } from './signal-result.js';

export interface ScoreSnapshot {
  home_score: number;
  away_score: number;
}

export interface ScoreChangeInput {
  game: GameRef;
  previous: ScoreSnapshot;
  current: ScoreSnapshot;
  /** The model's probabilities before and after the play. */
  modelBefore: ModelProbs;
  modelAfter: ModelProbs;
  /** When the scoring play was seen (µs since the epoch). */
  playTs: number;
  books: readonly MarketBook[];
}

export function detectScoreChange(
  input: ScoreChangeInput,
  context: SignalContext,
  options: Readonly<SignalOptions> = DEFAULT_SIGNAL_OPTIONS,
): Detection {
  const issues: SignalInputError[] = [];
  const rules = options.scoreChange;
  if (!rules.enabled) return noSignal('disabled', issues);
  const game = checkGame(input?.game, issues);
  const ctx = checkContext(context, issues);
  const before = checkModel('modelBefore', input?.modelBefore, issues);
  const after = checkModel('modelAfter', input?.modelAfter, issues);
  const scores = checkScores(input, issues);
  if (game === null || ctx === null || before === null || after === null || scores === null) {
    return noSignal('invalid_input', issues);
  }
  if (!scores) return noSignal('no_score_change', issues);
  const playAge = ctx.nowUs - input.playTs;
  if (playAge < 0) {
    issues.push(new SignalInputError('playTs', `play time ${input.playTs} is after now ${ctx.nowUs}`));
    return noSignal('invalid_input', issues);
  }
  if (playAge > rules.maxPlayAgeUs) return noSignal('play_too_old', issues);

  const outcomes = outcomesOf(game.sport, options.threeOutcomeSports);
  const minMoveCc = Math.round(rules.minModelMove * CC_PER_DOLLAR);
  if (largestMoveCc(before, after, outcomes) < minMoveCc) return noSignal('model_move_too_small', issues);

  const checked = checkBooks(input.books, outcomes, issues);
  if (checked.books.length === 0) {
    return noSignal(checked.staleCount > 0 ? 'all_books_stale' : issues.length > 0 ? 'invalid_input' : 'no_books', issues);
  }
  const unmoved = checked.books.filter((b) => b.changedTs !== null && b.changedTs < input.playTs);
  if (unmoved.length === 0) return noSignal('market_already_moved', issues);

  const candidates = evaluateBuys(
    unmoved,
    after,
    outcomes,
    options.fees,
    { ...rules, minModelProb: options.model.minModelProb, maxModelProb: options.model.maxModelProb },
    (book, side, sideProbAfter) => {
      const yesBefore = outcomeProbability(book.outcome, before, outcomes);
      if (yesBefore === null) return false;
      const yesBeforeCc = Math.round(yesBefore * CC_PER_DOLLAR);
      const sideBeforeCc = side === 'yes' ? yesBeforeCc : CC_PER_DOLLAR - yesBeforeCc;
      return Math.round(sideProbAfter * CC_PER_DOLLAR) - sideBeforeCc >= minMoveCc;
    },
  );
  const best = strongestBuy(candidates);
  if (best === null) return noSignal('below_threshold', issues);
  return emitSignal(
    buySignalFields('score_change', game, best, 'score change', options.highEdgeThreshold),
    {
      ctx,
      ttlUs: rules.ttlUs,
      highEdgeThreshold: options.highEdgeThreshold,
      debounceKey: `${game.game_id}:score:${backedKey(best.covered)}`,
      expectedProfitCc: best.fill.valueCc,
    },
    issues,
  );
}

/** True when the score changed, false when not, null (with an issue) when the input is garbage. */
function checkScores(input: ScoreChangeInput | undefined, issues: SignalInputError[]): boolean | null {
  const isScore = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  const p = input?.previous;
  const c = input?.current;
  if (!p || !c || !isScore(p.home_score) || !isScore(p.away_score) || !isScore(c.home_score) || !isScore(c.away_score)) {
    issues.push(new SignalInputError('scores', 'previous/current scores are not non-negative integers'));
    return null;
  }
  if (typeof input.playTs !== 'number' || !Number.isSafeInteger(input.playTs) || input.playTs < 0) {
    issues.push(new SignalInputError('playTs', `play time ${String(input.playTs)} is not a time`));
    return null;
  }
  return p.home_score !== c.home_score || p.away_score !== c.away_score;
}

function largestMoveCc(before: ModelProbs, after: ModelProbs, outcomes: readonly Outcome[]): number {
  let largest = 0;
  for (const o of outcomes) {
    const b = outcomeProbability(o, before, outcomes);
    const a = outcomeProbability(o, after, outcomes);
    if (a === null || b === null) continue;
    largest = Math.max(largest, Math.abs(Math.round(a * CC_PER_DOLLAR) - Math.round(b * CC_PER_DOLLAR)));
  }
  return largest;
}
