/**
 * One Kalshi market's order book, rebuilt from `orderbook_snapshot` and `orderbook_delta`.
 *
 * Kalshi shows bids only: `yes` levels are YES bids, `no` levels are NO bids, and a NO bid at q
 * is a YES ask at 1 - q. Levels are kept as integers (micro-dollars -> hundredths of a contract)
 * so a long run of deltas cannot drift. The book knows whether it can be trusted: a book that
 * never got its snapshot, or that was invalidated (sequence gap, reconnect), reports no prices
 * at all, which is different from a valid book that happens to be empty.
 */
import type { BookLevel } from '../../core/book-level.js';
import type { KalshiLevel, KalshiOutcomeSide } from './common.js';
import { HUNDREDTHS_PER_CONTRACT, MICROS_PER_DOLLAR, toHundredths, toMicros } from './fixed-point.js';

export type KalshiBookState = 'awaiting_snapshot' | 'valid' | 'invalid';

export interface KalshiBookTop {
  yesBid: number | null;
  yesBidSize: number;
  yesAsk: number | null;
  yesAskSize: number;
}

export interface KalshiBookView {
  ticker: string;
  state: KalshiBookState;
  /** Sequence number of the last message applied (per subscription, see book-sync.ts). */
  seq: number | null;
  /** Best first, YES terms. Empty when the book is not valid. */
  yesBids: BookLevel[];
  yesAsks: BookLevel[];
  top: KalshiBookTop | null;
}

export interface KalshiOrderBookOptions {
  /** True when the subscription asked for `use_yes_price`: NO levels then arrive in YES terms. */
  noLevelsInYesTerms?: boolean;
}

export class KalshiOrderBook {
  readonly ticker: string;
  #noInYesTerms: boolean;
  #conventionSwitches = 0;
  /** YES-leg price (micro-dollars) -> contracts (hundredths). */
  readonly #yes = new Map<number, number>();
  /** NO-leg price (micro-dollars) -> contracts (hundredths). */
  readonly #no = new Map<number, number>();
  #state: KalshiBookState = 'awaiting_snapshot';
  #seq: number | null = null;
  #invalidReason: string | null = null;

  constructor(ticker: string, options: KalshiOrderBookOptions = {}) {
    this.ticker = ticker;
    this.#noInYesTerms = options.noLevelsInYesTerms ?? false;
  }

  get state(): KalshiBookState {
    return this.#state;
  }

  get isValid(): boolean {
    return this.#state === 'valid';
  }

  get seq(): number | null {
    return this.#seq;
  }

  get invalidReason(): string | null {
    return this.#invalidReason;
  }

  /** Whether NO levels are read in YES terms now (the subscription's flag, unless the snapshots showed otherwise). */
  get noLevelsInYesTerms(): boolean {
    return this.#noInYesTerms;
  }

  /** How often a snapshot showed the other NO-level convention than the one assumed. */
  get conventionSwitches(): number {
    return this.#conventionSwitches;
  }

