/**
 * The core of zmq_listener: takes every hot message, queues it, and keeps the slow track in step
 * through pipelined flushes. The receive path only enqueues (no I/O, no await); flushes start on
 * the next tick or as soon as a batch is full, with a bounded number in flight. When Redis is
 * away the queue holds up to its bound (dropping and counting the oldest beyond it), failed
 * entries go back to the head in order, and writing resumes, oldest first, once Redis is back.
 */
import type { RawEnvelope } from '../../core/envelope.js';
import { errorMessage } from '../../core/errors.js';
import type { BusLogger } from '../../bus/bus-options.js';
import { Backoff } from '../../core/backoff.js';
import { ThrottledLog } from '../../core/throttled-log.js';
import { FlushLatency, type LatencySummary } from './flush-latency.js';
import { LatestTable, type LatestEntry } from './latest-table.js';
import { MirrorBuffer } from './mirror-buffer.js';
import { checkMirrorable } from './mirror-check.js';
import type { MirrorLimits } from './mirror-rules.js';
import { RouteCache } from './route-cache.js';
import type { MirrorItem, RedisWriter, WriteOutcome } from './redis-writer.js';

export interface ZmqListenerOptions {
  limits: MirrorLimits;
  /** Stream entries held while Redis is away (and in normal flow between flushes). */
  bufferMax: number;
  /** Distinct latest-state keys held pending; defaults to bufferMax. */
  latestMax?: number;
  batchSize: number;
  maxInFlight: number;
  /**
   * A partial batch waits up to this long for more entries before it is written (0: flush on
   * the next tick). Each pipeline costs a socket write, a reply and two script calls whatever
   * its size, so a few milliseconds turns ~3 entries per flush at 7k msg/s into ~35.
   */
  flushMs?: number;
  /** Backoff after a failed flush while the connection still looks up. */
  retryMinMs: number;
  retryMaxMs: number;
  logger: BusLogger;
}

export interface BridgeCounters {
  received: number;
  mirrored: number;
  latest_written: number;
  pipelines: number;
  pipeline_failures: number;
  dropped: number;
  dropped_latest: number;
  coalesced: number;
  redis_errors: number;
  write_errors: number;
  retried: number;
  unrouted: number;
  /** Messages not mirrored: unknown type, wrong type for the topic, bad data, src, id or seq. */
  invalid: number;
  /** Stream entries a timed-out write had already appended (or heard twice): not appended again. */
  duplicates: number;
  /** Latest-state writes skipped because Redis already held the same or a newer message. */
  stale_latest: number;
}

export type BridgeMetrics = BridgeCounters &
  LatencySummary & {
    buffered: number;
    buffered_peak: number;
    latest_pending: number;
    in_flight: number;
    redis_up: number;
    outages: number;
  };

interface Flush {
  seq: number;
  startedAt: number;
  items: MirrorItem[];
  latest: LatestEntry[];
}

