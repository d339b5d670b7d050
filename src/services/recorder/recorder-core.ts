/**
 * The recorder: Redis streams in, history rows out, at least once and without duplicates.
 * Each round reads a batch from every stream through the consumer group, turns it into rows,
 * commits them in one transaction and only then acknowledges the entries. A crash before the
 * commit leaves the entries pending (read again on restart); a crash between commit and ack
 * replays them into inserts that find their keys taken. Postgres down: the same batch is retried
 * with backoff and nothing more is read, so Redis keeps everything and nothing is acked early.
 */
import type { Logger } from 'pino';
import { Backoff } from '../../core/backoff.js';
import { errorMessage } from '../../core/errors.js';
import { nowMicros, sleep } from '../../core/time.js';
import type { Metrics } from '../../runtime/metrics.js';
import { decodeEntry, type StreamEntry } from './entry-decoder.js';
import { HistorySampler, type SamplerOptions } from './history-sampler.js';
import { isDataError, type HistoryWriter } from './history-writer.js';
import { RowBatch } from './row-batch.js';
import type { StreamGap, StreamGroup } from './stream-group.js';

export interface RecorderOptions {
  readonly group: StreamGroup;
  readonly writer: HistoryWriter;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly batch: number;
  readonly blockMs: number;
  readonly sampling: SamplerOptions;
  readonly durableKeepMs: number;
  readonly trimEveryMs: number;
  readonly setStatus?: (status: 'healthy' | 'degraded', detail?: string) => void;
  /** Runs (retried while Postgres is away) before the first read: the migrations. */
  readonly prepare?: () => Promise<void>;
}

const RETRY = { baseMs: 100, maxMs: 5_000, jitter: 0.5 } as const;
const VANISHED = 'Redis lost the stream and the recorder group (restarted empty or flushed); recording resumes on what it holds now';

export class Recorder {
  private readonly sampler: HistorySampler;
  private readonly retry = new Backoff(RETRY);
  private stopping = false;
  private wake: () => void = () => {};
  private readonly stopped = new Promise<void>((resolve) => (this.wake = resolve));
  private loop: Promise<void> | null = null;
  private lastTrimMs = Date.now();
  private degraded = false;

  constructor(private readonly o: RecorderOptions) {
    this.sampler = new HistorySampler(o.sampling);
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake(); // ends a backoff wait at once
    await this.loop;
  }

  private async run(): Promise<void> {
    const prepare = this.o.prepare ?? (async () => {});
    if ((await this.untilDone('postgres', async () => (await prepare(), true))) === undefined) return;
    if ((await this.untilDone('redis', async () => (await this.o.group.ensure(), true))) === undefined) return;
    let pending = true;
    while (!this.stopping) {
      const gaps = pending ? [] : await this.untilDone('redis', () => this.o.group.findGaps());
      const entries = await this.untilDone('redis', () =>
        pending ? this.o.group.readPending(this.o.batch) : this.o.group.readNew(this.o.batch, this.o.blockMs),
      );
      if (entries === undefined || gaps === undefined) return; // stopping
      if (pending && entries.length === 0) {
        pending = false;
        continue;
      }
      const committed = await this.commit(entries, gaps);
      if (!committed) return; // stopping before the commit: the entries stay pending
      if (entries.length > 0) await this.untilDone('redis', async () => (await this.o.group.ack(entries), true));
      this.observe(entries);
      await this.maybeTrim();
    }
  }

  /** Writes the round's rows; false when stopped before they were committed. */
  private async commit(entries: readonly StreamEntry[], gaps: readonly StreamGap[]): Promise<boolean> {
    const batch = new RowBatch();
    for (const gap of gaps) this.addGap(batch, gap);
    for (const entry of entries) this.decodeInto(batch, entry, this.sampler);
    batch.prices.push(...this.sampler.duePrices(nowMicros()));
    if (batch.size === 0) return true;
    try {
      return (await this.untilDone('postgres', async () => (await this.write(batch), true))) !== undefined;
    } catch (err) {
      if (!isDataError(err)) throw err;
      // One bad row must not block the group: write entry by entry, parking the one Postgres refuses.
      this.o.log.warn({ err: errorMessage(err) }, 'batch refused by Postgres; writing it entry by entry');
      return this.commitOneByOne(entries, gaps);
    }
  }

  private async commitOneByOne(entries: readonly StreamEntry[], gaps: readonly StreamGap[]): Promise<boolean> {
    const sampler = new HistorySampler({ priceMs: 0, stateMs: 0, markMs: 0 });
    const singles: RowBatch[] = entries.map((entry) => {
      const one = new RowBatch();
      this.decodeInto(one, entry, sampler);
      return one;
    });
    const gapBatch = new RowBatch();
    for (const gap of gaps) this.addGap(gapBatch, gap);
    singles.push(gapBatch);
    for (const [i, one] of singles.entries()) {
      if (one.size === 0) continue;
      try {
        if ((await this.untilDone('postgres', async () => (await this.write(one), true))) === undefined) return false;
      } catch (err) {
        if (!isDataError(err)) throw err;
        const entry = entries[i];
        if (entry === undefined) continue;
        const dead = new RowBatch();
        this.park(dead, entry, `refused by Postgres: ${errorMessage(err)}`);
        if ((await this.untilDone('postgres', async () => (await this.write(dead), true))) === undefined) return false;
      }
    }
    return true;
  }

