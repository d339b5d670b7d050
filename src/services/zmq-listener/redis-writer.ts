/**
 * The bridge's own Redis connection and the one thing it does: write a batch of mirrored
 * entries and latest-state values in a single pipeline, then say exactly which ones must be
 * retried. The connection never queues offline and never resends by itself
 * (enableOfflineQueue and autoResendUnfulfilledCommands off), so a dead Redis fails a write at
 * once and the bridge, not ioredis, decides what to buffer and when to retry.
 */
import { Redis } from 'ioredis';
import { Packr } from 'msgpackr';
import type { RawEnvelope } from '../../core/envelope.js';
import { errorMessage } from '../../core/errors.js';
import { latestGameValue, streamEntryFields } from '../../bus/slow-track.js';
import type { BusLogger } from '../../bus/bus-options.js';
import { backoffDelay } from '../../core/backoff.js';
import { SlowKey } from '../../core/slow-keys.js';
import { ThrottledLog } from '../../core/throttled-log.js';
import type { LatestEntry } from './latest-table.js';
import { priceHashFields } from './latest-values.js';
import { publisherBoot } from './mirror-check.js';
import { APPEND_BATCH_LUA, REPLACE_HASHES_LUA, REPLACE_JSON_VALUES_LUA } from './mirror-scripts.js';
import type { MirrorRoute } from './mirror-rules.js';

/** One hot message waiting to be appended to its stream. */
export interface MirrorItem {
  topic: string;
  envelope: RawEnvelope;
  route: MirrorRoute;
  /** Its slow-track entry fields, encoded at the first write that needs them (entryFieldsOf). */
  fields?: string[] | undefined;
  /**
   * Its last write failed with a reply that means Redis did not run it (BUSY, OOM, LOADING...),
   * as opposed to a timeout or a lost connection, after which it may have landed. Such an entry
   * is appended on retry even if a later entry of its publisher stream got in first.
   */
  unsent?: boolean | undefined;
}

/**
 * A message's stream entry fields, encoded once: a price's stream append and its latest-price
 * hash share them (the bridge passes one object as both its MirrorItem and its LatestEntry), so
 * its data goes through JSON once, and a retried flush does not encode it again.
 */
export function entryFieldsOf(message: { topic: string; envelope: RawEnvelope; fields?: string[] | undefined }): string[] {
  return (message.fields ??= streamEntryFields(message.topic, message.envelope));
}

export type WriteMode = 'script' | 'xadd';

export interface RedisWriterOptions {
  redisUrl: string;
  writeMode: WriteMode;
  commandTimeoutMs: number;
  /** Reconnect backoff: doubles from min to max. */
  retryMinMs: number;
  retryMaxMs: number;
  /**
   * Dedupe marks per stream before the hash rotates to its previous generation (one per
   * publisher stream, i.e. per market and publisher); default SEEN_GENERATION_MAX.
   */
  seenMax?: number;
  logger: BusLogger;
}

/** Far above the markets a venue lists at once, so a live market's mark survives a rotation. */
export const SEEN_GENERATION_MAX = 100_000;

export interface WriteOutcome {
  /** Stream entries Redis confirmed: appended now, or found already appended (duplicates). */
  written: number;
  /** Of `written`, those a previous (timed-out but applied) write had already appended. */
  duplicates: number;
  /** Entries to try again (Redis unreachable or busy), in their original order. */
  retry: MirrorItem[];
  /** Entries Redis refused for good (e.g. WRONGTYPE); they are dropped and counted. */
  rejected: number;
  latestWritten: number;
  /** Of `latestWritten`, those skipped because Redis held the same or a newer message. */
  latestStale: number;
  latestRetry: LatestEntry[];
  latestRejected: number;
  /** First error seen, for the log line. */
  error: Error | null;
}

/** Replies that mean "not now" rather than "never": the entry is kept and retried. */
const TRANSIENT_REPLY = /^(LOADING|BUSY|TRYAGAIN|MASTERDOWN|CLUSTERDOWN|OOM|NOREPLICAS|READONLY|MISCONF)\b/;

export function isTransientWriteError(err: Error): boolean {
  // Anything that is not a reply from the server (connection closed, not writable, timeout)
  // says nothing about the command itself.
  if (err.name !== 'ReplyError') return true;
  return TRANSIENT_REPLY.test(err.message);
}

/** Plain arrays and strings, which Redis's cmsgpack reads (no msgpackr records). */
const packr = new Packr({ useRecords: false });

type Unit = { kind: 'stream'; indices: number[] } | { kind: 'latest'; entries: LatestEntry[] };

