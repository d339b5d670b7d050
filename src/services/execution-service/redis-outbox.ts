/**
 * Durable writes that survive a Redis outage: a write that cannot be made now is kept in order
 * (bounded) and retried, so a decision recorded while Redis blinks still reaches
 * `trades:completed`, its decision record and `audit:execution`. Entries are written in MULTIs
 * (several per transaction, never split), so a
 * trade's stream entry and its decision record are written together or not at all (a restart
 * can then never book a fill twice, nor lose one that was recorded). A full outbox drops the
 * oldest entry and says so.
 *
 * A write whose reply never came (a stalled Redis: the command timed out on our side but sat in
 * the server's socket buffer) may still be applied when Redis resumes. Resending it blindly booked
 * trades twice (chaos run: 100 repeated trade ids after a 20 s stall). So every transaction also
 * sets a marker key to its batch id, and after a write of unknown outcome the next attempt first
 * reads the marker: the batch is dropped as written if it is there, and sent again only if not.
 * Redis runs one connection's commands in order, so once that read answers, the earlier
 * transaction has run or never will (a timed-out command is not replayed on reconnect).
 *
 * With a fence key (the ledger epoch), each batch goes in one script that first checks the key
 * exists: a Redis that restarted empty or was flushed under us takes nothing (a chaos run found a
 * trade record written into the emptied trades:completed before the ledger guard halted us, which
 * made `arbees ledger restore` refuse). The batch waits, retried, until the epoch is back
 * (restored or confirmed by an operator), and then goes after whatever the restore put back.
 */
import { randomBytes } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';
import type { Logger } from 'pino';
import { errorMessage, LedgerFencedError } from '../../core/errors.js';
import { recordCommands, FENCED_BATCH_LUA, type RedisCommand } from '../../runtime/ledger-fence.js';

const MAX_ENTRIES_PER_TX = 64;
const FENCE_QUIET_MS = 5_000;
/** The marker outlives any outage worth waiting out; it is one small key per process. */
const MARKER_TTL_MS = 86_400_000;

export interface OutboxEntry {
  readonly what: string;
  write(tx: ChainableCommander): void;
}

/** XADD without trimming when maxLen is 0, else MAXLEN ~ maxLen. */
export function xadd(tx: ChainableCommander, stream: string, fields: readonly string[], maxLen = 0): void {
  if (maxLen > 0) tx.xadd(stream, 'MAXLEN', '~', maxLen, '*', ...fields);
  else tx.xadd(stream, '*', ...fields);
}

export interface RedisOutboxOptions {
  /** Where each transaction leaves its batch id (one key per process and instance). */
  markerKey: string;
  /** Entries held while Redis is away; beyond it the oldest are dropped and counted. */
  capacity?: number;
  /** Wait before a failed batch is tried again. */
  retryMs?: number;
  /** Written only while this key exists (the ledger epoch); null or absent: no fence. */
  fenceKey?: string | null;
}

export class RedisOutbox {
  readonly #queue: OutboxEntry[] = [];
  #flushing: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  /** The batch whose last write got no answer: [id, entries in it]. */
  #unsure: [string, number] | null = null;
  readonly #bootId = randomBytes(4).toString('hex');
  /** Since when every write has been fenced (null: the last one went through). */
  #fencedSinceMs: number | null = null;
  #batches = 0;
  written = 0;
  dropped = 0;
  failures = 0;
  /** Batches found written after their reply was lost (not sent again). */
  confirmedAfterTimeout = 0;

  private readonly markerKey: string;
  private readonly capacity: number;
  private readonly retryMs: number;
  private readonly fenceKey: string | null;

  constructor(
    private readonly redis: Redis,
    private readonly log: Pick<Logger, 'warn'>,
    options: RedisOutboxOptions,
  ) {
    this.markerKey = options.markerKey;
    this.capacity = options.capacity ?? 100_000;
    this.retryMs = options.retryMs ?? 250;
    this.fenceKey = options.fenceKey ?? null;
  }

