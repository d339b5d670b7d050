/**
 * What the venue feeder does in each paced slot: one maker re-quote per slot, so updates/s is
 * the pacer's rate. Most slots change the top bid size of the next market, round robin (one level
 * update on the wire, one price out of the monitor, no trading opportunity). At a fixed rate an
 * out-of-line episode starts on the next game: one market's quotes drop by SHIFT (bids first,
 * then asks, so the book never crosses), which makes a cross-venue arbitrage against the other
 * venue's in-line quotes; after `episodeMs` the asks, then the bids, go back in line.
 *
 * In line, every game quotes fair +- 1 cent on both venues, so the cheapest $1 set costs 1.02
 * plus fees: no arbitrage. Out of line by SHIFT = 10 cents, the set costs 0.92 plus ~2.5 cents
 * of fees: about 5 cents of profit per contract, which the shard signals and execution takes.
 */
import type { QuoteLadder } from '../../src/sim/world.js';

export type FeedVenue = 'kalshi' | 'poly';
export type FeedOutcome = 'home' | 'away';

export interface FeedMarket {
  venue: FeedVenue;
  marketId: string;
  gameIndex: number;
  outcome: FeedOutcome;
  /** In-line YES mid. */
  fair: number;
  bidOffset: number;
  askOffset: number;
  bidSize: number;
}

export type StepKind = 'size' | 'bids_down' | 'asks_down' | 'asks_up' | 'bids_up';

export interface FeedStep {
  kind: StepKind;
  market: FeedMarket;
  /** The episode this step belongs to (-1 for size changes). */
  episode: number;
}

export const SHIFT = 0.1;
const HALF_SPREAD = 0.01;
const round2 = (x: number) => Math.round(x * 100) / 100;

/** The home-team YES mid of game i: spread over 0.30-0.70 so the books are not all alike. */
export const fairHome = (gameIndex: number): number => round2(0.3 + ((gameIndex * 7) % 41) / 100);

export function newFeedMarket(venue: FeedVenue, marketId: string, gameIndex: number, outcome: FeedOutcome): FeedMarket {
  const home = fairHome(gameIndex);
  return { venue, marketId, gameIndex, outcome, fair: outcome === 'home' ? home : round2(1 - home), bidOffset: 0, askOffset: 0, bidSize: 100 };
}

export function ladderOf(m: FeedMarket): QuoteLadder {
  const bid = round2(m.fair - HALF_SPREAD + m.bidOffset);
  const ask = round2(m.fair + HALF_SPREAD + m.askOffset);
  return {
    yesBids: [
      [bid, m.bidSize],
      [round2(bid - 0.01), 500],
    ],
    yesAsks: [
      [ask, 300],
      [round2(ask + 0.01), 500],
    ],
  };
}

/** Applies a step to the market's quote state (the caller then re-quotes the venue). */
export function applyStep(step: FeedStep): void {
  const m = step.market;
  switch (step.kind) {
    case 'size':
      m.bidSize = m.bidSize >= 199 ? 100 : m.bidSize + 1;
      return;
    case 'bids_down':
      m.bidOffset = -SHIFT;
      return;
    case 'asks_down':
      m.askOffset = -SHIFT;
      return;
    case 'asks_up':
      m.askOffset = 0;
      return;
    case 'bids_up':
      m.bidOffset = 0;
      return;
  }
}

export interface FeedPlanOptions {
  ratePerSec: number;
  episodesPerSec: number;
  episodeMs: number;
}

interface Pending {
  due: number;
  step: FeedStep;
}

/**
 * Hands out one step per slot. Markets are grouped by game: markets[4g..4g+3] are game g's
 * Kalshi home/away and Polymarket home/away (any order). Each game's successive episodes take
 * its four markets in turn, so both venues and both sides go out of line equally often.
 */
export class FeedPlan {
  readonly #markets: readonly FeedMarket[];
  readonly #byGame: FeedMarket[][];
  readonly #slotsPerEpisode: number;
  readonly #episodeSlots: number;
  readonly #pending: Pending[] = [];
  #slot = 0;
  #nextSize = 0;
  #episodes = 0;

  constructor(markets: readonly FeedMarket[], options: FeedPlanOptions) {
    this.#markets = markets;
    const games = Math.max(...markets.map((m) => m.gameIndex)) + 1;
    this.#byGame = Array.from({ length: games }, (_, g) => markets.filter((m) => m.gameIndex === g));
    this.#slotsPerEpisode = options.episodesPerSec > 0 ? Math.max(4, Math.round(options.ratePerSec / options.episodesPerSec)) : Infinity;
    this.#episodeSlots = Math.max(2, Math.round((options.episodeMs * options.ratePerSec) / 1000));
  }

  get episodes(): number {
    return this.#episodes;
  }

  /** The step of the next slot. */
  next(): FeedStep {
    const slot = this.#slot++;
    // Half a period in, so the first episode does not start on the very first update.
    if (slot % this.#slotsPerEpisode === Math.floor(this.#slotsPerEpisode / 2)) this.#startEpisode(slot);
    const due = this.#takeDue(slot);
    if (due !== null) return due;
    const market = this.#markets[this.#nextSize++ % this.#markets.length]!;
    return { kind: 'size', market, episode: -1 };
  }

  /** The steps still owed (episodes in progress), so a run can end with every book in line. */
  drain(): FeedStep[] {
    const out = this.#pending.sort((a, b) => a.due - b.due).map((p) => p.step);
    this.#pending.length = 0;
    return out;
  }

  #startEpisode(slot: number): void {
    const n = this.#episodes++;
    const games = this.#byGame.length;
    const own = this.#byGame[n % games]!;
    const market = own[Math.floor(n / games) % own.length]!;
    const push = (due: number, kind: StepKind) => this.#pending.push({ due, step: { kind, market, episode: n } });
    push(slot, 'bids_down');
    push(slot + 1, 'asks_down');
    push(slot + this.#episodeSlots, 'asks_up');
    push(slot + this.#episodeSlots + 1, 'bids_up');
  }

  #takeDue(slot: number): FeedStep | null {
    let best = -1;
    for (let i = 0; i < this.#pending.length; i++) {
      const p = this.#pending[i]!;
      if (p.due <= slot && (best === -1 || p.due < this.#pending[best]!.due)) best = i;
    }
    if (best === -1) return null;
    return this.#pending.splice(best, 1)[0]!.step;
  }
}