  private decodeInto(batch: RowBatch, entry: StreamEntry, sampler: HistorySampler): void {
    if (Object.keys(entry.fields).length === 0) {
      this.addGap(batch, { stream: entry.stream, afterId: entry.id, resumeId: null, lost: 1 }, 'pending entry trimmed before it was recorded');
      return;
    }
    const problem = decodeEntry(entry, batch, sampler);
    if (problem !== null) this.park(batch, entry, problem);
  }

  private park(batch: RowBatch, entry: StreamEntry, problem: string): void {
    this.o.metrics.inc('dead_letters');
    this.o.log.warn({ code: 'ARB_RECORDER_DEAD_LETTER', stream: entry.stream, id: entry.id, problem: problem.slice(0, 300) }, 'ARB_RECORDER_DEAD_LETTER: entry parked');
    batch.deadLetters.push({ stream: entry.stream, entry_id: entry.id, fields: entry.fields, problem: problem.slice(0, 2_000), ts: nowMicros() });
  }

  private addGap(batch: RowBatch, gap: StreamGap, why = gap.vanished === true ? VANISHED : 'stream trimmed past what the recorder had read'): void {
    this.o.metrics.inc('gaps');
    if (gap.vanished === true) this.o.metrics.inc('streams_vanished');
    if (gap.lost !== null) this.o.metrics.inc('gap_entries_lost', gap.lost);
    const message = `${gap.stream}: ${why} (after ${gap.afterId}, resumed at ${gap.resumeId ?? 'the end'}, ${gap.lost ?? 'unknown'} entries lost)`;
    this.o.log.warn({ code: 'ARB_RECORDER_GAP', ...gap }, `ARB_RECORDER_GAP: ${message}`);
    batch.incidents.push({
      incident_id: gap.vanished === true ? `gap:${gap.stream}:vanished:${nowMicros()}` : `gap:${gap.stream}:${gap.afterId}`,
      kind: 'stream_gap',
      source: 'recorder',
      severity: gap.vanished === true ? 'critical' : gap.afterId === '0-0' ? 'info' : 'warning',
      message,
      detail: gap,
      ts: nowMicros(),
    });
  }

  private async write(batch: RowBatch): Promise<void> {
    const counts = await this.o.writer.write(batch);
    this.o.metrics.inc('batches');
    for (const [table, n] of Object.entries(counts)) this.o.metrics.inc(`rows.${table}`, n);
  }

  private observe(entries: readonly StreamEntry[]): void {
    this.o.metrics.inc('entries', entries.length);
    const last = entries[entries.length - 1];
    if (last !== undefined) this.o.metrics.set('lag_ms', Math.max(0, Date.now() - Number(last.id.split('-')[0])));
  }

  private async maybeTrim(): Promise<void> {
    if (Date.now() - this.lastTrimMs < this.o.trimEveryMs) return;
    this.lastTrimMs = Date.now();
    try {
      this.o.metrics.inc('durable_trimmed', await this.o.group.trimDurable(this.o.durableKeepMs));
    } catch (err) {
      this.o.log.warn({ err: errorMessage(err) }, 'durable stream trim failed; retried later');
    }
  }

  /**
   * Runs `fn` until it succeeds, backing off between failures (Redis or Postgres away). Data
   * errors are the caller's (retrying cannot fix them). undefined when stopping.
   */
  private async untilDone<T>(what: 'redis' | 'postgres', fn: () => Promise<T>): Promise<T | undefined> {
    // One try even when stopping, so a batch read just before the stop is still committed.
    for (let first = true; first || !this.stopping; first = false) {
      try {
        const result = await fn();
        this.retry.reset();
        if (this.degraded) {
          this.degraded = false;
          this.o.setStatus?.('healthy');
          this.o.log.info(`${what} is back; recording resumes`);
        }
        return result;
      } catch (err) {
        if (what === 'postgres' && isDataError(err)) throw err;
        this.o.metrics.inc(`${what}_errors`);
        if (!this.degraded) {
          this.degraded = true;
          this.o.setStatus?.('degraded', `${what} unavailable`);
          const code = what === 'postgres' ? 'ARB_STORE_UNAVAILABLE' : 'ARB_REDIS_UNAVAILABLE';
          this.o.log.warn({ code, err: errorMessage(err) }, `${code}: waiting for ${what}; nothing is acknowledged meanwhile`);
        }
        await Promise.race([sleep(this.retry.next()), this.stopped]);
      }
    }
    return undefined;
  }
}
