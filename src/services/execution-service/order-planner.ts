/**
 * From a signal (or an exit) and the state now to either a rejection with a reason code, or an
 * accepted plan: the risk request, the venue orders, and the cash to reserve. Pure and
 * synchronous, so the caller can reserve in the same tick it decided (no await in between).
 *
 * Sizing: single-leg entries by fractional Kelly on the fee-net edge, walking the book level by
 * level (src/core/sizing/kelly.ts), capped by the signal's size and by what the risk limits and
 * available cash allow; arbitrage legs at one common size, capped the same way and by the depth
 * of every leg's book at its limit, and re-checked for profit at the books as they are now. The
 * risk engine then checks the sized request in full (sizing advises, risk decides).
 */
import type { ReasonCode } from '../../core/execution/exec-reasons.js';
import { fillableContracts, fillPaperOrder } from '../../core/execution/paper-fill.js';
import type { TopOfBook, YesBook } from '../../core/execution/order-types.js';
import type { ExitSignal, SignalLeg, TradeSignal } from '../../core/messages.js';
import { CC_PER_DOLLAR } from '../../core/money.js';
import { checkOrder, requiredCashCc } from '../../core/risk/risk-engine.js';
import type { OrderLegRequest, OrderRequest, RiskView } from '../../core/risk/risk-types.js';
import { kellySize } from '../../core/sizing/kelly.js';
import { maxContractsWithinRisk, sizeArbitrage, type CapContext, type CapLeg } from '../../core/sizing/risk-caps.js';
import type { Sport } from '../../core/topics.js';
import type { BookCache } from './book-cache.js';
import type { ExecutionSettings } from './execution-service-config.js';
import type { VenueOrder } from '../../core/execution/venue-order.js';
import { clientOrderId, type VenueExecutors } from '../../venues/venue-executor.js';

export type PlanResult =
  | { readonly ok: true; readonly request: OrderRequest; readonly orders: VenueOrder[]; readonly requiredCc: number; readonly sizing: string }
  | { readonly ok: false; readonly code: ReasonCode; readonly detail: string };

export interface PlanContext {
  readonly settings: ExecutionSettings;
  readonly books: BookCache;
  readonly executors: VenueExecutors;
  readonly view: RiskView;
  readonly cashCc: number;
  readonly nowUs: number;
  readonly nowMs: number;
}

const fail = (code: ReasonCode, detail: string): PlanResult => ({ ok: false, code, detail });

interface LegBook {
  readonly leg: SignalLeg;
  readonly book: YesBook;
  readonly top: TopOfBook;
}

export function requestIdOf(source: 'signal' | 'exit', id: string): string {
  return `${source}:${id}`;
}

export function planTradeSignal(signal: TradeSignal, ctx: PlanContext): PlanResult {
  const legBooks: LegBook[] = [];
  for (const leg of signal.legs) {
    const found = ctx.books.get(leg.venue, leg.market_id, ctx.nowUs);
    if (!found.ok) return fail('RISK_NO_BOOK', found.why);
    legBooks.push({ leg, book: found.book, top: found.top });
  }
  const probe = legBooks.map(({ leg }, i) => toOrder(signal.signal_id, i, leg, leg.contracts, leg.yes_price, ctx.nowMs));
  for (const order of probe) {
    const why = ctx.executors[order.venue].unsupported(order);
    if (why) return fail('EXEC_UNSUPPORTED_LEG', `${order.venue}:${order.marketId} ${order.side}: ${why}`);
  }
  const sized = legBooks.length === 1 ? sizeSingle(signal, legBooks[0]!, ctx) : sizeTogether(signal, legBooks, ctx);
  if (!sized.ok) return sized;
  const legs: OrderLegRequest[] = legBooks.map(({ leg, top }, i) => ({
    venue: leg.venue,
    marketId: leg.market_id,
    side: leg.side,
    action: leg.action,
    contracts: sized.contracts,
    limitYesPrice: sized.limits[i]!,
    signalLimitYesPrice: leg.yes_price,
    top,
  }));
  const request: OrderRequest = { requestId: requestIdOf('signal', signal.signal_id), gameId: signal.game_id, sport: signal.sport, expiresUs: signal.expires_ts, legs };
  const decision = checkOrder(request, ctx.view, ctx.settings.limits, ctx.nowUs);
  if (!decision.ok) return fail(decision.code, decision.legIndex === null ? decision.detail : `leg ${decision.legIndex}: ${decision.detail}`);
  const orders = legBooks.map(({ leg }, i) => toOrder(signal.signal_id, i, leg, sized.contracts, sized.limits[i]!, ctx.nowMs));
  return { ok: true, request, orders, requiredCc: requiredCashCc(request, ctx.settings.limits), sizing: sized.note };
}

export function planExit(exit: ExitSignal, sport: Sport, ctx: PlanContext): PlanResult {
  const found = ctx.books.get(exit.venue, exit.market_id, ctx.nowUs);
  const leg: OrderLegRequest = {
    venue: exit.venue,
    marketId: exit.market_id,
    side: exit.side,
    action: 'sell',
    contracts: exit.contracts,
    limitYesPrice: exit.yes_price,
    signalLimitYesPrice: exit.yes_price,
    top: found.ok ? found.top : null,
  };
  const request: OrderRequest = { requestId: requestIdOf('exit', exit.exit_id), gameId: exit.game_id, sport, expiresUs: exit.expires_ts, legs: [leg] };
  const order: VenueOrder = {
    venue: exit.venue,
    marketId: exit.market_id,
    side: exit.side,
    action: 'sell',
    contracts: exit.contracts,
    limitYesPrice: exit.yes_price,
    clientOrderId: clientOrderId(`exit:${exit.exit_id}`, 0, 'exit'),
    purpose: 'exit',
    createdMs: ctx.nowMs,
    team: null,
  };
  const why = ctx.executors[exit.venue].unsupported(order);
  if (why) return fail('EXEC_UNSUPPORTED_LEG', why);
  const decision = checkOrder(request, ctx.view, ctx.settings.limits, ctx.nowUs);
  if (!decision.ok) return fail(decision.code, decision.detail);
  return { ok: true, request, orders: [order], requiredCc: 0, sizing: `exit of ${exit.contracts} (${exit.reason})` };
}

