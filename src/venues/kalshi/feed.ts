/**
 * The Kalshi WebSocket client (src/venues/kalshi/ws.ts) seen as a monitor's VenueFeed. The client
 * already keeps each market's book consistent (snapshot + deltas, seq gap -> invalid + resync,
 * reconnect -> invalid until the next snapshot); this adapter only translates its events.
 */
import type { KalshiWsClient } from './ws.js';
import type { FeedLadders, VenueFeed, VenueFeedHandlers } from '../venue-feed.js';

export class KalshiFeed implements VenueFeed {
  readonly venue = 'kalshi' as const;
  readonly label = 'kalshi ws';

  constructor(readonly client: KalshiWsClient) {}

  attach(h: VenueFeedHandlers): void {
    const c = this.client;
    c.on('book', (e) => {
      const top = e.view.top;
      // A 'book' event only comes from a valid book; a null top would mean the client changed.
      if (top === null) return h.onInvalid(e.ticker, 'book event without a valid top', e.receivedUs);
      h.onBook(
        e.ticker,
        {
          yesBid: top.yesBid,
          yesBidSize: top.yesBidSize,
          yesAsk: top.yesAsk,
          yesAskSize: top.yesAskSize,
          venueTsUs: e.venueTsMs === null ? null : e.venueTsMs * 1000,
        },
        e.receivedUs,
      );
    });
    c.on('book_invalid', (e) => h.onInvalid(e.ticker, e.reason, e.receivedUs));
    // Settlement from the market lifecycle channel (determined, then settled): the monitor publishes it once.
    c.on('settled', (e) => h.onSettled(e.ticker, e.yesValue, e.receivedUs));
    c.on('connected', () => h.onLink());
    c.on('disconnected', () => h.onLink());
    c.on('problem', (err) => h.onProblem(err));
  }

  setMarkets(marketIds: readonly string[]): void {
    this.client.setTickers(marketIds);
  }

  ladders(marketId: string, depth: number): FeedLadders | null {
    const view = this.client.book(marketId);
    if (!view || view.state !== 'valid') return null;
    return { yesBids: view.yesBids.slice(0, depth), yesAsks: view.yesAsks.slice(0, depth), seq: view.seq };
  }

  isUp(): boolean {
    return this.client.connected;
  }

  start(): void {
    void this.client.start();
  }

  close(): Promise<void> {
    return this.client.close();
  }

  stats(): Record<string, number> {
    return { ...this.client.stats() };
  }
}
