/**
 * Exit decisions for one open position, evaluated in this order (the first that applies wins):
 *
 *  1. game final             -> hold: settlement pays 1/0, selling now only pays spread and fees
 *  2. minimum hold           -> hold
 *  3. quote unusable (old, missing the exit side, crossed or too wide)
 *                            -> hold, or exit `stale_market` once it has been unusable for staleExitUs
 *  3b. dust               -> hold: less than the venue's smallest sell step is held (sell-size.ts), settlement pays it
 *  4. near certainty         -> hold to settlement (exit price of the held side >= holdToSettleSideCc)
 *  5. stop loss              -> exit `stop_loss`   (exit price <= entry - stopLossCc[sport])
 *  6. take profit            -> exit `take_profit` (exit price >= entry + takeProfitCc)
 *  7. edge gone              -> exit `edge_gone`   (the model's probability of the held side is no
 *                               longer above the price we can sell at: the reason to hold is gone)
 *  8. time                   -> exit `time` (little game time left, or held too long)
 *
 * Everything is in the held side's terms, which is where the reference system went wrong (it
 * compared a NO entry price with YES marks): a YES position exits at the YES bid, a NO position
 * at the NO bid = 1 - YES ask. Entry is the average cost per contract; thresholds compare
 * integers (gain x micro-contracts, in bigint) so no float rounding decides an exit. An exit sells
 * what the venue can sell of the position (sell-size.ts), never more than is held.
 */
import type { ExitSignal } from '../messages.js';
import { CC_PER_DOLLAR, contractsToMicros, MICROS_PER_CONTRACT, priceToCc } from '../money.js';
import { sellableContracts } from '../execution/sell-size.js';
import type { TopOfBook } from '../execution/order-types.js';
import type { ExitRules } from './exit-options.js';
import { exitMarkSideCc } from './position-marks.js';
import type { PositionSnapshot } from './position-book.js';

export type ExitReason = 'take_profit' | 'stop_loss' | 'edge_gone' | 'stale_market' | 'time';
export type HoldReason = 'game_final' | 'min_hold' | 'stale_quote' | 'dust' | 'near_certain' | 'no_rule';

export interface ExitContext {
  readonly position: PositionSnapshot;
  readonly top: TopOfBook | null;
  /** When the top of book was last updated (venue or receive time), null if never. */
  readonly quoteUs: number | null;
  readonly modelYesProb: number | null;
  /** Game seconds remaining, null when unknown. */
  readonly secondsToEnd: number | null;
  readonly gameFinal: boolean;
  readonly nowUs: number;
}

export type ExitDecision =
  | {
      readonly action: 'exit';
      readonly reason: ExitReason;
      readonly contracts: number;
      /** Worst acceptable YES-side price for the sell (slippage buffer included). */
      readonly limitYesPrice: number;
      readonly exitSideCc: number;
      readonly detail: string;
    }
  | { readonly action: 'hold'; readonly why: HoldReason; readonly detail: string };

const hold = (why: HoldReason, detail: string): ExitDecision => ({ action: 'hold', why, detail });

/** The exit side price of a quote if it is usable for decisions, else null. */
function usableExitCc(ctx: ExitContext, rules: ExitRules): number | null {
  const { top, quoteUs, nowUs } = ctx;
  if (!top || quoteUs === null || nowUs - quoteUs > rules.staleQuoteUs) return null;
  const mark = exitMarkSideCc(ctx.position.side, top);
  if (mark === null) return null;
  if (top.yesBid !== null && top.yesAsk !== null) {
    const spread = priceToCc(top.yesAsk) - priceToCc(top.yesBid);
    if (spread < 0 || spread > rules.maxSpreadCc) return null;
  }
  return mark;
}

/** Sell limit in YES terms: a YES sell accepts down to bid - slippage, a NO sell up to ask + slippage. */
function sellLimitYesPrice(ctx: ExitContext, exitSideCc: number, rules: ExitRules): number {
  const floorSideCc = Math.max(1, exitSideCc - rules.exitSlippageCc);
  const yesCc = ctx.position.side === 'yes' ? floorSideCc : CC_PER_DOLLAR - floorSideCc;
  return yesCc / CC_PER_DOLLAR;
}

