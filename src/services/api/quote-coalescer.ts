/**
 * The latest price of each market, at most once per interval, for /ws (api with prices from quote
 * snapshots, quote-prices.ts).
 */
import type { RawEnvelope } from '../../core/envelope.js';
import type { PriceUpdate } from '../../core/messages.js';

/**
 * Holds the price events of quotes for `intervalMs` and sends the latest of each market once per
 * interval (`ARBEES_API_QUOTES_MS`): at 7k updates/s every market changes in every 100 ms
 * snapshot, about 4,000 events a second to each dashboard, far more than anyone reads. A market
 * that halts, closes or settles is sent at once. 0: every quote as it comes.
 */
export class QuoteCoalescer {
  #pending = new Map<string, RawEnvelope>();
  #timer: NodeJS.Timeout | null = null;
  held = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly emit: (topic: string, envelope: RawEnvelope) => void,
  ) {}

  offer(topic: string, envelope: RawEnvelope): void {
    if (this.intervalMs === 0 || (envelope.data as PriceUpdate).status !== 'open') {
      this.#pending.delete(topic);
      this.emit(topic, envelope);
      return;
    }
    if (this.#pending.has(topic)) this.held++;
    this.#pending.set(topic, envelope);
    this.#timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  flush(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const pending = this.#pending;
    this.#pending = new Map();
    for (const [topic, envelope] of pending) this.emit(topic, envelope);
  }

  stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#pending.clear();
  }
}