interface ScriptCommands {
  arbeesAppendBatch(stream: string, seen: string, seenPrevious: string, maxLen: number, packedEntries: Buffer, packedExtra: Buffer | '', seenMax: number): unknown;
  arbeesReplaceHashes(numKeys: number, ...keysThenPacked: (string | Buffer)[]): unknown;
  arbeesReplaceJsonValues(numKeys: number, ...keysThenPacked: (string | Buffer)[]): unknown;
}

/** Script replies: {done, skipped}; anything else counts as all done, none skipped. */
function skippedOf(reply: unknown): number {
  return Array.isArray(reply) && typeof reply[1] === 'number' ? reply[1] : 0;
}

export class RedisWriter {
  private readonly redis: Redis;
  private readonly log: BusLogger;
  private readonly readyListeners: (() => void)[] = [];
  private everReady = false;
  private connected = false;
  private closing = false;
  /** Connection errors repeat on every reconnect attempt: at most one line per 5 s. */
  private readonly connectionErrorLog: ThrottledLog;
  /** Times a working connection was lost. */
  outages = 0;

  constructor(private readonly options: RedisWriterOptions) {
    this.log = options.logger;
    this.connectionErrorLog = new ThrottledLog(options.logger, { maxPerWindow: 1, windowMs: 5_000 });
    this.redis = new Redis(options.redisUrl, {
      lazyConnect: true,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs,
      connectionName: 'zmq_listener',
      retryStrategy: (times: number) => backoffDelay({ baseMs: options.retryMinMs, maxMs: options.retryMaxMs }, times - 1),
    });
    this.redis.defineCommand('arbeesAppendBatch', { numberOfKeys: 3, lua: APPEND_BATCH_LUA });
    this.redis.defineCommand('arbeesReplaceHashes', { lua: REPLACE_HASHES_LUA });
    this.redis.defineCommand('arbeesReplaceJsonValues', { lua: REPLACE_JSON_VALUES_LUA });
    this.redis.on('error', (err: Error) => this.logConnectionError(err));
    this.redis.on('ready', () => this.handleReady());
    this.redis.on('close', () => this.handleClose());
  }

  /** Starts connecting; a Redis that is down now is retried in the background, never thrown. */
  start(): void {
    this.redis.connect().catch(() => {});
  }

  get ready(): boolean {
    return this.redis.status === 'ready';
  }

  onReady(listener: () => void): void {
    this.readyListeners.push(listener);
  }

  /** Writes one batch in one pipeline. Never throws: every failure is in the outcome. */
  async write(items: readonly MirrorItem[], latest: readonly LatestEntry[]): Promise<WriteOutcome> {
    const pipeline = this.redis.pipeline();
    const units: Unit[] = [];
    if (this.options.writeMode === 'script') this.addScriptAppends(pipeline, items, units);
    else this.addPlainAppends(pipeline, items, units);
    this.addLatest(pipeline, latest, units);
    let results: [Error | null, unknown][];
    try {
      results = (await pipeline.exec()) ?? [];
    } catch (err) {
      results = units.map(() => [err instanceof Error ? err : new Error(errorMessage(err)), null]);
    }
    return this.outcome(items, units, results);
  }

  /** Replaces a small hash (the bridge status) and sets its expiry; errors propagate. */
  async writeHash(key: string, fields: Record<string, string>, ttlMs: number): Promise<void> {
    await this.redis.multi().del(key).hset(key, fields).pexpire(key, ttlMs).exec();
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.redis.status === 'end') return;
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private addScriptAppends(pipeline: ReturnType<Redis['pipeline']>, items: readonly MirrorItem[], units: Unit[]): void {
    // One script call per stream; entries keep their order within their stream.
    const groups = new Map<string, { maxLen: number; indices: number[] }>();
    for (let i = 0; i < items.length; i++) {
      const route = items[i]!.route;
      let group = groups.get(route.stream);
      if (group === undefined) {
        group = { maxLen: route.maxLen, indices: [] };
        groups.set(route.stream, group);
      }
      group.indices.push(i);
    }
    const scripted = pipeline as unknown as ScriptCommands;
    const seenMax = this.options.seenMax ?? SEEN_GENERATION_MAX;
    for (const [stream, group] of groups) {
      const entries = new Array<string[]>(group.indices.length);
      // The script reads each mark from the entry's own fields; only the exceptions travel apart.
      const seqKeys: (number | string)[] = [];
      const unsent: number[] = [];
      for (let j = 0; j < group.indices.length; j++) {
        const item = items[group.indices[j]!]!;
        entries[j] = entryFieldsOf(item);
        if (item.route.seqKey !== item.topic) seqKeys.push(j + 1, item.route.seqKey);
        if (item.unsent === true) unsent.push(j + 1);
      }
      const extra = seqKeys.length + unsent.length > 0 ? packr.pack([seqKeys, unsent]) : '';
      scripted.arbeesAppendBatch(stream, SlowKey.bridgeSeen(stream), SlowKey.bridgeSeenPrevious(stream), group.maxLen, packr.pack(entries), extra, seenMax);
      units.push({ kind: 'stream', indices: group.indices });
    }
  }