function exit(ctx: ExitContext, rules: ExitRules, reason: ExitReason, exitSideCc: number, detail: string): ExitDecision {
  return { action: 'exit', reason, contracts: sellableContracts(ctx.position.venue, ctx.position.contracts), limitYesPrice: sellLimitYesPrice(ctx, exitSideCc, rules), exitSideCc, detail };
}

export function evaluateExit(ctx: ExitContext, rules: ExitRules): ExitDecision {
  const { position, nowUs } = ctx;
  if (ctx.gameFinal) return hold('game_final', 'game is final: settlement pays');
  if (nowUs - position.openedUs < rules.minHoldUs) return hold('min_hold', 'held less than the minimum');

  if (sellableContracts(position.venue, position.contracts) <= 0) return hold('dust', `${position.contracts} held is below the venue's sell size: settlement pays it`);
  const markCc = usableExitCc(ctx, rules);
  if (markCc === null) return staleDecision(ctx, rules);
  if (markCc >= rules.holdToSettleSideCc) return hold('near_certain', `exit price ${markCc} cc: holding to settlement`);

  // Price move times micro-contracts, before fees, in cc x 1e-6: exact for any held fraction.
  const n = BigInt(contractsToMicros(position.contracts));
  const gain = n * BigInt(markCc) - BigInt(position.costCc) * BigInt(MICROS_PER_CONTRACT);
  const perContract = Number(gain) / Number(n);
  if (gain <= -BigInt(rules.stopLossCc) * n) return exit(ctx, rules, 'stop_loss', markCc, `down ${-perContract} cc per contract`);
  if (gain >= BigInt(rules.takeProfitCc) * n) return exit(ctx, rules, 'take_profit', markCc, `up ${perContract} cc per contract`);

  if (ctx.modelYesProb !== null && Number.isFinite(ctx.modelYesProb)) {
    const modelSideCc = Math.round((position.side === 'yes' ? ctx.modelYesProb : 1 - ctx.modelYesProb) * CC_PER_DOLLAR);
    if (modelSideCc <= markCc + rules.edgeGoneMarginCc) {
      return exit(ctx, rules, 'edge_gone', markCc, `model ${modelSideCc} cc <= exit price ${markCc} cc`);
    }
  }
  if (rules.exitBeforeEndS !== null && ctx.secondsToEnd !== null && ctx.secondsToEnd <= rules.exitBeforeEndS) {
    return exit(ctx, rules, 'time', markCc, `${ctx.secondsToEnd} s of game left`);
  }
  if (rules.maxHoldUs !== null && nowUs - position.openedUs >= rules.maxHoldUs) {
    return exit(ctx, rules, 'time', markCc, 'held longer than the maximum');
  }
  return hold('no_rule', 'no exit rule applies');
}

/**
 * An unusable quote is never traded on; but a position whose market has shown no usable quote
 * for staleExitUs is flattened at the last known exit price (less slippage) rather than left
 * unwatched. With no exit price known at all there is nothing to price an order with: hold.
 */
function staleDecision(ctx: ExitContext, rules: ExitRules): ExitDecision {
  const age = ctx.quoteUs === null ? Number.POSITIVE_INFINITY : ctx.nowUs - ctx.quoteUs;
  const lastCc = ctx.top ? exitMarkSideCc(ctx.position.side, ctx.top) : null;
  if (age > rules.staleExitUs && lastCc !== null) {
    return exit(ctx, rules, 'stale_market', lastCc, `no usable quote for ${Math.round(age / 1e6)} s`);
  }
  return hold('stale_quote', 'no usable quote');
}

export function exitSignalFor(decision: Extract<ExitDecision, { action: 'exit' }>, position: PositionSnapshot, exitId: string, nowUs: number, ttlUs: number): ExitSignal {
  return {
    exit_id: exitId,
    position_id: position.positionId,
    game_id: position.gameId,
    venue: position.venue,
    market_id: position.marketId,
    side: position.side,
    contracts: decision.contracts,
    yes_price: decision.limitYesPrice,
    reason: decision.reason,
    created_ts: nowUs,
    expires_ts: nowUs + ttlUs,
  };
}
