/**
 * What a market monitor needs from a venue's WebSocket client, whatever the venue: keep one book
 * per market for a changing set of markets, say when a book's top changed, when a book can no
 * longer be trusted, and when the link goes up or down. The Kalshi and Polymarket adapters
 * implement it over the real clients in src/venues; everything else (assignments, publishing,
 * health) is written once in market-monitor.ts.
 */
import type { BookLevel } from '../core/book-level.js';
import type { Venue } from '../core/topics.js';

/** Best YES bid and ask of a valid book; a null price means that side is empty (size 0). */
export interface FeedTop {
  yesBid: number | null;
  yesBidSize: number;
  yesAsk: number | null;
  yesAskSize: number;
  /** Last traded YES price, when the venue's book carries one. */
  lastPrice?: number | null;
  /** Venue time of the message that changed the book, microseconds. */
  venueTsUs?: number | null;
}

/** The top levels of a valid book, best first, both sides in YES terms. */
export interface FeedLadders {
  yesBids: BookLevel[];
  yesAsks: BookLevel[];
  /** The venue's sequence number of the last applied message, when it has one. */
  seq: number | null;
}

export interface VenueFeedHandlers {
  /** A valid book changed (maybe not at the top: the monitor filters). */
  onBook(marketId: string, top: FeedTop, receivedUs: number): void;
  /** The book can no longer be trusted (gap, resync pending, link lost, inconsistency). */
  onInvalid(marketId: string, reason: string, receivedUs: number): void;
  /** The market resolved; `yesValue` is what one YES contract pays (1 or 0). */
  onSettled(marketId: string, yesValue: number, receivedUs: number): void;
  /** The link changed state; `isUp()` tells the current state. */
  onLink(): void;
  /** Bad input or a transport problem the client counted and survived. */
  onProblem(err: Error): void;
}

export interface VenueFeed {
  readonly venue: Venue;
  /** Names the link in status details and logs, e.g. "kalshi ws". */
  readonly label: string;
  attach(handlers: VenueFeedHandlers): void;
  /** Makes the subscribed set exactly these markets. */
  setMarkets(marketIds: readonly string[]): void;
  /** Top levels of a market's book; null when it has no valid book. */
  ladders(marketId: string, depth: number): FeedLadders | null;
  /** True while every link that carries a wanted market is open. */
  isUp(): boolean;
  /** Starts connecting (and keeps reconnecting); never waits for the venue. */
  start(): void;
  close(): Promise<void>;
  /** The client's own counters (parse errors, gaps, reconnects...). */
  stats(): Record<string, number>;
}
