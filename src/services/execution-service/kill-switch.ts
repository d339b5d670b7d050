/**
 * The kill switch: the Redis key `control:kill_switch`, read every `pollMs` (25 ms by default),
 * so flipping it takes effect within one poll plus one Redis round trip (well under 100 ms).
 * Polling is deliberate: a keyspace notification needs `notify-keyspace-events` configured on
 * the server and is lost while disconnected; a poll cannot silently miss a change.
 *
 * ON is any value but "0", "false", "off" or "" (so `SET control:kill_switch 1` or a reason text
 * both halt). When the key cannot be read for `staleMs`, the switch counts as ON: a service
 * that cannot see the operator's switch must not trade.
 */
import type { Redis } from 'ioredis';
import { killSwitchValueIsOn } from '../../core/kill-switch-value.js';

export interface KillSwitchOptions {
  redis: Redis;
  key: string;
  pollMs: number;
  staleMs: number;
  onChange?: (on: boolean, reason: string) => void;
  now?: () => number;
}


export class KillSwitch {
  readonly #o: Readonly<Required<KillSwitchOptions>>;
  #value: string | null = null;
  #lastReadMs = 0;
  #timer: NodeJS.Timeout | null = null;
  #polling = false;
  #lastOn: boolean | null = null;
  reads = 0;
  readErrors = 0;

  constructor(options: KillSwitchOptions) {
    this.#o = Object.freeze({ onChange: () => {}, now: Date.now, ...options });
  }

  /** Reads once (so the first decision already knows), then keeps polling. */
  async start(): Promise<void> {
    this.#lastReadMs = this.#o.now();
    await this.poll();
    this.#timer = setInterval(() => void this.poll(), this.#o.pollMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  get on(): boolean {
    return this.reason() !== null;
  }

  /** Why trading is halted, or null when it is not. */
  reason(): string | null {
    if (this.#o.now() - this.#lastReadMs > this.#o.staleMs) return `kill switch unreadable for ${this.#o.now() - this.#lastReadMs} ms (fail safe)`;
    return killSwitchValueIsOn(this.#value) ? `kill switch ${this.#o.key} = ${JSON.stringify(this.#value)}` : null;
  }

  async poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      this.#value = await this.#o.redis.get(this.#o.key);
      this.#lastReadMs = this.#o.now();
      this.reads++;
    } catch {
      this.readErrors++;
    } finally {
      this.#polling = false;
    }
    const reason = this.reason();
    const on = reason !== null;
    if (on !== this.#lastOn) {
      this.#lastOn = on;
      this.#o.onChange(on, reason ?? 'kill switch off');
    }
  }
}