  append(entry: OutboxEntry): Promise<void> {
    this.#queue.push(entry);
    if (this.#queue.length > this.capacity) {
      const lost = this.#queue.shift()!;
      if (this.#unsure !== null) this.#unsure[1] = Math.max(0, this.#unsure[1] - 1); // it was the unsure batch's head
      this.dropped++;
      this.log.warn({ code: 'ARB_EXEC_RECORD_FAILED', dropped: this.dropped, what: lost.what }, 'ARB_EXEC_RECORD_FAILED: outbox full, oldest record dropped');
    }
    return this.flush();
  }

  get pending(): number {
    return this.#queue.length;
  }

  /** Writes everything queued; resolves when the queue is empty or a write failed (retried later). */
  flush(): Promise<void> {
    this.#flushing ??= this.#drain();
    return this.#flushing;
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /**
   * Clears #flushing in the same step as it finds the queue empty: clearing it in a later
   * promise hop left a window in which an append joined a drain that had already ended, and its
   * entry waited for the next append (10 s for a rejection's trade record in the tests).
   */
  async #drain(): Promise<void> {
    // After this turn's other work: every entry appended meanwhile (a decision appends its audit
    // steps and its trade within one turn) joins one transaction, one write instead of several.
    // It also lets flush() store this drain before the finally below can clear it.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      while (this.#queue.length > 0) {
        if (this.#unsure !== null && !(await this.#settleUnsure())) return;
        // Several entries per transaction: one round trip each kept the backlog growing under load.
        const batch = this.#queue.slice(0, MAX_ENTRIES_PER_TX);
        const batchId = `${this.#bootId}-${++this.#batches}`;
        try {
          if (this.fenceKey === null) await this.#writeTx(batch, batchId);
          else await this.#writeFenced(batch, batchId, this.fenceKey);
        } catch (err) {
          // Redis answered with an error: nothing to wonder about. No answer: it may still run.
          if (!isReplyError(err)) this.#unsure = [batchId, batch.length];
          this.#failed(err, batch[0]!.what);
          return;
        }
        this.#done(batch.length);
      }
    } finally {
      this.#flushing = null;
    }
  }

  async #writeTx(batch: readonly OutboxEntry[], batchId: string): Promise<void> {
    const tx = this.redis.multi();
    for (const e of batch) e.write(tx);
    tx.set(this.markerKey, batchId, 'PX', MARKER_TTL_MS);
    const results = await tx.exec();
    const failed = results?.find(([err]) => err !== null);
    if (failed) throw failed[0];
    if (results === null) throw new Error('transaction aborted');
  }

  /** The same commands in one script that runs them only while the fence key exists. */
  async #writeFenced(batch: readonly OutboxEntry[], batchId: string, fenceKey: string): Promise<void> {
    const commands: RedisCommand[] = [];
    for (const e of batch) e.write(recordCommands(commands));
    commands.push(['set', this.markerKey, batchId, 'PX', String(MARKER_TTL_MS)]);
    const args: string[] = [];
    for (const c of commands) args.push(String(c.length), ...c);
    const reply = await this.redis.eval(FENCED_BATCH_LUA, 1, fenceKey, ...args);
    // A refusal is an answer: nothing ran, the batch is known not to be there (not "unsure").
    if (reply !== 1) throw new LedgerFencedError(`outbox batch (${batch[0]!.what})`, fenceKey);
  }

  /** True when the batch of unknown outcome is settled (found written, or known not to be). */
  async #settleUnsure(): Promise<boolean> {
    const [batchId, size] = this.#unsure!;
    let marker: string | null;
    try {
      marker = await this.redis.get(this.markerKey);
    } catch (err) {
      this.#failed(err, 'outbox marker');
      return false;
    }
    this.#unsure = null;
    if (marker === batchId) {
      this.confirmedAfterTimeout++;
      this.#done(size);
    }
    return true;
  }

  #done(size: number): void {
    this.#fencedSinceMs = null;
    this.#queue.splice(0, size);
    this.written += size;
  }

  #failed(err: unknown, what: string): void {
    this.failures++;
    if (this.#quietFence(err)) {
      this.#retryLater();
      return;
    }
    if (this.failures % 20 === 1) {
      this.log.warn({ code: 'ARB_EXEC_RECORD_FAILED', err: errorMessage(err), what, pending: this.#queue.length }, 'ARB_EXEC_RECORD_FAILED: write failed, retrying');
    }
    this.#retryLater();
  }

  /**
   * A fence that lasts under FENCE_QUIET_MS is not news: on a new Redis the first records (the
   * kill switch's audit at start) come a moment before the ledger guard writes the epoch.
   */
  #quietFence(err: unknown): boolean {
    if (!(err instanceof LedgerFencedError)) return false;
    this.#fencedSinceMs ??= Date.now();
    return Date.now() - this.#fencedSinceMs < FENCE_QUIET_MS;
  }

  #retryLater(): void {
    if (!this.#stopped) {
      this.#timer ??= setTimeout(() => {
        this.#timer = null;
        void this.flush();
      }, this.retryMs);
    }
  }
}

/** Redis answered (with an error, or a fenced script's refusal): the batch is known not to be there. */
const isReplyError = (err: unknown): boolean => err instanceof LedgerFencedError || (err instanceof Error && err.name === 'ReplyError');
