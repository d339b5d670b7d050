/**
 * Publishes this monitor's quote snapshots on `quotes.<venue>.<instance>` (QuoteSnapshot): every
 * `intervalMs`, the markets whose published price changed since the last snapshot, each with its
 * latest price only. A halt, close or settlement is sent on the next turn of the event loop, not
 * at the next interval: nobody marking or exiting on these quotes should act on a dead market.
 *
 * Consumers that need the state of many markets but not every tick (position_tracker's marks and
 * exits, execution_service's marks and settlements) hear one message an interval instead of one
 * per venue update: at 7k updates/s that was most of their CPU (issue 13).
 */
import type { HotPublisher } from '../../bus/hot-publisher.js';
import { MAX_QUOTES_PER_SNAPSHOT, type Quote, type QuoteSnapshot } from '../../core/messages.js';
import type { Venue } from '../../core/topics.js';
import type { Metrics } from '../../runtime/metrics.js';
import type { MarketSlot } from './market-slot.js';

export interface QuotePublisherOptions {
  publisher: Pick<HotPublisher, 'publish'>;
  metrics: Metrics;
  venue: Venue;
  topic: string;
  /** 0 sends each change on the next turn of the event loop. */
  intervalMs: number;
}

export class QuotePublisher {
  readonly #o: Readonly<QuotePublisherOptions>;
  readonly #changed = new Map<string, MarketSlot>();
  #timer: NodeJS.Timeout | null = null;
  #immediate: NodeJS.Immediate | null = null;
  #stopped = false;

  constructor(options: QuotePublisherOptions) {
    this.#o = Object.freeze({ ...options });
    if (options.intervalMs > 0) {
      this.#timer = setInterval(() => this.flush(), options.intervalMs);
      this.#timer.unref();
    }
  }

  /** The slot's price was just published. */
  onPublished(slot: MarketSlot): void {
    if (this.#stopped) return;
    this.#changed.set(slot.assignment.marketId, slot);
    if ((this.#o.intervalMs === 0 || slot.status !== 'open') && this.#immediate === null) {
      this.#immediate = setImmediate(() => {
        this.#immediate = null;
        this.flush();
      });
    }
  }

  forget(marketId: string): void {
    this.#changed.delete(marketId);
  }

  flush(): void {
    if (this.#changed.size === 0) return;
    let quotes: Quote[] = [];
    for (const slot of this.#changed.values()) {
      quotes.push(quoteOf(slot));
      if (quotes.length === MAX_QUOTES_PER_SNAPSHOT) {
        this.#send(quotes);
        quotes = [];
      }
    }
    if (quotes.length > 0) this.#send(quotes);
    this.#changed.clear();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#immediate) clearImmediate(this.#immediate);
    this.#timer = null;
    this.#immediate = null;
    this.#changed.clear();
  }

  #send(quotes: Quote[]): void {
    const data: QuoteSnapshot = { venue: this.#o.venue, quotes };
    if (this.#o.publisher.publish(this.#o.topic, 'quotes', data) === null) this.#o.metrics.inc('quotes_dropped');
    else this.#o.metrics.inc('quote_snapshots_published');
  }
}

function quoteOf(slot: MarketSlot): Quote {
  const a = slot.assignment;
  return {
    venue: a.venue,
    market_id: a.marketId,
    game_id: a.gameId,
    team: a.team,
    yes_bid: slot.yesBid,
    yes_ask: slot.yesAsk,
    yes_bid_size: slot.yesBidSize,
    yes_ask_size: slot.yesAskSize,
    last_price: slot.lastPrice,
    status: slot.status ?? 'halted',
    venue_ts: slot.venueTsUs,
    origin_ts: slot.originUs,
  };
}
