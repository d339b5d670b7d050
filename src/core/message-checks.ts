/**
 * Hand-written checks of the hottest messages, `price`, `orderbook`, `quotes` and `position` (issue 13, lever 4:
 * validate at the edge, trust inside). They accept exactly what the zod schemas in messages.ts
 * accept (a fast-check property in test/message-checks.test.ts holds them to that), without
 * building a parsed copy: a zod parse per message was 8-16 % of every subscriber's CPU. The one
 * difference: keys the schema does not know are left in place instead of stripped.
 * ARBEES_BUS_VALIDATION=full makes subscribers use the zod schemas again (debugging).
 */
import { isMicroQuantity } from './money.js';
import { SPORTS, VENUES } from './topics.js';
import { MAX_QUOTES_PER_SNAPSHOT, type MessageType } from './messages.js';

export type MessageCheck = (data: unknown) => string | null;

const MAX_ID = 128;
const STATUSES: readonly string[] = ['open', 'closed', 'halted', 'settled'];

const isId = (v: unknown): boolean => typeof v === 'string' && v.length >= 1 && v.length <= MAX_ID;
const isYesPrice = (v: unknown): boolean => typeof v === 'number' && v >= 0 && v <= 1;
const isContracts = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isMicros = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function checkPriceUpdate(data: unknown): string | null {
  if (!isObject(data)) return 'price is not an object';
  const d = data;
  if (!(VENUES as readonly unknown[]).includes(d.venue)) return 'venue';
  if (!isId(d.market_id)) return 'market_id';
  if (d.game_id !== null && !isId(d.game_id)) return 'game_id';
  if (d.team !== null && typeof d.team !== 'string') return 'team';
  if (d.yes_bid !== null && !isYesPrice(d.yes_bid)) return 'yes_bid';
  if (d.yes_ask !== null && !isYesPrice(d.yes_ask)) return 'yes_ask';
  if (!isContracts(d.yes_bid_size)) return 'yes_bid_size';
  if (!isContracts(d.yes_ask_size)) return 'yes_ask_size';
  if (d.last_price !== undefined && d.last_price !== null && !isYesPrice(d.last_price)) return 'last_price';
  if (typeof d.status !== 'string' || !STATUSES.includes(d.status)) return 'status';
  if (d.venue_ts !== undefined && d.venue_ts !== null && !isMicros(d.venue_ts)) return 'venue_ts';
  return null;
}

function checkLevels(levels: unknown): boolean {
  if (!Array.isArray(levels)) return false;
  for (const level of levels) {
    if (!Array.isArray(level) || level.length !== 2 || !isYesPrice(level[0]) || !isContracts(level[1])) return false;
  }
  return true;
}

export function checkOrderBook(data: unknown): string | null {
  if (!isObject(data)) return 'orderbook is not an object';
  const d = data;
  if (!(VENUES as readonly unknown[]).includes(d.venue)) return 'venue';
  if (!isId(d.market_id)) return 'market_id';
  if (d.game_id !== null && !isId(d.game_id)) return 'game_id';
  if (d.book_seq !== null && !(typeof d.book_seq === 'number' && Number.isSafeInteger(d.book_seq))) return 'book_seq';
  if (!checkLevels(d.yes_bids)) return 'yes_bids';
  if (!checkLevels(d.yes_asks)) return 'yes_asks';
  return null;
}

export function checkQuoteSnapshot(data: unknown): string | null {
  if (!isObject(data)) return 'quotes is not an object';
  if (!(VENUES as readonly unknown[]).includes(data.venue)) return 'venue';
  const quotes = data.quotes;
  if (!Array.isArray(quotes) || quotes.length > MAX_QUOTES_PER_SNAPSHOT) return 'quotes';
  for (let i = 0; i < quotes.length; i++) {
    const q: unknown = quotes[i];
    const problem = checkPriceUpdate(q);
    if (problem !== null) return `quotes[${i}].${problem}`;
    if (!isMicros((q as Record<string, unknown>).origin_ts)) return `quotes[${i}].origin_ts`;
  }
  return null;
}

const SIDES: readonly string[] = ['yes', 'no'];
const POSITION_STATES: readonly string[] = ['open', 'closed', 'settled'];
const isMoneyCc = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v);
const isQuantity = (v: unknown): boolean => typeof v === 'number' && v >= 0 && isMicroQuantity(v);

/**
 * `position`: position_tracker publishes one per mark change of every held market (the third
 * busiest family). Like the schema, it takes a sport in any case, and it lowercases it in place
 * (the schema's parsed copy is lowercased): readers get what the zod path would give them.
 */
export function checkPosition(data: unknown): string | null {
  if (!isObject(data)) return 'position is not an object';
  const d = data;
  if (!isId(d.position_id)) return 'position_id';
  if (!isId(d.game_id)) return 'game_id';
  if (typeof d.sport !== 'string' || !(SPORTS as readonly string[]).includes(d.sport.toLowerCase())) return 'sport';
  if (!(VENUES as readonly unknown[]).includes(d.venue)) return 'venue';
  if (!isId(d.market_id)) return 'market_id';
  if (d.team !== null && typeof d.team !== 'string') return 'team';
  if (typeof d.side !== 'string' || !SIDES.includes(d.side)) return 'side';
  if (typeof d.state !== 'string' || !POSITION_STATES.includes(d.state)) return 'state';
  if (!isQuantity(d.contracts)) return 'contracts';
  if (!isYesPrice(d.avg_yes_price)) return 'avg_yes_price';
  if (d.mark_yes_price !== null && !isYesPrice(d.mark_yes_price)) return 'mark_yes_price';
  for (const field of ['cost_cc', 'fees_cc', 'realized_pnl_cc', 'unrealized_pnl_cc'] as const) {
    if (!isMoneyCc(d[field])) return field;
  }
  if (!isMicros(d.opened_ts)) return 'opened_ts';
  if (!isMicros(d.updated_ts)) return 'updated_ts';
  if (d.sport !== d.sport.toLowerCase()) d.sport = d.sport.toLowerCase();
  return null;
}

/** The message types with a hand-written check; every other type is parsed by its schema. */
export const TRUSTED_CHECKS: Readonly<Partial<Record<MessageType, MessageCheck>>> = Object.freeze({
  price: checkPriceUpdate,
  orderbook: checkOrderBook,
  quotes: checkQuoteSnapshot,
  position: checkPosition,
});
