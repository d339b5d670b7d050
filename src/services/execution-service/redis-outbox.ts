/**
 * Durable writes that survive a Redis outage: a write that cannot be made now is kept in order
 * (bounded) and retried, so a decision recorded while Redis blinks still reaches
 * `trades:completed`, its decision record and `audit:execution`. Entries are written in MULTIs
 * (several per transaction, never split), so a
 * trade's stream entry and its decision record are written together or not at all (a restart
 * can then never book a fill twice, nor lose one that was recorded). A full outbox drops the
 * oldest entry and says so.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import type { Logger } from 'pino';
import { errorMessage } from '../../core/errors.js';

const MAX_ENTRIES_PER_TX = 64;

export interface OutboxEntry {
  readonly what: string;
  write(tx: ChainableCommander): void;
}

/** XADD without trimming when maxLen is 0, else MAXLEN ~ maxLen. */
export function xadd(tx: ChainableCommander, stream: string, fields: readonly string[], maxLen = 0): void {
  if (maxLen > 0) tx.xadd(stream, 'MAXLEN', '~', maxLen, '*', ...fields);
  else tx.xadd(stream, '*', ...fields);
}

export class RedisOutbox {
  readonly #queue: OutboxEntry[] = [];
  #flushing: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  written = 0;
  dropped = 0;
  failures = 0;

  constructor(
    private readonly redis: Redis,
    private readonly log: Pick<Logger, 'warn'>,
    private readonly capacity = 100_000,
    private readonly retryMs = 250,
  ) {}

  append(entry: OutboxEntry): Promise<void> {
    this.#queue.push(entry);
    if (this.#queue.length > this.capacity) {
      const lost = this.#queue.shift()!;
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
    this.#flushing ??= this.#drain().finally(() => {
      this.#flushing = null;
    });
    return this.#flushing;
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      // Several entries per transaction: one round trip each kept the backlog growing under load.
      const batch = this.#queue.slice(0, MAX_ENTRIES_PER_TX);
      const entry = batch[0]!;
      try {
        const tx = this.redis.multi();
        for (const e of batch) e.write(tx);
        const results = await tx.exec();
        const failed = results?.find(([err]) => err !== null);
        if (failed) throw failed[0];
        if (results === null) throw new Error('transaction aborted');
      } catch (err) {
        this.failures++;
        if (this.failures % 20 === 1) {
          this.log.warn({ code: 'ARB_EXEC_RECORD_FAILED', err: errorMessage(err), what: entry.what, pending: this.#queue.length }, 'ARB_EXEC_RECORD_FAILED: write failed, retrying');
        }
        if (!this.#stopped) {
          this.#timer ??= setTimeout(() => {
            this.#timer = null;
            void this.flush();
          }, this.retryMs);
        }
        return;
      }
      this.#queue.splice(0, batch.length);
      this.written += batch.length;
    }
  }
}
