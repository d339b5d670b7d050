/**
 * Hot-path topics (docs/architecture.md section 2). Dot-separated, most general first, so a ZMQ prefix
 * subscription filters them. Ids are validated: a dot or whitespace inside an id would let one
 * market's prefix match another's.
 */
import { DecodeError } from './errors.js';

export const VENUES = ['kalshi', 'poly'] as const;
export type Venue = (typeof VENUES)[number];

export const SPORTS = ['nfl', 'ncaaf', 'nba', 'ncaab', 'nhl', 'mlb', 'mls', 'epl'] as const;
export type Sport = (typeof SPORTS)[number];

const ID_PATTERN = /^[A-Za-z0-9_:\-]{1,128}$/;

export function isValidTopicId(id: string): boolean {
  return ID_PATTERN.test(id);
}

function checkId(what: string, id: string): string {
  if (!ID_PATTERN.test(id)) {
    throw new DecodeError('ARB_TOPIC_INVALID', `${what} ${JSON.stringify(id)} is not a valid topic id`);
  }
  return id;
}

export const Topic = {
  price: (venue: Venue, marketId: string) => `prices.${venue}.${checkId('market id', marketId)}`,
  orderbook: (venue: Venue, marketId: string) => `orderbook.${venue}.${checkId('market id', marketId)}`,
  /** A monitor instance's quote snapshots (QuoteSnapshot). */
  quotes: (venue: Venue, instance: string) => `quotes.${venue}.${checkId('instance', instance)}`,
  game: (sport: Sport, gameId: string) => `games.${sport}.${checkId('game id', gameId)}`,
  tradeSignal: (signalId: string) => `signals.trade.${checkId('signal id', signalId)}`,
  highEdgeSignal: (signalId: string) => `signals.high_edge.${checkId('signal id', signalId)}`,
  exitSignal: (positionId: string) => `signals.exit.${checkId('position id', positionId)}`,
  tradeCompleted: (tradeId: string) => `trades.completed.${checkId('trade id', tradeId)}`,
  position: (positionId: string) => `positions.${checkId('position id', positionId)}`,
  health: (service: string, instance: string) =>
    `health.${checkId('service', service)}.${checkId('instance', instance)}`,
} as const;

/** Subscription prefixes: a trailing dot keeps `prices.kalshi.` from matching `prices.kalshix`. */
export const TopicPrefix = {
  all: '',
  prices: 'prices.',
  venuePrices: (venue: Venue) => `prices.${venue}.`,
  orderbooks: 'orderbook.',
  quotes: 'quotes.',
  games: 'games.',
  sportGames: (sport: Sport) => `games.${sport}.`,
  signals: 'signals.',
  tradeSignals: 'signals.trade.',
  highEdgeSignals: 'signals.high_edge.',
  exitSignals: 'signals.exit.',
  tradesCompleted: 'trades.completed.',
  positions: 'positions.',
  health: 'health.',
} as const;

/**
 * Every family our services publish on, one entry per first topic part: each Topic builder's
 * topics start with one of these (topics.test.ts checks it). A subscriber that wants all but
 * some families lists the rest (ZMQ filters by prefix only, it cannot exclude one).
 */
export const HOT_FAMILIES: readonly string[] = [
  TopicPrefix.prices,
  TopicPrefix.orderbooks,
  TopicPrefix.quotes,
  TopicPrefix.games,
  TopicPrefix.signals,
  'trades.',
  TopicPrefix.positions,
  TopicPrefix.health,
];

export type ParsedTopic =
  | { kind: 'price'; venue: Venue; marketId: string }
  | { kind: 'orderbook'; venue: Venue; marketId: string }
  | { kind: 'quotes'; venue: Venue; instance: string }
  | { kind: 'game'; sport: Sport; gameId: string }
  | { kind: 'trade_signal'; signalId: string }
  | { kind: 'high_edge_signal'; signalId: string }
  | { kind: 'exit_signal'; positionId: string }
  | { kind: 'trade_completed'; tradeId: string }
  | { kind: 'position'; positionId: string }
  | { kind: 'health'; service: string; instance: string }
  | { kind: 'other'; family: string };

const isVenue = (s: string | undefined): s is Venue => (VENUES as readonly string[]).includes(s ?? '');
const isSport = (s: string | undefined): s is Sport => (SPORTS as readonly string[]).includes(s ?? '');

/** Parses a topic; unknown shapes come back as `other` with their family (all but the last part). */
export function parseTopic(topic: string): ParsedTopic {
  const parts = topic.split('.');
  const [a, b, c] = parts;
  const id = parts.length === 3 && c !== undefined && ID_PATTERN.test(c) ? c : undefined;
  if (id !== undefined) {
    if (a === 'prices' && isVenue(b)) return { kind: 'price', venue: b, marketId: id };
    if (a === 'orderbook' && isVenue(b)) return { kind: 'orderbook', venue: b, marketId: id };
    if (a === 'quotes' && isVenue(b)) return { kind: 'quotes', venue: b, instance: id };
    if (a === 'games' && isSport(b)) return { kind: 'game', sport: b, gameId: id };
    if (a === 'signals' && b === 'trade') return { kind: 'trade_signal', signalId: id };
    if (a === 'signals' && b === 'high_edge') return { kind: 'high_edge_signal', signalId: id };
    if (a === 'signals' && b === 'exit') return { kind: 'exit_signal', positionId: id };
    if (a === 'trades' && b === 'completed') return { kind: 'trade_completed', tradeId: id };
    if (a === 'health' && b !== undefined && ID_PATTERN.test(b)) return { kind: 'health', service: b, instance: id };
  }
  if (parts.length === 2 && a === 'positions' && b !== undefined && ID_PATTERN.test(b)) {
    return { kind: 'position', positionId: b };
  }
  return { kind: 'other', family: parts.length > 1 ? parts.slice(0, -1).join('.') : topic };
}

/**
 * The stream a message's `seq` counts within, per publisher. A subscriber may hear any subset of
 * a publisher's topics, so a single per-publisher counter would show false gaps. Topics named by
 * a long-lived id (a market, a game, a position) are sequenced per topic; topics named by a
 * one-off id (a signal, a trade) are sequenced per family, since they are subscribed by family.
 */
export function sequenceKey(topic: string): string {
  if (topic.startsWith('signals.') || topic.startsWith('trades.')) {
    const lastDot = topic.lastIndexOf('.');
    return lastDot > 0 ? topic.slice(0, lastDot) : topic;
  }
  return topic;
}
