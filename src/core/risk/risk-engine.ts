/**
 * The pre-trade risk gate: checkOrder(request, view, limits, nowUs) -> accept, or reject with a
 * stable reason code (risk-codes.ts) and a human detail. Checks run in the order of RISK_CHECKS
 * below and the first rejection wins:
 *
 *  1. malformed request        6. exit larger than held        11. order size (contracts, notional)
 *  2. kill switch              7. limit price range            12. exposure: market, game, sport, total
 *  3. signal expiry            8. limit vs the signal's limit  13. daily loss (realised + marks)
 *  4. duplicate request id     9. book present, not crossed,   14. order rate (sliding window)
 *  5. market unreconciled         spread within limit          15. available balance
 *                             10. limit not far through book
 *
 * Cheap, absolute stops come first (a halted or expired order is rejected whatever its size);
 * sanity of prices before limits that are computed from those prices; the rate limit and the
 * balance last, since they depend on what else is in flight.
 *
 * Sells that reduce a held position (exits, unwinds) are never blocked by the limits that cap
 * risk (order size, exposure, daily loss, balance): blocking a reduction only keeps the risk on.
 * The order rate is also a guard against a runaway loop, so it still applies to them, with a
 * second window's worth of headroom that entries can never use: in a 5-minute `npm start`, 65
 * of 92 exits were refused RISK_RATE_LIMIT because entries had filled the window, and their
 * positions stayed open. They also pass the kill switch (unless killSwitchAllowsExits),
 * expiry, idempotency, reconciliation and price sanity.
 */
import { MAX_CONTRACTS_PER_FILL } from '../fees.js';
import { contractsToMicros, isMicroQuantity, quantityTimesCc, sidePriceCc } from '../money.js';
import { buyCostBoundCc } from '../execution/order-cost.js';
import { consumesAsks, marketKey } from '../execution/order-types.js';
import type { RiskLimits } from './risk-limits.js';
import { ACCEPT, reject, type OrderLegRequest, type OrderRequest, type RiskDecision, type RiskView } from './risk-types.js';

export interface RiskCheckContext {
  readonly request: OrderRequest;
  readonly view: RiskView;
  readonly limits: RiskLimits;
  readonly nowUs: number;
}

export type RiskCheck = (ctx: RiskCheckContext) => RiskDecision;

const MAX_LEGS = 4;

const isBuy = (leg: OrderLegRequest) => leg.action === 'buy';
const buysOf = (request: OrderRequest) => request.legs.filter(isBuy);

function validPrice(p: unknown): p is number {
  return typeof p === 'number' && Number.isFinite(p) && p >= 0 && p <= 1;
}

function validTop(top: unknown): boolean {
  if (typeof top !== 'object' || top === null) return false;
  const { yesBid, yesAsk } = top as { yesBid: unknown; yesAsk: unknown };
  return (yesBid === null || validPrice(yesBid)) && (yesAsk === null || validPrice(yesAsk));
}

const checkWellFormed: RiskCheck = ({ request }) => {
  if (typeof request.requestId !== 'string' || request.requestId.length === 0) return reject('RISK_MALFORMED', 'empty request id');
  if (!Array.isArray(request.legs) || request.legs.length === 0 || request.legs.length > MAX_LEGS) {
    return reject('RISK_MALFORMED', `an order has 1 to ${MAX_LEGS} legs`);
  }
  if (!Number.isFinite(request.expiresUs)) return reject('RISK_MALFORMED', 'expiry is not a number');
  for (const [i, leg] of request.legs.entries()) {
    if (typeof leg !== 'object' || leg === null) return reject('RISK_MALFORMED', 'a leg is not an object', i);
    // Buys are whole contracts; a sell may carry the fraction a venue credited (Polymarket shares).
    const wellSized = leg.action === 'sell' ? isMicroQuantity(leg.contracts) && leg.contracts > 0 : Number.isInteger(leg.contracts) && leg.contracts >= 1;
    if (!wellSized || leg.contracts > MAX_CONTRACTS_PER_FILL) {
      return reject('RISK_MALFORMED', `contracts ${leg.contracts} must be a whole number (a sell: at most 6 decimals) in (0, ${MAX_CONTRACTS_PER_FILL}]`, i);
    }
    if (!validPrice(leg.limitYesPrice) || !validPrice(leg.signalLimitYesPrice)) {
      return reject('RISK_MALFORMED', 'limit prices must be YES-side probabilities in [0,1]', i);
    }
    if (leg.side !== 'yes' && leg.side !== 'no') return reject('RISK_MALFORMED', `side ${String(leg.side)}`, i);
    if (leg.action !== 'buy' && leg.action !== 'sell') return reject('RISK_MALFORMED', `action ${String(leg.action)}`, i);
    if (leg.top !== null && !validTop(leg.top)) return reject('RISK_MALFORMED', 'top of book prices must be null or in [0,1]', i);
  }
  return ACCEPT;
};