  private addPlainAppends(pipeline: ReturnType<Redis['pipeline']>, items: readonly MirrorItem[], units: Unit[]): void {
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      pipeline.xadd(item.route.stream, 'MAXLEN', '~', item.route.maxLen, '*', ...entryFieldsOf(item));
      units.push({ kind: 'stream', indices: [i] });
    }
  }

  /** Both scripts skip a write older than what the key holds (see mirror-scripts.ts). */
  private addLatest(pipeline: ReturnType<Redis['pipeline']>, latest: readonly LatestEntry[], units: Unit[]): void {
    const hashes: LatestEntry[] = [];
    const games: LatestEntry[] = [];
    for (const entry of latest) (entry.target.kind === 'price_hash' ? hashes : games).push(entry);
    const scripted = pipeline as unknown as ScriptCommands;
    if (hashes.length > 0) {
      const keys = hashes.map((e) => e.target.key);
      const fields = hashes.map((e) => priceHashFields(entryFieldsOf(e), e.envelope.data));
      const marks = hashes.flatMap((e) => [e.envelope.src, e.envelope.seq, publisherBoot(e.envelope.id)]);
      scripted.arbeesReplaceHashes(keys.length, ...keys, packr.pack(fields), packr.pack(marks));
      units.push({ kind: 'latest', entries: hashes });
    }
    if (games.length > 0) {
      const keys = games.map((e) => e.target.key);
      const args = games.flatMap((e) => [
        latestGameValue(e.topic, e.envelope),
        e.target.kind === 'game_json' ? e.target.ttlS : 0,
        e.envelope.src,
        e.envelope.seq,
        publisherBoot(e.envelope.id),
      ]);
      scripted.arbeesReplaceJsonValues(keys.length, ...keys, packr.pack(args));
      units.push({ kind: 'latest', entries: games });
    }
  }

  private outcome(items: readonly MirrorItem[], units: Unit[], results: [Error | null, unknown][]): WriteOutcome {
    const out: WriteOutcome = {
      written: 0, duplicates: 0, retry: [], rejected: 0, latestWritten: 0, latestStale: 0, latestRetry: [], latestRejected: 0, error: null,
    };
    const retryMask = new Uint8Array(items.length);
    units.forEach((unit, u) => {
      const err = results[u]?.[0] ?? (results[u] === undefined ? new Error('no reply for pipeline command') : null);
      if (err !== null) out.error ??= err;
      const transient = err !== null && isTransientWriteError(err);
      if (unit.kind === 'stream') {
        if (err === null) {
          out.written += unit.indices.length;
          out.duplicates += skippedOf(results[u]![1]);
        } else if (transient) {
          // A reply from the server says the script never ran; anything else leaves it open.
          const unsent = err.name === 'ReplyError';
          for (const i of unit.indices) {
            retryMask[i] = 1;
            items[i]!.unsent = unsent;
          }
        } else out.rejected += unit.indices.length;
      } else if (err === null) {
        out.latestWritten += unit.entries.length;
        out.latestStale += skippedOf(results[u]![1]);
      } else if (transient) out.latestRetry.push(...unit.entries);
      else out.latestRejected += unit.entries.length;
    });
    for (let i = 0; i < items.length; i++) if (retryMask[i] === 1) out.retry.push(items[i]!);
    return out;
  }

  private handleReady(): void {
    if (this.everReady) this.log.info({ outages: this.outages }, 'Redis is back; backfilling the slow track');
    this.everReady = true;
    this.connected = true;
    for (const listener of this.readyListeners) listener();
  }

  private handleClose(): void {
    if (!this.connected) return;
    this.connected = false;
    if (this.closing) return;
    this.outages++;
    this.log.warn({ outages: this.outages }, 'ARB_REDIS_UNAVAILABLE: slow-track connection lost; buffering');
  }

  private logConnectionError(err: Error): void {
    this.connectionErrorLog.debug({ err: err.message }, 'slow-track connection error');
  }
}
