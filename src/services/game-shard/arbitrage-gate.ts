/**
 * A cheap, conservative test run before the arbitrage detector: could any set of contracts that
 * pays exactly $1 in every outcome cost less than $1 at these tops of book, before any fee? Fees
 * only add cost, so when the answer is no the detector cannot find an arbitrage and need not run
 * (in an efficient market that is nearly every update, and the detector allocates). The exact
 * covers are those of core/signals/arbitrage.ts:
 * - YES x on one market + NO x on another (NO x costs 1 - its YES bid): cheaper than $1 exactly
 *   when some ask of x is below some other market's bid of x;
 * - YES on every outcome (home + away, or home + draw + away): the best asks sum below 1;
 * - two outcomes only, NO home + NO away: the best bids sum above 1.
 * The test looks at every fresh book of the game, so it can only say yes too often, never no
 * wrongly (a property test checks it against the detector).
 */
import type { MarketBook, Outcome } from '../../core/signals/index.js';

const OUTCOMES: readonly Outcome[] = ['home', 'away', 'draw'];

/** Scratch per outcome: best (lowest) ask and best (highest) bid, their books, and the runners-up. */
interface Best {
  ask: number;
  askBook: MarketBook | null;
  secondAsk: number;
  bid: number;
  bidBook: MarketBook | null;
  secondBid: number;
}

const fresh = (): Best => ({ ask: Infinity, askBook: null, secondAsk: Infinity, bid: -Infinity, bidBook: null, secondBid: -Infinity });

function reset(b: Best): void {
  b.ask = Infinity;
  b.askBook = null;
  b.secondAsk = Infinity;
  b.bid = -Infinity;
  b.bidBook = null;
  b.secondBid = -Infinity;
}

export class ArbitrageGate {
  private readonly best: Record<Outcome, Best> = { home: fresh(), away: fresh(), draw: fresh() };

  /** False only when no exact cover can cost under $1 before fees. `threeWay`: soccer. */
  possible(books: readonly MarketBook[], threeWay: boolean): boolean {
    for (let i = 0; i < OUTCOMES.length; i++) reset(this.best[OUTCOMES[i]!]);
    for (let i = 0; i < books.length; i++) {
      const b = books[i]!;
      if (b.stale === true) continue;
      const best = this.best[b.outcome];
      const ask = b.yes_asks[0]?.[0];
      const bid = b.yes_bids[0]?.[0];
      if (ask !== undefined) {
        if (ask < best.ask) {
          best.secondAsk = best.ask;
          best.ask = ask;
          best.askBook = b;
        } else if (ask < best.secondAsk) best.secondAsk = ask;
      }
      if (bid !== undefined) {
        if (bid > best.bid) {
          best.secondBid = best.bid;
          best.bid = bid;
          best.bidBook = b;
        } else if (bid > best.secondBid) best.secondBid = bid;
      }
    }
    const h = this.best.home;
    const a = this.best.away;
    const d = this.best.draw;
    const n = threeWay ? 3 : 2;
    for (let i = 0; i < n; i++) {
      const x = this.best[OUTCOMES[i]!];
      // YES x + NO x on two different markets.
      const sameBook = x.bidBook === x.askBook;
      const bidAgainstBestAsk = sameBook ? x.secondBid : x.bid;
      const askAgainstBestBid = sameBook ? x.secondAsk : x.ask;
      if (x.ask < bidAgainstBestAsk || askAgainstBestBid < x.bid) return true;
    }
    if (threeWay) return h.ask + a.ask + d.ask < 1;
    return h.ask + a.ask < 1 || h.bid + a.bid > 1;
  }
}
