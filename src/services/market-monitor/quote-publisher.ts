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
import { FlushSchedule } from './flush-schedule.js';
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
  readonly #schedule: FlushSchedule;

  constructor(options: QuotePublisherOptions) {
    this.#o = Object.freeze({ ...options });
    this.#schedule = new FlushSchedule(options.intervalMs, () => this.flush());
  }

  /** The slot's price was just published. */
  onPublished(slot: MarketSlot): void {
    if (this.#schedule.stopped) return;
    this.#changed.set(slot.assignment.marketId, slot);
    this.#schedule.changed(slot.status !== 'open');
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
    this.#schedule.stop();
    this.#changed.clear();
  }

  #send(quotes: Quote[]): void {
    const data: QuoteSnapshot = { venue: this.#o.venue, quotes };
    if (this.#o.publisher.publish(this.#o.topic, 'quotes', data) === null) this.#o.metrics.inc('quotes_dropped');
    else this.#o.metrics.inc('quote_snapshots_published');
  }
}

function quoteOf(slot: MarketSlot): Quote {
  return { ...slot.toPrice(), origin_ts: slot.originUs };
}
