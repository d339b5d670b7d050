/**
 * The latest price of every market of the shard's games, keyed by price topic, and the checks a
 * price update passes before anything trades on it. Every update gets a verdict, and every
 * verdict but `ok` is counted:
 * - unknown_market: not a market of this shard's games (ignored);
 * - invalid / game_mismatch: malformed, or labelled with another game (ignored);
 * - out_of_order: older than the price already held (ignored);
 * - late: its origin_ts was already older than the delay bound on arrival; crossed: bid >= ask;
 *   empty: no bid and no ask; not_open: halted, closed or settled. These are stored (they are
 *   the venue's latest word) but untrusted, so neither they nor the older price behind them is
 *   a leg of any signal until a good update arrives.
 * The checks are hand-written (no schema library, no allocation): this runs for every price.
 */
import type { RawEnvelope } from '../../core/envelope.js';
import type { PriceUpdate } from '../../core/messages.js';
import type { MarketPrice } from './market-price.js';

export type PriceVerdict = 'ok' | 'unknown_market' | 'invalid' | 'game_mismatch' | 'out_of_order' | 'late' | 'crossed' | 'empty' | 'not_open';

export interface PriceBookOptions {
  /** A price older than this on arrival is late (µs). */
  maxDelayUs: number;
  /** A price older than this is stale at use (µs). */
  ttlUs: number;
}

export type PriceCounters = Record<PriceVerdict, number>;

const STATUSES = new Set(['open', 'closed', 'halted', 'settled']);

const isPrice = (v: unknown): v is number | null => v === null || (typeof v === 'number' && v >= 0 && v <= 1);
const isSize = (v: unknown): v is number => typeof v === 'number' && v >= 0 && v < Infinity;

/** The fields the shard uses, checked; false when anything is off. */
function isUsablePriceData(d: unknown, market: MarketPrice): d is PriceUpdate {
  if (d === null || typeof d !== 'object') return false;
  const p = d as Record<string, unknown>;
  return (
    p.venue === market.venue &&
    p.market_id === market.marketId &&
    isPrice(p.yes_bid) &&
    isPrice(p.yes_ask) &&
    isSize(p.yes_bid_size) &&
    isSize(p.yes_ask_size) &&
    typeof p.status === 'string' &&
    STATUSES.has(p.status)
  );
}

export class PriceBook {
  readonly counters: PriceCounters = {
    ok: 0,
    unknown_market: 0,
    invalid: 0,
    game_mismatch: 0,
    out_of_order: 0,
    late: 0,
    crossed: 0,
    empty: 0,
    not_open: 0,
  };
  private readonly byTopic = new Map<string, MarketPrice>();

  constructor(readonly options: Readonly<PriceBookOptions>) {}

  add(market: MarketPrice): void {
    this.byTopic.set(market.topic, market);
  }

  remove(topic: string): void {
    this.byTopic.delete(topic);
  }

  get(topic: string): MarketPrice | undefined {
    return this.byTopic.get(topic);
  }

  get size(): number {
    return this.byTopic.size;
  }

  topics(): IterableIterator<string> {
    return this.byTopic.keys();
  }

  /**
   * Checks and stores one update. `market` is the result of `get(topic)` (looked up once by the
   * caller). Returns the verdict; only `ok` may lead to a signal.
   */
  apply(market: MarketPrice | undefined, envelope: RawEnvelope, nowUs: number): PriceVerdict {
    const verdict = this.judge(market, envelope, nowUs);
    this.counters[verdict]++;
    return verdict;
  }

  private judge(market: MarketPrice | undefined, envelope: RawEnvelope, nowUs: number): PriceVerdict {
    if (market === undefined) return 'unknown_market';
    const d = envelope.data;
    const originUs = envelope.origin_ts;
    if (!isUsablePriceData(d, market) || typeof originUs !== 'number' || !Number.isSafeInteger(originUs) || originUs <= 0) {
      return 'invalid';
    }
    if (d.game_id !== null && d.game_id !== undefined && d.game_id !== market.gameId) return 'game_mismatch';
    if (originUs < market.originUs) return 'out_of_order';
    market.src = envelope.src;
    market.seq = envelope.seq;
    let verdict: PriceVerdict = 'ok';
    if (nowUs - originUs > this.options.maxDelayUs) verdict = 'late';
    else if (d.status !== 'open') verdict = 'not_open';
    else if (d.yes_bid === null && d.yes_ask === null) verdict = 'empty';
    else if (d.yes_bid !== null && d.yes_ask !== null && d.yes_bid >= d.yes_ask) verdict = 'crossed';
    market.store(d, originUs, nowUs, verdict === 'ok');
    return verdict;
  }
}
