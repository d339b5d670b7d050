/**
 * The service registry in Redis: each instance keeps `registry:<service>:<instance>` alive with
 * a TTL refreshed by its heartbeat, carrying its hot-path endpoints and metrics. Subscribers
 * watch the registry and connect to publishers as they appear, so a shard started later is
 * picked up without a restart. They forget a publisher when its entry says `stopping` (at once),
 * or when its entry is gone and its ZMQ link is down too: a registry entry can vanish because
 * Redis stalled or restarted while its writer was fine, and the hot path must not depend on it.
 */
import type { Redis } from 'ioredis';
import { EventEmitter } from 'node:events';
import { errorMessage } from '../core/errors.js';
import { HeartbeatSchema, type Heartbeat } from '../core/messages.js';
import { silentLogger, type BusLogger } from './bus-options.js';
import type { RedisOutageTracker } from './redis-outage-tracker.js';

const REGISTRY_PREFIX = 'registry:';

export const registryKey = (service: string, instance: string): string =>
  `${REGISTRY_PREFIX}${service}:${instance}`;

export async function registerInstance(redis: Redis, heartbeat: Heartbeat, ttlMs: number): Promise<void> {
  await redis.set(registryKey(heartbeat.service, heartbeat.instance), JSON.stringify(heartbeat), 'PX', ttlMs);
}

export async function deregisterInstance(redis: Redis, service: string, instance: string): Promise<void> {
  await redis.del(registryKey(service, instance));
}