  /**
   * Replaces the whole book and makes it valid. Kalshi is flipping `use_yes_price` (NO levels in
   * NO-leg or in YES terms) and will then drop the flag, so the flag sent is not proof of what
   * arrives: a snapshot that is crossed under the assumed convention but not under the other
   * one switches this book to the other; crossed under both, the book is invalid.
   */
  applySnapshot(yes: readonly KalshiLevel[], no: readonly KalshiLevel[], seq: number | null): void {
    const crossedAssumed = crossedUnder(yes, no, this.#noInYesTerms);
    if (crossedAssumed && !crossedUnder(yes, no, !this.#noInYesTerms)) {
      this.#noInYesTerms = !this.#noInYesTerms;
      this.#conventionSwitches++;
    } else if (crossedAssumed) {
      this.invalidate('snapshot crossed whichever way its NO levels are read');
      this.#seq = seq;
      return;
    }
    this.#yes.clear();
    this.#no.clear();
    for (const [p, q] of yes) this.#add('yes', toMicros(p), toHundredths(q));
    for (const [p, q] of no) this.#add('no', this.#noLegMicros(p), toHundredths(q));
    this.#state = 'valid';
    this.#seq = seq;
    this.#invalidReason = null;
  }

  /** `qty[side][price] += delta`, deleting the level at <= 0. Ignored (false) unless valid. */
  applyDelta(side: KalshiOutcomeSide, price: number, delta: number, seq: number | null): boolean {
    if (this.#state !== 'valid') return false;
    const micros = side === 'yes' ? toMicros(price) : this.#noLegMicros(price);
    this.#add(side, micros, toHundredths(delta));
    this.#seq = seq;
    return true;
  }

  /** Marks the book untrustworthy until the next snapshot; its levels are dropped. */
  invalidate(reason: string): void {
    this.#yes.clear();
    this.#no.clear();
    this.#state = 'invalid';
    this.#invalidReason = reason;
  }

  /** Best YES bid and ask with sizes; null when the book is not valid. */
  top(): KalshiBookTop | null {
    if (!this.isValid) return null;
    const bid = best(this.#yes);
    const noBid = best(this.#no);
    return {
      yesBid: bid ? bid[0] / MICROS_PER_DOLLAR : null,
      yesBidSize: bid ? bid[1] / HUNDREDTHS_PER_CONTRACT : 0,
      yesAsk: noBid ? (MICROS_PER_DOLLAR - noBid[0]) / MICROS_PER_DOLLAR : null,
      yesAskSize: noBid ? noBid[1] / HUNDREDTHS_PER_CONTRACT : 0,
    };
  }

  /** YES bids and YES asks, best first, at most `depth` levels each. */
  ladders(depth = Number.POSITIVE_INFINITY): { yesBids: BookLevel[]; yesAsks: BookLevel[] } {
    if (!this.isValid) return { yesBids: [], yesAsks: [] };
    const byPriceDesc = (m: Map<number, number>) => [...m.entries()].sort((a, b) => b[0] - a[0]).slice(0, depth);
    return {
      yesBids: byPriceDesc(this.#yes).map(([p, q]) => [p / MICROS_PER_DOLLAR, q / HUNDREDTHS_PER_CONTRACT]),
      // The highest NO bid is the lowest YES ask: descending NO order is ascending YES-ask order.
      yesAsks: byPriceDesc(this.#no).map(([p, q]) => [(MICROS_PER_DOLLAR - p) / MICROS_PER_DOLLAR, q / HUNDREDTHS_PER_CONTRACT]),
    };
  }

  view(depth?: number): KalshiBookView {
    return { ticker: this.ticker, state: this.#state, seq: this.#seq, ...this.ladders(depth), top: this.top() };
  }

  /** Raw bid levels per leg in wire terms, ascending (for tests and diagnostics). */
  rawLevels(): { yes: KalshiLevel[]; no: KalshiLevel[] } {
    const asc = (m: Map<number, number>): KalshiLevel[] =>
      [...m.entries()].sort((a, b) => a[0] - b[0]).map(([p, q]) => [p / MICROS_PER_DOLLAR, q / HUNDREDTHS_PER_CONTRACT]);
    return { yes: asc(this.#yes), no: asc(this.#no) };
  }

  #noLegMicros(price: number): number {
    const micros = toMicros(price);
    return this.#noInYesTerms ? MICROS_PER_DOLLAR - micros : micros;
  }

  #add(side: KalshiOutcomeSide, micros: number, hundredths: number): void {
    const levels = side === 'yes' ? this.#yes : this.#no;
    const next = (levels.get(micros) ?? 0) + hundredths;
    if (next > 0) levels.set(micros, next);
    else levels.delete(micros);
  }
}

/** Best YES bid at or above the best YES ask the NO levels imply, read one way or the other. */
function crossedUnder(yes: readonly KalshiLevel[], no: readonly KalshiLevel[], noInYesTerms: boolean): boolean {
  const live = (levels: readonly KalshiLevel[]) => levels.filter(([, q]) => q > 0).map(([p]) => toMicros(p));
  const yesPrices = live(yes);
  const noPrices = live(no);
  if (yesPrices.length === 0 || noPrices.length === 0) return false;
  const bestBid = Math.max(...yesPrices);
  const bestAsk = noInYesTerms ? Math.min(...noPrices) : MICROS_PER_DOLLAR - Math.max(...noPrices);
  return bestBid >= bestAsk;
}

function best(levels: Map<number, number>): [number, number] | null {
  let top: [number, number] | null = null;
  for (const [p, q] of levels) if (top === null || p > top[0]) top = [p, q];
  return top;
}
