/**
 * Makes a venue link's state visible: the service status goes `degraded` ("kalshi ws down")
 * while the link is down and `healthy` when it is back; each fall and each recovery is counted
 * and logged once. Evaluated on every link event and on a timer (the runtime sets `healthy` once
 * start() returns, which must not hide a link that never came up).
 */
import type { Logger } from 'pino';
import type { Heartbeat } from '../../core/messages.js';
import type { Metrics } from '../../runtime/metrics.js';
import type { VenueFeed } from '../../venues/venue-feed.js';

export interface FeedHealthOptions {
  feed: VenueFeed;
  metrics: Metrics;
  log: Logger;
  setStatus(status: Heartbeat['status'], detail?: string): void;
  intervalMs: number;
}

export class FeedHealth {
  readonly #o: Readonly<FeedHealthOptions>;
  /** null until the first evaluation: starting up is not a disconnect. */
  #up: boolean | null = null;
  #everUp = false;
  #downSinceMs = 0;
  readonly #timer: NodeJS.Timeout;
  #stopped = false;

  constructor(options: FeedHealthOptions) {
    this.#o = Object.freeze({ ...options });
    this.#timer = setInterval(() => this.evaluate(), options.intervalMs);
    this.#timer.unref();
  }

  get up(): boolean {
    return this.#up === true;
  }

  evaluate(): void {
    if (this.#stopped) return;
    const { feed, metrics, log } = this.#o;
    const up = feed.isUp();
    if (up !== this.#up) {
      if (!up && this.#up === true) {
        this.#downSinceMs = Date.now();
        metrics.inc('ws_disconnects');
        log.warn({ link: feed.label }, `ARB_${feed.venue.toUpperCase()}_WS: ${feed.label} down; books halted until it is back`);
      } else if (up && this.#everUp) {
        metrics.inc('ws_reconnects');
        log.info({ link: feed.label, downMs: Date.now() - this.#downSinceMs }, `${feed.label} back`);
      }
      this.#up = up;
    }
    if (up) this.#everUp = true;
    metrics.set('ws_up', up ? 1 : 0);
    if (up) this.#o.setStatus('healthy');
    else this.#o.setStatus('degraded', this.#everUp ? `${feed.label} down` : `${feed.label} down (not connected yet)`);
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
  }
}
