/**
 * The simulated venue's payloads in Polymarket's wire shapes (Polymarket's API documentation): numbers
 * as strings on the CLOB, JSON-encoded arrays inside Gamma records, bids ascending and asks
 * descending (best last), epoch-millisecond timestamps as strings.
 */
import { ROUNDING, type TickSize } from '../../venues/polymarket/common.js';
import type { SimCatalog, SimPolyEvent, SimPolyMarket } from './sim-catalog.js';
import { tagsFor } from './sim-catalog.js';
import { bookHash } from './sim-ids.js';
import { P4, type SimTokenBook } from './sim-token-book.js';

export function priceString(p4: number, tick: TickSize): string {
  return (p4 / P4).toFixed(Math.max(ROUNDING[tick].price, decimalsOf(p4)));
}

function decimalsOf(p4: number): number {
  let d = 4;
  while (d > 0 && p4 % 10 ** (5 - d) === 0) d--;
  return d;
}

/** Base units to a decimal string without trailing zeros ("311", "14225.02"). */
export function unitsString(units: bigint): string {
  const whole = units / 1_000_000n;
  const frac = (units % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : whole.toString();
}

export interface WireLevel {
  price: string;
  size: string;
}

/** Bids ascending and asks descending: the best level is the last element, as the venue sends. */
function wireLevels(book: SimTokenBook): { bids: WireLevel[]; asks: WireLevel[] } {
  const { bids, asks } = book.aggregated();
  const fmt = ([p4, size]: [number, bigint]): WireLevel => ({ price: priceString(p4, book.tickSize), size: unitsString(size) });
  return {
    bids: [...bids].sort((a, b) => a[0] - b[0]).map(fmt),
    asks: [...asks].sort((a, b) => b[0] - a[0]).map(fmt),
  };
}

export function bookSummary(book: SimTokenBook, market: SimPolyMarket, nowMs: number) {
  const levels = wireLevels(book);
  return {
    market: market.conditionId,
    asset_id: book.tokenId,
    timestamp: String(nowMs),
    hash: bookHash(book.tokenId, JSON.stringify(levels)),
    ...levels,
    min_order_size: String(market.minOrderSize),
    tick_size: book.tickSize,
    neg_risk: market.negRisk,
    last_trade_price: book.lastTradeP4 === null ? '' : priceString(book.lastTradeP4, book.tickSize),
  };
}

export function wsBook(book: SimTokenBook, market: SimPolyMarket, nowMs: number) {
  const levels = wireLevels(book);
  return {
    event_type: 'book',
    asset_id: book.tokenId,
    market: market.conditionId,
    ...levels,
    timestamp: String(nowMs),
    hash: `0x${bookHash(book.tokenId, JSON.stringify(levels))}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Gamma

type BookOf = (tokenId: string) => SimTokenBook | undefined;

function mid(book: SimTokenBook | undefined): number | null {
  const bid = book?.bestBidP4() ?? null;
  const ask = book?.bestAskP4() ?? null;
  if (bid === null || ask === null) return null;
  return (bid + ask) / 2 / P4;
}

function outcomePrices(m: SimPolyMarket, bookOf: BookOf): string[] {
  if (m.closed) return m.tokens.map((t) => (m.winningTokenId === null ? '0.5' : t.tokenId === m.winningTokenId ? '1' : '0'));
  return m.tokens.map((t) => {
    const p = mid(bookOf(t.tokenId));
    return p === null ? '0.5' : String(Math.round(p * 1000) / 1000);
  });
}

export function gammaMarket(m: SimPolyMarket, ev: SimPolyEvent, bookOf: BookOf, includeTags: boolean) {
  const first = bookOf(m.tokens[0]!.tokenId);
  const bestBid = first?.bestBidP4() ?? null;
  const bestAsk = first?.bestAskP4() ?? null;
  const start = ev.game.startTime.toISOString();
  const end = new Date(ev.game.startTime.getTime() + 4 * 3600_000).toISOString();
  return {
    id: m.id,
    question: m.question,
    conditionId: m.conditionId,
    questionID: m.questionId,
    slug: m.slug,
    description: `${m.question} Resolves to the winner of the game.`,
    groupItemTitle: m.groupItemTitle,
    outcomes: JSON.stringify(m.tokens.map((t) => t.outcome)),
    outcomePrices: JSON.stringify(outcomePrices(m, bookOf)),
    clobTokenIds: JSON.stringify(m.tokens.map((t) => t.tokenId)),
    active: true,
    closed: m.closed,
    archived: false,
    acceptingOrders: !m.closed,
    enableOrderBook: true,
    negRisk: m.negRisk,
    feesEnabled: true,
    startDate: start,
    endDate: end,
    startDateIso: start.slice(0, 10),
    endDateIso: end.slice(0, 10),
    volume: m.volume.toFixed(2),
    volumeNum: Math.round(m.volume * 100) / 100,
    liquidity: '0',
    liquidityNum: 0,
    bestBid: bestBid === null ? null : bestBid / P4,
    bestAsk: bestAsk === null ? null : bestAsk / P4,
    spread: bestBid === null || bestAsk === null ? null : (bestAsk - bestBid) / P4,
    lastTradePrice: first?.lastTradeP4 == null ? null : first.lastTradeP4 / P4,
    orderPriceMinTickSize: Number(m.tickSize),
    orderMinSize: m.minOrderSize,
    umaResolutionStatus: m.closed ? 'resolved' : null,
    sportsMarketType: 'moneyline',
    gameId: ev.game.id,
    gameStartTime: start.replace('T', ' ').replace(/\.\d+Z$/, '+00'),
    teamAID: ev.game.away.espnId,
    teamBID: ev.game.home.espnId,
    events: [{ id: ev.id, slug: ev.slug, title: ev.title, seriesSlug: ev.sport }],
    ...(includeTags ? { tags: tagsFor(ev.sport) } : {}),
  };
}

export function gammaEvent(ev: SimPolyEvent, catalog: SimCatalog, bookOf: BookOf) {
  const g = ev.game;
  const closed = ev.markets.every((m) => m.closed);
  const start = g.startTime.toISOString();
  return {
    id: ev.id,
    ticker: ev.slug,
    slug: ev.slug,
    title: ev.title,
    description: `${ev.title}: the game-winner market${ev.markets.length > 1 ? 's' : ''}.`,
    startDate: start,
    endDate: new Date(g.startTime.getTime() + 4 * 3600_000).toISOString(),
    startTime: start,
    active: true,
    closed,
    archived: false,
    negRisk: ev.negRisk,
    liquidity: 0,
    volume: ev.markets.reduce((v, m) => v + m.volume, 0),
    seriesSlug: ev.sport,
    gameId: g.id,
    score: `${g.awayScore}-${g.homeScore}`,
    period: g.status === 'final' ? 'FT' : g.period > 0 ? `P${g.period}` : '',
    elapsed: g.status === 'live' ? String(Math.round(g.clockS)) : '',
    live: g.status === 'live' || g.status === 'halftime',
    ended: g.status === 'final',
    tags: tagsFor(ev.sport),
    markets: ev.markets.map((m) => gammaMarket(m, catalog.eventOfMarket(m), bookOf, false)),
  };
}
