/**
 * The simulator's objects in Kalshi's current wire format (Kalshi's API documentation): dollar strings
 * with 4 decimals, `_fp` counts with 2, RFC 3339 times. Only current field names are written,
 * never the legacy integer-cent ones.
 */
import { CC_PER_DOLLAR } from '../../core/money.js';
import { formatDollarCc } from '../../venues/kalshi/fixed-point.js';
import type { SimFill, SimPosition } from './sim-account.js';
import type { SimMarket, SimOrder, SimTop } from './sim-exchange.js';

export const dollars = (cc: number): string => formatDollarCc(cc);
export const contracts = (n: number): string => `${n}.00`;
export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const STATUS_FILTER: Readonly<Record<string, SimMarket['status']>> = { open: 'active', closed: 'closed', settled: 'finalized' };

/** GET /markets `status` filter vocabulary -> response vocabulary; undefined when unknown. */
export function statusForFilter(filter: string): SimMarket['status'] | 'none' | undefined {
  if (filter === 'unopened' || filter === 'paused') return 'none';
  return STATUS_FILTER[filter];
}

export function marketJson(m: SimMarket, top: SimTop): Record<string, unknown> {
  const yesBid = top.yesBidCc ?? 0;
  const yesAsk = top.yesAskCc ?? CC_PER_DOLLAR;
  return {
    ticker: m.ticker,
    event_ticker: m.eventTicker,
    market_type: 'binary',
    title: m.title,
    subtitle: '',
    yes_sub_title: m.yesSubTitle,
    no_sub_title: m.noSubTitle,
    created_time: iso(m.createdMs),
    updated_time: iso(m.updatedMs),
    open_time: iso(m.openTimeMs),
    close_time: iso(m.closeTimeMs),
    expected_expiration_time: iso(m.expectedExpirationMs),
    latest_expiration_time: iso(m.closeTimeMs),
    settlement_timer_seconds: 300,
    status: m.status,
    yes_bid_dollars: dollars(yesBid),
    yes_bid_size_fp: contracts(top.yesBidSize),
    yes_ask_dollars: dollars(yesAsk),
    yes_ask_size_fp: contracts(top.yesAskSize),
    no_bid_dollars: dollars(CC_PER_DOLLAR - yesAsk),
    no_ask_dollars: dollars(CC_PER_DOLLAR - yesBid),
    last_price_dollars: dollars(m.lastPriceCc),
    previous_yes_bid_dollars: dollars(yesBid),
    previous_yes_ask_dollars: dollars(yesAsk),
    previous_price_dollars: dollars(m.lastPriceCc),
    volume_fp: contracts(m.volume),
    volume_24h_fp: contracts(m.volume),
    open_interest_fp: contracts(m.openInterest),
    notional_value_dollars: '1.0000',
    liquidity_dollars: '0.0000',
    result: m.result ?? '',
    settlement_value_dollars: m.result === null ? null : m.result === 'yes' ? '1.0000' : '0.0000',
    settlement_ts: m.settledMs === null ? null : iso(m.settledMs),
    can_close_early: true,
    early_close_condition: 'This market will close and expire early after the game ends.',
    expiration_value: m.result ?? '',
    rules_primary: `If ${m.yesSubTitle} wins the ${m.title.replace(/ Winner\?$/, '')} game, then the market resolves to Yes.`,
    rules_secondary: '',
    strike_type: 'structured',
    price_level_structure: 'linear_cent',
    price_ranges: [{ start: '0.0000', end: '1.0000', step: dollars(m.tickCc) }],
    fractional_trading_enabled: false,
    exchange_index: 0,
  };
}

export function orderJson(o: SimOrder): Record<string, unknown> {
  const outcome = o.bookSide === 'bid' ? 'yes' : 'no';
  return {
    order_id: o.orderId,
    user_id: o.owner,
    client_order_id: o.clientOrderId,
    ticker: o.ticker,
    side: outcome,
    action: 'buy',
    outcome_side: outcome,
    book_side: o.bookSide,
    type: 'limit',
    status: o.status,
    yes_price_dollars: dollars(o.yesPriceCc),
    no_price_dollars: dollars(CC_PER_DOLLAR - o.yesPriceCc),
    fill_count_fp: contracts(o.filled),
    remaining_count_fp: contracts(o.remaining),
    initial_count_fp: contracts(o.initial),
    taker_fill_cost_dollars: dollars(o.takerCostCc),
    maker_fill_cost_dollars: dollars(o.makerCostCc),
    taker_fees_dollars: dollars(o.takerFeesCc),
    maker_fees_dollars: dollars(o.makerFeesCc),
    created_time: iso(o.createdMs),
    last_update_time: iso(o.updatedMs),
    expiration_time: null,
    self_trade_prevention_type: o.selfTradePrevention,
    order_group_id: null,
    cancel_order_on_pause: false,
    subaccount_number: 0,
    exchange_index: 0,
  };
}

export function fillJson(f: SimFill): Record<string, unknown> {
  const outcome = f.bookSide === 'bid' ? 'yes' : 'no';
  return {
    fill_id: f.fillId,
    trade_id: f.fillId,
    order_id: f.orderId,
    ticker: f.ticker,
    market_ticker: f.ticker,
    exchange_index: 0,
    side: outcome,
    action: 'buy',
    outcome_side: outcome,
    book_side: f.bookSide,
    count_fp: contracts(f.count),
    yes_price_dollars: dollars(f.yesPriceCc),
    no_price_dollars: dollars(CC_PER_DOLLAR - f.yesPriceCc),
    is_taker: f.isTaker,
    fee_cost: dollars(f.feeCc),
    created_time: iso(f.tsMs),
    ts: Math.floor(f.tsMs / 1000),
    subaccount_number: 0,
  };
}

export function positionJson(p: SimPosition): Record<string, unknown> {
  return {
    ticker: p.ticker,
    exchange_index: 0,
    total_traded_dollars: dollars(p.tradedCc),
    position_fp: contracts(p.contracts),
    market_exposure_dollars: dollars(p.costCc),
    realized_pnl_dollars: dollars(p.realizedPnlCc),
    fees_paid_dollars: dollars(p.feesPaidCc),
    last_updated_ts: iso(p.updatedMs),
  };
}

export function eventPositionsJson(positions: SimPosition[]): Record<string, unknown>[] {
  const byEvent = new Map<string, { cost: number; pnl: number; fees: number; shares: number }>();
  for (const p of positions) {
    const e = byEvent.get(p.eventTicker) ?? { cost: 0, pnl: 0, fees: 0, shares: 0 };
    e.cost += p.costCc;
    e.pnl += p.realizedPnlCc;
    e.fees += p.feesPaidCc;
    e.shares += Math.abs(p.contracts);
    byEvent.set(p.eventTicker, e);
  }
  return [...byEvent.entries()].map(([eventTicker, e]) => ({
    event_ticker: eventTicker,
    total_cost_dollars: dollars(e.cost),
    total_cost_shares_fp: contracts(e.shares),
    event_exposure_dollars: dollars(e.cost),
    realized_pnl_dollars: dollars(e.pnl),
    fees_paid_dollars: dollars(e.fees),
  }));
}