const checkKillSwitch: RiskCheck = ({ request, view, limits }) => {
  if (!view.killSwitch) return ACCEPT;
  const reduceOnly = request.legs.every((l) => l.action === 'sell');
  if (reduceOnly && limits.killSwitchAllowsExits) return ACCEPT;
  return reject('RISK_KILL_SWITCH', 'trading is halted by the kill switch');
};

const checkExpiry: RiskCheck = ({ request, nowUs }) =>
  nowUs >= request.expiresUs ? reject('RISK_EXPIRED', `expired ${nowUs - request.expiresUs} us ago`) : ACCEPT;

const checkDuplicate: RiskCheck = ({ request, view }) =>
  view.hasSeen(request.requestId) ? reject('RISK_DUPLICATE', `request ${request.requestId} was already accepted`) : ACCEPT;

const checkReconciled: RiskCheck = ({ request, view }) => {
  for (const [i, leg] of request.legs.entries()) {
    if (view.isBlocked(leg.venue, leg.marketId)) {
      return reject('RISK_MARKET_UNRECONCILED', `${marketKey(leg.venue, leg.marketId)} has an order with an unknown outcome`, i);
    }
  }
  return ACCEPT;
};

const checkExitSize: RiskCheck = ({ request, view }) => {
  for (const [i, leg] of request.legs.entries()) {
    if (isBuy(leg)) continue;
    const held = view.heldContracts(leg.venue, leg.marketId, leg.side);
    if (contractsToMicros(leg.contracts) > contractsToMicros(held)) return reject('RISK_EXIT_EXCEEDS_POSITION', `sell ${leg.contracts} ${leg.side} but ${held} held`, i);
  }
  return ACCEPT;
};

const checkPriceRange: RiskCheck = ({ request, limits }) => {
  for (const [i, leg] of request.legs.entries()) {
    const sideCc = sidePriceCc(leg.side, leg.limitYesPrice);
    if (sideCc < limits.minSidePriceCc || sideCc > limits.maxSidePriceCc) {
      return reject('RISK_PRICE_OUT_OF_RANGE', `${leg.side} limit ${sideCc} cc outside [${limits.minSidePriceCc}, ${limits.maxSidePriceCc}]`, i);
    }
  }
  return ACCEPT;
};

const checkAgainstSignal: RiskCheck = ({ request }) => {
  for (const [i, leg] of request.legs.entries()) {
    const order = sidePriceCc(leg.side, leg.limitYesPrice);
    const signal = sidePriceCc(leg.side, leg.signalLimitYesPrice);
    // A buy may pay less than the signal allowed, a sell may ask more; never the other way.
    const worse = isBuy(leg) ? order > signal : order < signal;
    if (worse) return reject('RISK_PRICE_WORSE_THAN_SIGNAL', `${leg.action} ${leg.side} at ${order} cc, signal allowed ${signal} cc`, i);
  }
  return ACCEPT;
};

/** Best price of the traded side the leg trades against, in side cc (an ask for buys, a bid for sells). */
function bestSideCc(leg: OrderLegRequest): number | null {
  if (!leg.top) return null;
  const yes = consumesAsks(leg.side, leg.action) ? leg.top.yesAsk : leg.top.yesBid;
  return yes === null || !validPrice(yes) ? null : sidePriceCc(leg.side, yes);
}

export const checkBook: RiskCheck = ({ request, limits }) => {
  for (const [i, leg] of request.legs.entries()) {
    if (bestSideCc(leg) === null) return reject('RISK_NO_BOOK', `no ${consumesAsks(leg.side, leg.action) ? 'ask' : 'bid'} to trade against`, i);
    const { yesBid, yesAsk } = leg.top!;
    if (yesBid === null || yesAsk === null) {
      // A one-sided book is normal near certainty; an exit may still use it, an entry may not.
      if (isBuy(leg)) return reject('RISK_NO_BOOK', 'one-sided book: the spread cannot be checked', i);
      continue;
    }
    const spread = sidePriceCc('yes', yesAsk) - sidePriceCc('yes', yesBid);
    if (spread < 0) return reject('RISK_BOOK_CROSSED', `bid ${yesBid} above ask ${yesAsk}`, i);
    if (spread > limits.maxSpreadCc) return reject('RISK_SPREAD_TOO_WIDE', `spread ${spread} cc > ${limits.maxSpreadCc} cc`, i);
  }
  return ACCEPT;
};

const checkLimitNearBook: RiskCheck = ({ request, limits }) => {
  for (const [i, leg] of request.legs.entries()) {
    const best = bestSideCc(leg);
    if (best === null) continue;
    const limit = sidePriceCc(leg.side, leg.limitYesPrice);
    const through = isBuy(leg) ? limit - best : best - limit;
    if (through > limits.maxLimitThroughBookCc) {
      return reject('RISK_LIMIT_THROUGH_BOOK', `limit ${limit} cc is ${through} cc through the best ${best} cc`, i);
    }
  }
  return ACCEPT;
};

const notionalCc = (leg: OrderLegRequest) => quantityTimesCc(leg.contracts, sidePriceCc(leg.side, leg.limitYesPrice), 'up');

