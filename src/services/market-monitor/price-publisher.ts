/**
 * Publishes `prices.<venue>.<id>` on the hot path: one PriceUpdate per change of a market's top
 * of book (best YES bid/ask or their sizes) or of its status, never for a change deeper in the
 * book. A book that cannot be trusted is published once as `halted` with no prices, so nobody
 * keeps trading on the last numbers; a valid but empty book stays `open` with null prices.
 * `origin_ts` is the receipt time of the venue frame that caused the update.
 */
import type { HotPublisher } from '../../bus/hot-publisher.js';
import type { PriceUpdate } from '../../core/messages.js';
import type { Metrics } from '../../runtime/metrics.js';
import type { MarketSlot } from './market-slot.js';
import type { FeedTop } from '../../venues/venue-feed.js';
import type { QuotePublisher } from './quote-publisher.js';

type PriceStatus = PriceUpdate['status'];

export class PricePublisher {
  constructor(
    /** The service's hot publisher (only `publish` is needed). */
    private readonly publisher: Pick<HotPublisher, 'publish'>,
    private readonly metrics: Metrics,
    /** Hears every published price (the quote snapshots). */
    private readonly quotes: Pick<QuotePublisher, 'onPublished'> | null = null,
  ) {}

  /** A valid book changed; publishes only when its top did. Returns true when it published. */
  onTop(slot: MarketSlot, top: FeedTop, receivedUs: number): boolean {
    if (slot.status === 'settled') return false;
    if (top.lastPrice !== undefined) slot.lastPrice = top.lastPrice;
    if (slot.sameTop(top)) return false;
    slot.status = 'open';
    slot.yesBid = top.yesBid;
    slot.yesBidSize = top.yesBidSize;
    slot.yesAsk = top.yesAsk;
    slot.yesAskSize = top.yesAskSize;
    slot.venueTsUs = top.venueTsUs ?? null;
    this.#send(slot, receivedUs);
    return true;
  }

  /** The book is not trustworthy: one `halted` with no prices, unless nothing was ever published. */
  onInvalid(slot: MarketSlot, receivedUs: number): boolean {
    if (!slot.published || slot.status === 'halted' || slot.status === 'settled') return false;
    this.#clear(slot, 'halted');
    this.metrics.inc('prices_halted');
    this.#send(slot, receivedUs);
    return true;
  }

  onSettled(slot: MarketSlot, yesValue: number, receivedUs: number): boolean {
    if (slot.status === 'settled') return false;
    this.#clear(slot, 'settled');
    slot.lastPrice = yesValue;
    this.#send(slot, receivedUs);
    return true;
  }

  /** The market's game or team changed: say it again with the new labels. */
  republish(slot: MarketSlot): void {
    if (slot.published) this.#send(slot, slot.originUs);
  }

  #clear(slot: MarketSlot, status: PriceStatus): void {
    slot.status = status;
    slot.yesBid = null;
    slot.yesAsk = null;
    slot.yesBidSize = 0;
    slot.yesAskSize = 0;
  }

  #send(slot: MarketSlot, originUs: number): void {
    slot.originUs = originUs;
    const data = slot.toPrice();
    if (this.publisher.publish(slot.priceTopic, 'price', data, { originTs: originUs }) === null) this.metrics.inc('prices_dropped');
    else this.metrics.inc('prices_published');
    this.quotes?.onPublished(slot);
  }
}
