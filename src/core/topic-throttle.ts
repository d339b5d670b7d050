/**
 * Each topic's messages at most once per interval, the latest of them: for readers that want a
 * market's current state, not every change of it (the dashboard's prices, the slow track's books).
 * A topic quiet for a whole interval goes at once, so a throttle never delays the first change
 * after a lull; a busy topic's latest goes when its interval since the last send has passed.
 * Sends are spread over the interval (each topic keeps its own clock), never one burst of every
 * topic at once.
 */
import type { RawEnvelope } from './envelope.js';

export interface TopicThrottleOptions {
  /** Least time between two sends of one topic; 0 sends everything as it comes. */
  intervalMs: number;
  emit: (topic: string, envelope: RawEnvelope) => void;
  /** Messages that go at once whatever the interval (a halt, a settlement). */
  urgent?: (envelope: RawEnvelope) => boolean;
}

/** Held messages are looked at ten times per interval: a held message waits at most 1.1 intervals. */
const SWEEPS_PER_INTERVAL = 10;

export class TopicThrottle {
  readonly #o: TopicThrottleOptions;
  readonly #sweepMs: number;
  /** When each topic last went, for topics that went less than an interval ago. */
  #lastSent = new Map<string, number>();
  #pending = new Map<string, RawEnvelope>();
  #timer: NodeJS.Timeout | null = null;
  /** Messages replaced by a later one of their topic before they went. */
  held = 0;

  constructor(options: TopicThrottleOptions) {
    this.#o = options;
    this.#sweepMs = Math.max(1, Math.ceil(options.intervalMs / SWEEPS_PER_INTERVAL));
  }

  /** Messages waiting for their topic's turn. */
  get pending(): number {
    return this.#pending.size;
  }

  offer(topic: string, envelope: RawEnvelope): void {
    const now = Date.now();
    const last = this.#lastSent.get(topic);
    const due = last === undefined || now - last >= this.#o.intervalMs;
    if (due || this.#o.intervalMs === 0 || this.#o.urgent?.(envelope) === true) {
      if (this.#pending.delete(topic)) this.held++;
      this.#send(topic, envelope, now);
      return;
    }
    if (this.#pending.has(topic)) this.held++;
    this.#pending.set(topic, envelope);
  }

  /** Sends every held message now (before a stop, so nothing held is lost). */
  flush(): void {
    const now = Date.now();
    const pending = this.#pending;
    this.#pending = new Map();
    for (const [topic, envelope] of pending) this.#send(topic, envelope, now);
  }

  stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#pending.clear();
    this.#lastSent.clear();
  }

  #send(topic: string, envelope: RawEnvelope, now: number): void {
    if (this.#o.intervalMs > 0) {
      this.#lastSent.set(topic, now);
      this.#arm();
    }
    this.#o.emit(topic, envelope);
  }

  #arm(): void {
    if (this.#timer !== null) return;
    this.#timer = setTimeout(() => this.#sweep(), this.#sweepMs);
    this.#timer.unref();
  }

  #sweep(): void {
    this.#timer = null;
    const now = Date.now();
    for (const [topic, envelope] of this.#pending) {
      if (now - (this.#lastSent.get(topic) ?? 0) < this.#o.intervalMs) continue;
      this.#pending.delete(topic);
      this.#send(topic, envelope, now);
    }
    // A topic quiet for an interval needs no clock: its next message goes at once anyway.
    for (const [topic, last] of this.#lastSent) {
      if (now - last >= this.#o.intervalMs && !this.#pending.has(topic)) this.#lastSent.delete(topic);
    }
    if (this.#lastSent.size > 0 || this.#pending.size > 0) this.#arm();
  }
}
