/**
 * Whether a Kalshi market's fee schedule is one the signal's edge was computed with. Kalshi sets
 * fees per series (`fee_type`, `fee_multiplier` on `GET /series/{ticker}`), overridable per
 * event (`fee_type_override`, `fee_multiplier_override`); the taker fee is
 * 0.07 x multiplier x C x P x (1 - P) for the quadratic types (the maker-fee types add a maker
 * fee arbees' immediate-or-cancel orders never pay). A `flat` or unknown type, or a taker rate
 * above the configured one, refuses the market with the reason instead of trading on a guess.
 * Read once per market and kept for `ttlMs`; the fills booked are the venue's own `fee_cost`.
 *
 * The executor asks `verdict()` from `unsupported()`, before any leg of a decision goes out, so the
 * check never delays one leg behind the other: the first decision on a market not read yet goes
 * through on the configured fee while the schedule is read in the background.
 */
import type { VenueFeeRule } from '../../core/fees.js';
import { errorMessage } from '../../core/errors.js';
import type { KalshiSeriesFee } from './common.js';
import type { KalshiHttpClient } from './http.js';

const QUADRATIC_TYPES = new Set(['quadratic', 'quadratic_with_maker_fees', 'quadratic_with_combo_maker_fees']);
const BASE_TAKER_BP = 700;

export class KalshiSeriesFees {
  readonly #byTicker = new Map<string, { problem: string | null; readMs: number }>();
  readonly #reading = new Set<string>();
  /** Events and series are shared by many markets: read once each (Kalshi's read budget is per second). */
  readonly #events = new Map<string, { value: { seriesTicker: string; feeTypeOverride: string | null; feeMultiplierOverride: number | null }; readMs: number }>();
  readonly #series = new Map<string, { value: KalshiSeriesFee; readMs: number }>();

  constructor(
    private readonly client: Pick<KalshiHttpClient, 'getMarket' | 'getEvent' | 'getSeriesFee'>,
    private readonly assumed: VenueFeeRule,
    private readonly ttlMs = 10 * 60_000,
    private readonly now: () => number = Date.now,
    private readonly deferMs = 250,
  ) {}

  /** The cached answer (null = fine), or undefined while not read yet; an old or missing one is (re)read in the background. */
  verdict(ticker: string): string | null | undefined {
    const known = this.#byTicker.get(ticker);
    if ((!known || this.now() - known.readMs >= this.ttlMs) && !this.#reading.has(ticker)) {
      this.#reading.add(ticker);
      // After the decision asking has sent its orders: the read must not compete with them.
      setTimeout(() => void this.problem(ticker).finally(() => this.#reading.delete(ticker)), this.deferMs).unref();
    }
    return known?.problem;
  }

  /** Why this market cannot be traded at the assumed fee, or null. A failed lookup is not cached. */
  async problem(ticker: string): Promise<string | null> {
    const known = this.#byTicker.get(ticker);
    if (known && this.now() - known.readMs < this.ttlMs) return known.problem;
    let problem: string | null;
    try {
      problem = await this.#read(ticker);
    } catch (err) {
      return `the fee schedule of ${ticker} could not be read: ${errorMessage(err)}`;
    }
    this.#byTicker.set(ticker, { problem, readMs: this.now() });
    return problem;
  }

  async #read(ticker: string): Promise<string | null> {
    const market = await this.client.getMarket(ticker);
    const event = await this.#once(this.#events, market.eventTicker, async () => (await this.client.getEvent(market.eventTicker)).event);
    const series = await this.#once(this.#series, event.seriesTicker, () => this.client.getSeriesFee(event.seriesTicker));
    const feeType = event.feeTypeOverride ?? series.feeType;
    const multiplier = event.feeMultiplierOverride ?? series.feeMultiplier;
    if (!QUADRATIC_TYPES.has(feeType)) return `series ${series.seriesTicker} has fee type ${feeType}, which arbees does not compute`;
    const takerBp = BASE_TAKER_BP * multiplier;
    if (takerBp > this.assumed.takerRateBp + 1e-9) {
      return `series ${series.seriesTicker} charges ${takerBp} bp (multiplier ${multiplier}), above the ${this.assumed.takerRateBp} bp the edge was computed with`;
    }
    return null;
  }

  async #once<T>(map: Map<string, { value: T; readMs: number }>, key: string, read: () => Promise<T>): Promise<T> {
    const known = map.get(key);
    if (known && this.now() - known.readMs < this.ttlMs) return known.value;
    const value = await read();
    map.set(key, { value, readMs: this.now() });
    return value;
  }
}