const checkOrderSize: RiskCheck = ({ request, limits }) => {
  for (const [i, leg] of request.legs.entries()) {
    if (!isBuy(leg)) continue;
    if (leg.contracts > limits.maxContractsPerOrder) {
      return reject('RISK_ORDER_CONTRACTS', `${leg.contracts} contracts > ${limits.maxContractsPerOrder}`, i);
    }
    if (notionalCc(leg) > limits.maxOrderNotionalCc) {
      return reject('RISK_ORDER_NOTIONAL', `notional ${notionalCc(leg)} cc > ${limits.maxOrderNotionalCc} cc`, i);
    }
  }
  return ACCEPT;
};

const checkExposure: RiskCheck = ({ request, view, limits }) => {
  const buys = buysOf(request);
  if (buys.length === 0) return ACCEPT;
  const perMarket = new Map<string, { leg: OrderLegRequest; cc: number }>();
  for (const leg of buys) {
    const key = marketKey(leg.venue, leg.marketId);
    const entry = perMarket.get(key) ?? { leg, cc: 0 };
    entry.cc += notionalCc(leg);
    perMarket.set(key, entry);
  }
  for (const [key, { leg, cc }] of perMarket) {
    const after = view.marketExposureCc(leg.venue, leg.marketId) + cc;
    if (after > limits.maxMarketExposureCc) {
      return reject('RISK_MARKET_EXPOSURE', `${key} exposure would be ${after} cc > ${limits.maxMarketExposureCc} cc`, request.legs.indexOf(leg));
    }
  }
  const added = buys.reduce((s, leg) => s + notionalCc(leg), 0);
  const game = view.gameExposureCc(request.gameId) + added;
  if (game > limits.maxGameExposureCc) return reject('RISK_GAME_EXPOSURE', `game ${request.gameId} exposure would be ${game} cc > ${limits.maxGameExposureCc} cc`);
  const sport = view.sportExposureCc(request.sport) + added;
  if (sport > limits.maxSportExposureCc) return reject('RISK_SPORT_EXPOSURE', `${request.sport} exposure would be ${sport} cc > ${limits.maxSportExposureCc} cc`);
  const total = view.totalExposureCc() + added;
  if (total > limits.maxTotalExposureCc) return reject('RISK_TOTAL_EXPOSURE', `total exposure would be ${total} cc > ${limits.maxTotalExposureCc} cc`);
  return ACCEPT;
};

const checkDailyLoss: RiskCheck = ({ request, view, limits }) => {
  if (buysOf(request).length === 0) return ACCEPT;
  const pnl = view.dailyPnlCc();
  return pnl <= -limits.maxDailyLossCc ? reject('RISK_DAILY_LOSS', `today's P&L ${pnl} cc is at or below -${limits.maxDailyLossCc} cc`) : ACCEPT;
};

/** Reducing sells may use this many windows' worth of orders; entries stop at one. */
const REDUCING_RATE_WINDOWS = 2;

const checkRate: RiskCheck = ({ request, view, limits }) => {
  const sent = view.ordersInWindow(limits.orderRateWindowUs);
  const after = sent + request.legs.length;
  const cap = buysOf(request).length === 0 ? REDUCING_RATE_WINDOWS * limits.maxOrdersPerWindow : limits.maxOrdersPerWindow;
  return after > cap
    ? reject('RISK_RATE_LIMIT', `${sent} orders in the last ${limits.orderRateWindowUs / 1e6} s; ${request.legs.length} more would exceed ${cap}`)
    : ACCEPT;
};

/** Cash an accepted request must be able to take: the worst cost of its buys, fees included. */
export function requiredCashCc(request: OrderRequest, limits: RiskLimits): number {
  return buysOf(request).reduce((s, leg) => s + buyCostBoundCc(limits.fees[leg.venue], leg.side, leg.contracts, leg.limitYesPrice), 0);
}

const checkBalance: RiskCheck = ({ request, view, limits }) => {
  const required = requiredCashCc(request, limits);
  return required > view.availableBalanceCc
    ? reject('RISK_INSUFFICIENT_BALANCE', `needs ${required} cc, ${view.availableBalanceCc} cc available`)
    : ACCEPT;
};

/** The checks, in the order they run. */
export const RISK_CHECKS: readonly RiskCheck[] = Object.freeze([
  checkWellFormed,
  checkKillSwitch,
  checkExpiry,
  checkDuplicate,
  checkReconciled,
  checkExitSize,
  checkPriceRange,
  checkAgainstSignal,
  checkBook,
  checkLimitNearBook,
  checkOrderSize,
  checkExposure,
  checkDailyLoss,
  checkRate,
  checkBalance,
]);

export function checkOrder(request: OrderRequest, view: RiskView, limits: RiskLimits, nowUs: number): RiskDecision {
  const ctx: RiskCheckContext = { request, view, limits, nowUs };
  for (const check of RISK_CHECKS) {
    const decision = check(ctx);
    if (!decision.ok) return decision;
  }
  return ACCEPT;
}