async function registryKeys(redis: Redis): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${REGISTRY_PREFIX}*`, 'COUNT', 500);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

/** Every live registry entry; entries that fail the schema are skipped (and reported). */
export async function listInstances(redis: Redis, log: BusLogger = silentLogger): Promise<Heartbeat[]> {
  const keys = await registryKeys(redis);
  if (keys.length === 0) return [];
  const values = await redis.mget(keys);
  const out: Heartbeat[] = [];
  values.forEach((raw, i) => {
    if (raw === null) return;
    try {
      out.push(HeartbeatSchema.parse(JSON.parse(raw)));
    } catch (err) {
      log.warn({ key: keys[i], err: errorMessage(err) }, 'ARB_FRAME_SCHEMA: unreadable registry entry');
    }
  });
  return out;
}

/** What a subscriber needs of a registry entry: whose it is, whether it is going, where it publishes. */
export interface RegistryEndpoints {
  service: string;
  status: Heartbeat['status'];
  endpoints: string[];
}

const STATUSES: ReadonlySet<string> = new Set(HeartbeatSchema.shape.status.options);

/**
 * The routing fields of one registry value, checked by hand (the full HeartbeatSchema, metrics
 * included, is the orchestrator's business); null when they are missing or malformed.
 */
export function readRegistryEndpoints(raw: string): RegistryEndpoints | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { service, status, endpoints } = value as Record<string, unknown>;
  if (typeof service !== 'string' || typeof status !== 'string' || !STATUSES.has(status)) return null;
  if (!Array.isArray(endpoints) || !endpoints.every((ep) => typeof ep === 'string')) return null;
  return { service, status: status as Heartbeat['status'], endpoints: endpoints as string[] };
}

/**
 * The registry as a subscriber sees it, read cheaply on every poll: a value parsed before is not
 * parsed again (a heartbeat rewrites its entry every 2 s, the watcher polls every 500 ms), and
 * only the routing fields are checked. An unreadable value is reported once, not on every poll.
 */
export class RegistryEndpointReader {
  private cache = new Map<string, { raw: string; entry: RegistryEndpoints | null }>();
  /** Values parsed (cache misses) since start. */
  parsed = 0;

  constructor(
    private readonly redis: Redis,
    private readonly log: BusLogger = silentLogger,
  ) {}

  async read(): Promise<RegistryEndpoints[]> {
    const keys = await registryKeys(this.redis);
    const values = keys.length === 0 ? [] : await this.redis.mget(keys);
    const next = new Map<string, { raw: string; entry: RegistryEndpoints | null }>();
    const out: RegistryEndpoints[] = [];
    values.forEach((raw, i) => {
      if (raw === null) return;
      const key = keys[i]!;
      let cached = this.cache.get(key);
      if (cached === undefined || cached.raw !== raw) {
        this.parsed++;
        cached = { raw, entry: readRegistryEndpoints(raw) };
        if (cached.entry === null) this.log.warn({ key }, 'ARB_FRAME_SCHEMA: unreadable registry entry');
      }
      next.set(key, cached);
      if (cached.entry !== null) out.push(cached.entry);
    });
    this.cache = next;
    return out;
  }
}

export interface RegistryWatcherOptions {
  pollMs?: number;
  logger?: BusLogger;
  /** Only endpoints of these services (all when absent). */
  services?: readonly string[];
  /** Never report this endpoint (a service's own publisher). */
  excludeEndpoint?: string | null;
  /**
   * After Redis was unreachable or slow, entries of live publishers may have expired and not yet
   * been rewritten by their next heartbeat; removals wait this long after Redis came back (the
   * end of the last failed or slow poll, or of an outage the tracker saw) so an outage does not
   * cut subscribers off from publishers that never stopped. A registry TTL plus a heartbeat.
   */
  removalGraceMs?: number;
  /** A poll slower than this counts as trouble too (a stall shorter than the command timeout). */
  slowPollMs?: number;
  /**
   * Whether the hot-path link to an endpoint is up (ZmqSubscriber.isLinkUp): an endpoint whose
   * entry is missing is kept while its link is up. Without it a missing entry means gone.
   */
  linkAlive?: (endpoint: string) => boolean;
  /** The process's view of Redis outages (redis-connection.ts); its outages start a grace too. */
  outages?: RedisOutageTracker | null;
}

/**
 * Polls the registry and emits `added(endpoint)` / `removed(endpoint)`. Polling (not keyspace
 * notifications) because it needs no server configuration and recovers by itself after Redis
 * restarts; a 500 ms poll finds a new publisher well inside the orchestrator's 15 s window.
 */
export class RegistryWatcher extends EventEmitter<{ added: [string]; removed: [string]; error: [Error] }> {
  private readonly known = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private readonly pollMs: number;
  private readonly log: BusLogger;
  private polling: Promise<void> | null = null;
  /** The last poll failed: the next good one ends the trouble. */
  private failing = false;
  /** When the last trouble (failed or slow poll) ended. */
  private troubleEndMs = Number.NEGATIVE_INFINITY;
  private readonly reader: RegistryEndpointReader;
  /** Polls that failed; missing entries kept because their link was up; removals. */
  readonly counters = { failed_polls: 0, slow_polls: 0, held_by_link: 0, removed: 0 };

  constructor(
    private readonly redis: Redis,
    private readonly options: RegistryWatcherOptions = {},
  ) {
    super();
    this.pollMs = options.pollMs ?? 500;
    this.log = options.logger ?? silentLogger;
    this.reader = new RegistryEndpointReader(redis, this.log);
  }

  /** Registry values parsed so far (the others were unchanged since the last poll). */
  get parsedEntries(): number {
    return this.reader.parsed;
  }

  /** Polls once immediately, then on the interval. */
  async start(): Promise<void> {
    await this.poll();
    this.timer = setInterval(() => void this.poll(), this.pollMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  endpoints(): string[] {
    return [...this.known];
  }

  poll(): Promise<void> {
    this.polling ??= this.pollOnce().finally(() => {
      this.polling = null;
    });
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    const started = Date.now();
    let instances: RegistryEndpoints[];
    try {
      instances = await this.reader.read();
    } catch (err) {
      // Redis down: keep the connections we have; ZMQ does not need Redis to flow. The outage is
      // logged once by the connection's tracker; each failed poll is only counted.
      this.counters.failed_polls++;
      this.log.debug({ err: errorMessage(err) }, 'ARB_REDIS_UNAVAILABLE: registry poll failed');
      this.failing = true;
      return;
    }
    const now = Date.now();
    const slow = now - started > (this.options.slowPollMs ?? 1_000);
    if (slow) this.counters.slow_polls++;
    if (this.failing || slow) this.troubleEndMs = now;
    this.failing = false;
    const live = new Set<string>();
    const stopping = new Set<string>();
    for (const hb of instances) {
      if (this.options.services !== undefined && !this.options.services.includes(hb.service)) continue;
      const into = hb.status === 'stopping' ? stopping : live;
      for (const ep of hb.endpoints) if (ep !== this.options.excludeEndpoint) into.add(ep);
    }
    for (const ep of live) {
      if (!this.known.has(ep)) {
        this.known.add(ep);
        this.emit('added', ep);
      }
    }
    const inGrace = now - this.lastTroubleMs() < (this.options.removalGraceMs ?? 5_000);
    for (const ep of [...this.known]) {
      if (live.has(ep)) continue;
      // A stopping entry is a positive word from the publisher: it goes at once, grace or not.
      if (!stopping.has(ep)) {
        if (this.options.linkAlive?.(ep) === true) {
          this.counters.held_by_link++;
          continue;
        }
        if (inGrace) continue;
      }
      this.known.delete(ep);
      this.counters.removed++;
      this.emit('removed', ep);
    }
  }

  private lastTroubleMs(): number {
    return Math.max(this.troubleEndMs, this.options.outages?.lastTroubleMs() ?? Number.NEGATIVE_INFINITY);
  }
}
