/**
 * What a detector returns, and the small pieces every detector shares: which outcomes a bet pays
 * on, how a leg is written, the debounce key, the expiry.
 */
import { CC_PER_DOLLAR, ccToPrice } from '../money.js';
import type { LegBook, SignalLeg, TradeSignal } from '../messages.js';
import type { LadderStep, Ladder } from './book-depth.js';
import { errorMessage } from '../errors.js';
import { isValidTopicId } from '../topics.js';
import { SignalInputError } from './signal-input-error.js';
import type { Outcome, Side, SignalContext, ValidBook, ValidLevel } from './signal-input.js';

export interface DetectedSignal {
  /** Schema-valid TradeSignal, ids and times from the caller's context. */
  readonly signal: TradeSignal;
  /** net_edge >= highEdgeThreshold: the shard also publishes it on signals.high_edge. */
  readonly highEdge: boolean;
  /** Game and side, for SignalDebouncer (e.g. "g1:arb", "g1:model:home"). */
  readonly debounceKey: string;
  /** Total profit (arbitrage: guaranteed at the limits) or expected profit (model), in cc. */
  readonly expectedProfitCc: number;
}

export type NoSignalReason =
  | 'disabled'
  | 'invalid_input'
  | 'no_books'
  | 'all_books_stale'
  | 'tie_risk_sport'
  | 'no_combination'
  | 'below_threshold'
  | 'no_score_change'
  | 'model_move_too_small'
  | 'play_too_old'
  | 'market_already_moved';

export interface Detection {
  readonly signal: DetectedSignal | null;
  /** 'emitted', or why not: a label for a counter. */
  readonly reason: 'emitted' | NoSignalReason;
  /** Inputs that were skipped as malformed (count them under ARB_SIGNAL_INPUT). */
  readonly issues: readonly SignalInputError[];
}

export function noSignal(reason: NoSignalReason, issues: readonly SignalInputError[]): Detection {
  return { signal: null, reason, issues };
}

export type SignalFields = Omit<TradeSignal, 'signal_id' | 'created_ts' | 'expires_ts'>;

export interface EmitMeta {
  readonly ctx: SignalContext;
  readonly ttlUs: number;
  readonly highEdgeThreshold: number;
  readonly debounceKey: string;
  readonly expectedProfitCc: number;
}

/** Stamps id, creation and expiry (created_ts + ttl) from the caller's context onto a signal. */
export function emitSignal(fields: SignalFields, meta: EmitMeta, issues: SignalInputError[]): Detection {
  let id: unknown;
  try {
    id = meta.ctx.newId();
  } catch (err) {
    issues.push(new SignalInputError('context', `newId() threw: ${errorMessage(err)}`));
    return noSignal('invalid_input', issues);
  }
  if (typeof id !== 'string' || !isValidTopicId(id)) {
    issues.push(new SignalInputError('context', `newId() returned ${JSON.stringify(id)}, not a valid id`));
    return noSignal('invalid_input', issues);
  }
  const { nowUs } = meta.ctx;
  const signal: TradeSignal = { signal_id: id, ...fields, created_ts: nowUs, expires_ts: nowUs + meta.ttlUs };
  return {
    signal: {
      signal,
      highEdge: fields.net_edge >= meta.highEdgeThreshold,
      debounceKey: meta.debounceKey,
      expectedProfitCc: meta.expectedProfitCc,
    },
    reason: 'emitted',
    issues,
  };
}

/** The outcomes a bet pays on: YES pays on its outcome, NO on every other one. */
export function coveredOutcomes(outcome: Outcome, side: Side, outcomes: readonly Outcome[]): Outcome[] {
  return side === 'yes' ? [outcome] : outcomes.filter((o) => o !== outcome);
}

/** "home", "away", "draw", or e.g. "away+draw" for NO home in soccer. Same key, same side. */
export function backedKey(covered: readonly Outcome[]): string {
  return [...covered].sort().join('+');
}

/** A buy leg at the ladder's worst step used; the fee is the venue's fee at the whole size. */
export function buyLeg(ladder: Ladder, worst: LadderStep, contracts: number, feeCc: number): SignalLeg {
  return {
    venue: ladder.book.venue,
    market_id: ladder.book.market_id,
    team: ladder.book.team,
    side: ladder.side,
    action: 'buy',
    yes_price: ccToPrice(worst.yesCc),
    contracts,
    fee_cc: feeCc,
    ...(ladder.book.origin === null ? {} : { book: legBook(ladder.book) }),
  };
}

const CARRIED_LEVELS = 10;
const toLevel = (l: ValidLevel): [number, number] => [ccToPrice(l.yesCc), l.contracts];

/** The levels a leg was priced on, as SignalLeg.book (execution fills paper orders against them). */
function legBook(book: ValidBook): LegBook {
  return {
    yes_bids: book.bids.slice(0, CARRIED_LEVELS).map(toLevel),
    yes_asks: book.asks.slice(0, CARRIED_LEVELS).map(toLevel),
    origin_ts: book.origin!.ts,
    seq: book.origin!.seq,
    book_seq: null,
  };
}

/** A total in cc over `contracts` as probability points per contract (0.05 = 5 cents). */
export function ccPerContractToEdge(totalCc: number, contracts: number): number {
  return totalCc / contracts / CC_PER_DOLLAR;
}

export function describeLeg(leg: SignalLeg): string {
  const what = leg.side === 'yes' ? `YES@${leg.yes_price}` : `NO@${(CC_PER_DOLLAR - Math.round(leg.yes_price * CC_PER_DOLLAR)) / CC_PER_DOLLAR} (yes ${leg.yes_price})`;
  return `${leg.venue}:${leg.market_id}${leg.team === null ? '' : `(${leg.team})`} buy ${leg.contracts} ${what} fee ${leg.fee_cc}cc`;
}

/** True once a signal's expiry has passed: execution must drop it (the reference never checked). */
export function isExpired(signal: Pick<TradeSignal, 'expires_ts'>, nowUs: number): boolean {
  return nowUs >= signal.expires_ts;
}