function toOrder(signalId: string, i: number, leg: SignalLeg, contracts: number, limit: number, nowMs: number): VenueOrder {
  return {
    venue: leg.venue,
    marketId: leg.market_id,
    side: leg.side,
    action: leg.action,
    contracts,
    limitYesPrice: limit,
    clientOrderId: clientOrderId(`signal:${signalId}`, i, 'entry'),
    purpose: 'entry',
    createdMs: nowMs,
    team: leg.team,
  };
}

type Sized = { ok: true; contracts: number; limits: number[]; note: string } | { ok: false; code: ReasonCode; detail: string };

function capContext(signal: TradeSignal, ctx: PlanContext): CapContext {
  return { gameId: signal.game_id, sport: signal.sport, limits: ctx.settings.limits, view: ctx.view };
}

const capLeg = (leg: SignalLeg): CapLeg => ({ venue: leg.venue, marketId: leg.market_id, side: leg.side, limitYesPrice: leg.yes_price });

/** One leg: fractional Kelly when the signal carries a model probability, else the signal's size; both capped. */
function sizeSingle(signal: TradeSignal, { leg, book }: LegBook, ctx: PlanContext): Sized {
  const wanted = Math.floor(leg.contracts);
  if (leg.action === 'sell') return { ok: true, contracts: wanted, limits: [leg.yes_price], note: `sell ${wanted} as signalled` };
  const cap = Math.min(wanted, maxContractsWithinRisk([capLeg(leg)], capContext(signal, ctx)));
  if (signal.model_prob === null) {
    const n = Math.min(cap, fillableContracts(leg.side, 'buy', leg.yes_price, book));
    if (n < 1) return { ok: false, code: 'EXEC_SIZE_ZERO', detail: `no model probability; signal ${wanted}, risk cap ${cap}, depth ${fillableContracts(leg.side, 'buy', leg.yes_price, book)}` };
    return { ok: true, contracts: n, limits: [leg.yes_price], note: `signal size ${wanted} capped to ${n}` };
  }
  const fee = ctx.settings.fees[leg.venue];
  const k = kellySize(
    { side: leg.side, modelYesProb: signal.model_prob, modelProbSd: signal.model_prob_sd ?? null, book, entryFee: fee, exitFee: fee, bankrollCc: Math.max(0, ctx.cashCc), limitYesPrice: leg.yes_price, maxContracts: cap },
    ctx.settings.kelly,
  );
  if (k.contracts < 1 || k.limitYesPrice === null) {
    return { ok: false, code: 'EXEC_SIZE_ZERO', detail: `kelly ${k.reason} (full kelly ${k.fullKelly.toFixed(4)}, net edge ${k.netEdge.toFixed(4)}, cap ${cap})` };
  }
  return { ok: true, contracts: k.contracts, limits: [k.limitYesPrice], note: `kelly x${ctx.settings.kelly.fraction}: ${k.contracts} (full ${k.fullKelly.toFixed(4)}, cap ${cap})` };
}

/** Several legs (an arbitrage): one size for all, within limits, cash and every book's depth, still profitable. */
function sizeTogether(signal: TradeSignal, legBooks: readonly LegBook[], ctx: PlanContext): Sized {
  const wanted = Math.min(...legBooks.map(({ leg }) => Math.floor(leg.contracts)));
  const capped = sizeArbitrage(wanted, legBooks.map(({ leg }) => capLeg(leg)), capContext(signal, ctx));
  const depth = Math.min(...legBooks.map(({ leg, book }) => fillableContracts(leg.side, leg.action, leg.yes_price, book)));
  const n = Math.min(capped, depth);
  if (n < 1) return { ok: false, code: 'EXEC_SIZE_ZERO', detail: `signal ${wanted}, risk cap ${capped}, depth ${depth}` };
  const limits = legBooks.map(({ leg }) => leg.yes_price);
  if (signal.kind === 'arbitrage' && legBooks.every(({ leg }) => leg.action === 'buy')) {
    let cost = 0;
    for (const { leg, book } of legBooks) {
      const f = fillPaperOrder({ side: leg.side, action: 'buy', contracts: n, limitYesPrice: leg.yes_price }, book, ctx.settings.fees[leg.venue]);
      cost += f.notionalCc + f.feeCc;
    }
    const profit = n * CC_PER_DOLLAR - cost;
    if (profit <= 0) return { ok: false, code: 'EXEC_ARB_UNPROFITABLE', detail: `${n} sets cost ${cost} cc with fees at the current books, pay ${n * CC_PER_DOLLAR} cc` };
    return { ok: true, contracts: n, limits, note: `arbitrage ${n} sets, expected profit ${profit} cc (signal ${wanted}, risk cap ${capped}, depth ${depth})` };
  }
  return { ok: true, contracts: n, limits, note: `${legBooks.length} legs at ${n} (signal ${wanted}, risk cap ${capped}, depth ${depth})` };
}
