/**
 * The api's subscription to the busy hot families (prices, books), made on demand: the first /ws
 * client of a family (or a REST read of the live cache) switches its ZMQ subscription on, and it
 * is dropped `lingerMs` after the last one leaves, so with nobody watching the publishers send the
 * api no price or book at all. The quiet families (games, signals, trades, positions, health) are
 * always followed.
 *
 * Switching a family on: subscribe first, wait `settleMs`, then load what the slow track holds of
 * it (live-state-loader.ts) into the live cache. The wait is for the subscription to reach the
 * publishers (ZMQ sends it to them asynchronously) and for what they sent before it to reach Redis
 * through zmq_listener (a few ms): a message published in that window is in neither the live stream
 * nor an earlier read. A subscription or a listener slower than `settleMs` can still leave a topic
 * one update behind until its next message. The cache keeps only the later message of each topic
 * (isLaterMessage), so live messages heard while loading and the stored state merge to the newest
 * of each; clients waiting for the family get their snapshot from the cache once the load is done
 * and live events only from then on (the hub holds them back until then). A message is therefore
 * either in a client's snapshot, or older than it, or delivered after it: none is lost between the
 * two and none goes backwards.
 */
import type { SlowEntry } from '../../bus/slow-track.js';
import { TopicPrefix } from '../../core/topics.js';

/** The transport half of a subscriber (HotSubscriber): prefix subscriptions. */
export interface LiveFeed {
  subscribe(prefix: string): unknown;
  unsubscribe(prefix: string): unknown;
}

export interface LiveFamiliesDeps {
  feed: LiveFeed;
  load(family: string): Promise<SlowEntry[]>;
  /** Merges stored state into the live cache. */
  merge(entries: SlowEntry[]): void;
  /** Forgets a family's cached state when its subscription is dropped. */
  forget(family: string): void;
  onLoadError(family: string, err: unknown): void;
}

export const ON_DEMAND_FAMILIES: readonly string[] = [TopicPrefix.prices, TopicPrefix.orderbooks];

interface Family {
  prefix: string;
  users: number;
  state: 'off' | 'loading' | 'on';
  /** Settles when the load started by the current switch-on is merged. */
  ready: Promise<void> | null;
  linger: NodeJS.Timeout | null;
  /** Bumped at each switch-off: a load that finishes after it is thrown away. */
  generation: number;
}

export class LiveFamilies {
  readonly #families = new Map<string, Family>();
  /** The same families, for the per-message check (a plain loop, no iterator). */
  readonly #list: Family[] = [];
  #stopped = false;
  readonly counters = { switched_on: 0, switched_off: 0, load_errors: 0, merged: 0 };

  constructor(
    private readonly deps: LiveFamiliesDeps,
    private readonly lingerMs: number,
    private readonly settleMs = 250,
    /** A load slower than this is given up: the snapshot is then what the live stream brought. */
    private readonly loadTimeoutMs = 5_000,
  ) {
    for (const prefix of ON_DEMAND_FAMILIES) {
      const family: Family = { prefix, users: 0, state: 'off', ready: null, linger: null, generation: 0 };
      this.#families.set(prefix, family);
      this.#list.push(family);
    }
  }

  /** The on-demand family `prefix` lies in, or null for the always-followed ones. */
  familyOf(prefix: string): string | null {
    for (const f of ON_DEMAND_FAMILIES) if (prefix.startsWith(f)) return f;
    return null;
  }

  /** Whether a hot message of `topic` belongs in the cache: false for a family switched off (frames still in flight). */
  follows(topic: string): boolean {
    for (let i = 0; i < this.#list.length; i++) {
      const family = this.#list[i]!;
      if (topic.startsWith(family.prefix)) return family.state !== 'off';
    }
    return true;
  }

  /** Whether the family's subscription is on (or loading). */
  isOn(family: string): boolean {
    return (this.#families.get(family)?.state ?? 'on') !== 'off';
  }

  /**
   * One more user of `family`; null when its state is in the cache now, else a promise settled
   * once it is (never rejects: a failed load leaves what the live stream brings).
   */
  acquire(family: string): Promise<void> | null {
    const f = this.#families.get(family);
    if (f === undefined) return null;
    f.users++;
    if (f.linger !== null) clearTimeout(f.linger);
    f.linger = null;
    if (f.state === 'on') return null;
    if (f.state === 'off') this.#switchOn(family, f);
    return f.ready;
  }

  release(family: string): void {
    const f = this.#families.get(family);
    if (f === undefined || f.users === 0) return;
    // Clients closed at shutdown release after stop(): the subscriber is closing, leave it be.
    if (this.#stopped) return;
    if (--f.users > 0 || f.linger !== null) return;
    f.linger = setTimeout(() => this.#switchOff(family, f), this.lingerMs);
    f.linger.unref();
  }

  /** A reader of the cache (REST): the family stays on `lingerMs` after the last read. */
  async touch(family: string): Promise<void> {
    const ready = this.acquire(family);
    this.release(family);
    if (ready !== null) await ready;
  }

  stop(): void {
    this.#stopped = true;
    for (const f of this.#families.values()) if (f.linger !== null) clearTimeout(f.linger);
  }

  #switchOn(family: string, f: Family): void {
    this.counters.switched_on++;
    f.state = 'loading';
    // Subscribed before the load: whatever the slow track misses, the live stream brings.
    this.deps.feed.subscribe(family);
    const generation = f.generation;
    f.ready = this.#loadWithin(family).then(
      (entries) => {
        if (f.generation !== generation) return;
        this.deps.merge(entries);
        this.counters.merged += entries.length;
      },
      (err: unknown) => {
        this.counters.load_errors++;
        this.deps.onLoadError(family, err);
      },
    ).finally(() => {
      if (f.generation === generation) f.state = 'on';
    });
  }

  async #loadWithin(family: string): Promise<SlowEntry[]> {
    await new Promise((resolve) => setTimeout(resolve, this.settleMs));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`loading ${family} took over ${this.loadTimeoutMs} ms`)), this.loadTimeoutMs);
    });
    return Promise.race([this.deps.load(family), timeout]).finally(() => clearTimeout(timer));
  }

  #switchOff(family: string, f: Family): void {
    f.linger = null;
    if (f.users > 0) return;
    this.counters.switched_off++;
    f.generation++;
    f.state = 'off';
    f.ready = null;
    this.deps.feed.unsubscribe(family);
    this.deps.forget(family);
  }
}
