/**
 * What of the high-rate streams becomes history. Prices: per market, on change at most once per
 * `priceMs`, with the latest held back inside the window written when the window ends (so the
 * last price before a quiet spell, the closing line, is kept). Game states: whenever status,
 * period or score change, otherwise at most once per `stateMs`. Position marks: on a state or
 * size change, otherwise at most once per `markMs`. Every signal, trade, fill and settlement is
 * kept in full, so every price a signal or a fill used is in history with it.
 */
import type { GameStateRow, PositionEventRow, PriceRow } from './row-batch.js';

export interface SamplerOptions {
  priceMs: number;
  stateMs: number;
  markMs: number;
}

interface Held<T> {
  lastUs: number;
  last: T;
  pending: T | null;
}

export class HistorySampler {
  private readonly prices = new Map<string, Held<PriceRow>>();
  private readonly states = new Map<string, Held<GameStateRow>>();
  private readonly marks = new Map<string, Held<PositionEventRow>>();

  constructor(private readonly options: Readonly<SamplerOptions>) {}

  /** The row to write now, or null (held back or unchanged). */
  price(row: PriceRow): PriceRow | null {
    const key = `${row.venue}\u0000${row.market_id}`;
    const held = this.prices.get(key);
    if (held !== undefined && samePrice(held.pending ?? held.last, row)) return null;
    if (held === undefined || row.ts - held.lastUs >= this.options.priceMs * 1000) {
      this.prices.set(key, { lastUs: row.ts, last: row, pending: null });
      return row;
    }
    held.pending = row;
    return null;
  }

  gameState(row: GameStateRow): GameStateRow | null {
    const held = this.states.get(row.game_id);
    const changed = held === undefined || held.last.status !== row.status || held.last.period !== row.period ||
      held.last.home_score !== row.home_score || held.last.away_score !== row.away_score;
    if (!changed && row.ts - held.lastUs < this.options.stateMs * 1000) return null;
    this.states.set(row.game_id, { lastUs: row.ts, last: row, pending: null });
    return row;
  }

  positionEvent(row: PositionEventRow): PositionEventRow | null {
    const held = this.marks.get(row.position_id);
    const changed = held === undefined || held.last.state !== row.state || held.last.contracts !== row.contracts;
    if (!changed && row.ts - held.lastUs < this.options.markMs * 1000) return null;
    this.marks.set(row.position_id, { lastUs: row.ts, last: row, pending: null });
    if (row.state !== 'open') this.marks.delete(row.position_id);
    return row;
  }

  /** Held-back prices whose window has ended by `nowUs`. */
  duePrices(nowUs: number): PriceRow[] {
    const due: PriceRow[] = [];
    for (const held of this.prices.values()) {
      if (held.pending !== null && nowUs - held.lastUs >= this.options.priceMs * 1000) {
        due.push(held.pending);
        held.last = held.pending;
        held.lastUs = held.pending.ts;
        held.pending = null;
      }
    }
    return due;
  }

  /** Forgets games and positions that ended (bounded memory over a long session). */
  forgetGame(gameId: string): void {
    this.states.delete(gameId);
  }
}

function samePrice(a: PriceRow, b: PriceRow): boolean {
  return a.yes_bid === b.yes_bid && a.yes_ask === b.yes_ask && a.status === b.status && a.last_price === b.last_price;
}