export class ZmqListener {
  private readonly routes: RouteCache;
  private readonly buffer: MirrorBuffer<MirrorItem>;
  private readonly latest: LatestTable;
  private readonly latency = new FlushLatency();
  private readonly log: BusLogger;
  private readonly counters: BridgeCounters = {
    received: 0, mirrored: 0, latest_written: 0, pipelines: 0, pipeline_failures: 0, dropped: 0,
    dropped_latest: 0, coalesced: 0, redis_errors: 0, write_errors: 0, retried: 0, unrouted: 0,
    invalid: 0, duplicates: 0, stale_latest: 0,
  };
  private readonly inFlight: Flush[] = [];
  /** Failed flushes waiting for the others in flight to settle, so they requeue in order. */
  private failed: { seq: number; items: MirrorItem[] }[] = [];
  private latestInFlight = false;
  private flushSeq = 0;
  private pumpQueued = false;
  private flushTimer: NodeJS.Timeout | null = null;
  /** While someone waits in drain(), partial batches go out at once. */
  private draining = false;
  private backoffTimer: NodeJS.Timeout | null = null;
  private bufferedPeak = 0;
  private readonly retryBackoff: Backoff;
  /** Buffer-full lines and Redis-failure lines, each at most once a second. */
  private readonly dropLog: ThrottledLog;
  private readonly errorLog: ThrottledLog;
  private readonly invalidLog: ThrottledLog;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly writer: RedisWriter,
    private readonly options: ZmqListenerOptions,
  ) {
    this.log = options.logger;
    this.retryBackoff = new Backoff({ baseMs: options.retryMinMs, maxMs: options.retryMaxMs });
    this.dropLog = new ThrottledLog(options.logger, { maxPerWindow: 1 });
    this.errorLog = new ThrottledLog(options.logger, { maxPerWindow: 1 });
    this.invalidLog = new ThrottledLog(options.logger, { maxPerWindow: 1 });
    this.routes = new RouteCache(options.limits);
    this.buffer = new MirrorBuffer(options.bufferMax);
    this.latest = new LatestTable(options.latestMax ?? options.bufferMax);
    writer.onReady(() => this.schedule());
  }

  /** The receive path: route, check, queue, schedule a flush. Never throws, never waits. */
  enqueue(topic: string, envelope: RawEnvelope): void {
    this.counters.received++;
    const route = this.routes.route(topic);
    const problem = checkMirrorable(route, envelope);
    if (problem !== null) {
      this.noteInvalid(topic, problem);
      return;
    }
    if (!route.routed) this.counters.unrouted++;
    // One object is both the stream entry and the latest-state entry, so the two writes share
    // one encoding of the message (entryFieldsOf).
    const message = { topic, envelope, route, target: route.latest, fields: undefined };
    const dropped = this.buffer.push(message);
    if (dropped > 0) this.noteDropped(dropped);
    if (this.buffer.size > this.bufferedPeak) this.bufferedPeak = this.buffer.size;
    if (route.latest !== null) this.latest.put(message as LatestEntry);
    this.schedule();
  }

  metrics(): BridgeMetrics {
    return {
      ...this.counters,
      dropped: this.buffer.dropped,
      dropped_latest: this.latest.dropped,
      coalesced: this.latest.coalesced,
      ...this.latency.summary(),
      buffered: this.buffer.size,
      buffered_peak: this.bufferedPeak,
      latest_pending: this.latest.size,
      in_flight: this.inFlight.length,
      redis_up: this.writer.ready ? 1 : 0,
      outages: this.writer.outages,
    };
  }

  /** True when everything received so far is in Redis (or was dropped and counted). */
  get idle(): boolean {
    return this.buffer.size === 0 && this.latest.size === 0 && this.inFlight.length === 0 && this.failed.length === 0;
  }

  /** Waits until idle or the deadline; returns whether everything was written. */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.idle) return true;
    this.draining = true;
    this.schedule();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
        this.draining = this.idleWaiters.length > 0;
        resolve(this.idle);
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.idleWaiters.push(done);
    });
  }

  /** Stops retry timers; whatever is still queued stays unwritten (see drain). */
  stop(): void {
    if (this.backoffTimer !== null) clearTimeout(this.backoffTimer);
    this.backoffTimer = null;
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
  }

  private schedule(): void {
    if (this.pumpQueued) return;
    const flushMs = this.options.flushMs ?? 0;
    if (flushMs > 0 && !this.draining && this.buffer.size < this.options.batchSize) {
      // A partial batch: let it fill for up to flushMs (one timer, started by its first entry).
      this.flushTimer ??= setTimeout(() => {
        this.flushTimer = null;
        this.pumpSoon();
      }, flushMs);
      return;
    }
    this.pumpSoon();
  }

  private pumpSoon(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    setImmediate(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.canStartFlush()) this.startFlush();
  }

  private canStartFlush(): boolean {
    if (this.backoffTimer !== null || this.failed.length > 0 || !this.writer.ready) return false;
    if (this.inFlight.length >= this.options.maxInFlight) return false;
    return this.buffer.size > 0 || (this.latest.size > 0 && !this.latestInFlight);
  }

  private startFlush(): void {
    const items = this.buffer.take(this.options.batchSize);
    // One latest-state write in flight at a time, so a failed one can be put back without ever
    // overwriting a newer value that another flush already wrote.
    const latest = this.latestInFlight ? [] : this.latest.take(this.options.batchSize);
    if (latest.length > 0) this.latestInFlight = true;
    const flush: Flush = { seq: ++this.flushSeq, startedAt: performance.now(), items, latest };
    this.inFlight.push(flush);
    void this.writer.write(items, latest).then(
      (outcome) => this.finish(flush, outcome),
      (err: unknown) => this.finish(flush, failedOutcome(flush, err)),
    );
  }

  private finish(flush: Flush, outcome: WriteOutcome): void {
    this.inFlight.splice(this.inFlight.indexOf(flush), 1);
    if (flush.latest.length > 0) this.latestInFlight = false;
    this.counters.mirrored += outcome.written;
    this.counters.duplicates += outcome.duplicates;
    this.counters.latest_written += outcome.latestWritten;
    this.counters.stale_latest += outcome.latestStale;
    this.counters.write_errors += outcome.rejected + outcome.latestRejected;
    if (outcome.rejected + outcome.latestRejected > 0) this.logRejected(outcome);
    const mustRetry = outcome.retry.length > 0 || outcome.latestRetry.length > 0;
    if (!mustRetry) {
      this.counters.pipelines++;
      this.retryBackoff.reset();
      this.latency.recordMicros((performance.now() - flush.startedAt) * 1000);
    } else {
      this.counters.pipeline_failures++;
      this.counters.redis_errors++;
      this.counters.retried += outcome.retry.length;
      this.latest.restore(outcome.latestRetry);
      this.failed.push({ seq: flush.seq, items: outcome.retry });
      this.logRetry(outcome);
    }
    if (this.failed.length > 0 && this.inFlight.length === 0) this.requeueFailed();
    if (this.idle) this.notifyIdle();
    else this.schedule();
  }

  /** All flushes have settled: put the failed entries back at the head, oldest flush first. */
  private requeueFailed(): void {
    const ordered = this.failed.sort((a, b) => a.seq - b.seq).flatMap((f) => f.items);
    this.failed = [];
    const dropped = this.buffer.requeueFront(ordered);
    if (dropped > 0) this.noteDropped(dropped);
    const delay = this.retryBackoff.next();
    this.backoffTimer = setTimeout(() => {
      this.backoffTimer = null;
      this.schedule();
    }, delay);
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    this.draining = false;
    for (const w of waiters) w();
  }

  private noteDropped(count: number): void {
    this.dropLog.warn(
      { code: 'ARB_BRIDGE_BUFFER_FULL', dropped: this.buffer.dropped, bound: this.options.bufferMax, now: count },
      'ARB_BRIDGE_BUFFER_FULL: buffer full (Redis unreachable or slower than the hot path); dropping the oldest entries',
    );
  }

  private noteInvalid(topic: string, problem: string): void {
    this.counters.invalid++;
    // A flood of bad messages costs a counter each and at most one line a second.
    if (!this.invalidLog.allow()) return;
    this.log.warn(
      { code: 'ARB_FRAME_SCHEMA', topic: topic.slice(0, 200), problem, invalid: this.counters.invalid },
      'ARB_FRAME_SCHEMA: message not mirrored',
    );
  }

  private logRetry(outcome: WriteOutcome): void {
    this.errorLog.warn(
      { code: 'ARB_REDIS_UNAVAILABLE', err: outcome.error?.message, retrying: outcome.retry.length, buffered: this.buffer.size },
      'ARB_REDIS_UNAVAILABLE: flush failed; entries kept for retry',
    );
  }

  private logRejected(outcome: WriteOutcome): void {
    this.errorLog.error(
      { code: 'ARB_BRIDGE_WRITE_FAILED', err: outcome.error?.message, rejected: outcome.rejected + outcome.latestRejected },
      'ARB_BRIDGE_WRITE_FAILED: Redis refused mirrored writes; dropped',
    );
  }
}

/** The writer never rejects; if it somehow did, treat the whole flush as retryable. */
function failedOutcome(flush: Flush, err: unknown): WriteOutcome {
  return {
    written: 0,
    duplicates: 0,
    retry: flush.items,
    rejected: 0,
    latestWritten: 0,
    latestStale: 0,
    latestRetry: flush.latest,
    latestRejected: 0,
    error: new Error(errorMessage(err)),
  };
}
