/**
 * The service registry in Redis: each instance keeps `registry:<service>:<instance>` alive with
 * a TTL refreshed by its heartbeat, carrying its hot-path endpoints and metrics. Subscribers
 * watch the registry and connect to publishers as they appear, and forget them when their key
 * expires, so a shard started later is picked up without a restart.
 */
import type { Redis } from 'ioredis';
import { EventEmitter } from 'node:events';
import { errorMessage } from '../core/errors.js';
import { HeartbeatSchema, type Heartbeat } from '../core/messages.js';
import { silentLogger, type BusLogger } from './bus-options.js';

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
   * After Redis was unreachable, entries of live publishers may have expired and not yet been
   * rewritten by their next heartbeat; removals wait this long after the last failed poll so an
   * outage does not cut subscribers off from publishers that never stopped.
   */
  removalGraceMs?: number;
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
  private lastFailedPoll = 0;
  private readonly reader: RegistryEndpointReader;

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
    let instances: RegistryEndpoints[];
    try {
      instances = await this.reader.read();
    } catch (err) {
      // Redis down: keep the connections we have; ZMQ does not need Redis to flow.
      this.log.warn({ err: errorMessage(err) }, 'ARB_REDIS_UNAVAILABLE: registry poll failed');
      this.lastFailedPoll = Date.now();
      return;
    }
    const live = new Set<string>();
    for (const hb of instances) {
      if (this.options.services !== undefined && !this.options.services.includes(hb.service)) continue;
      if (hb.status === 'stopping') continue;
      for (const ep of hb.endpoints) if (ep !== this.options.excludeEndpoint) live.add(ep);
    }
    for (const ep of live) {
      if (!this.known.has(ep)) {
        this.known.add(ep);
        this.emit('added', ep);
      }
    }
    if (Date.now() - this.lastFailedPoll < (this.options.removalGraceMs ?? 5_000)) return;
    for (const ep of [...this.known]) {
      if (!live.has(ep)) {
        this.known.delete(ep);
        this.emit('removed', ep);
      }
    }
  }
}
