/**
 * Trades come in from the durable stream trades:completed, in stream order, and only from there:
 * that order is the order replay uses after a restart, so applying the hot-path copy first
 * (which may arrive in another order, or never be persisted) would let the live state and the
 * rebuilt state drift apart. A blocking XREAD on its own connection wakes as soon as the
 * execution service appends, so the stream costs well under a millisecond over the hot path;
 * the hot-path copy is used to notice a trade that never became durable (DurableWatch).
 *
 * Entries are accepted in the slow-track layout (`type` trade_completed, `data` JSON) or as a
 * bare `data` field. An entry that does not parse is handed on as malformed: it still moves the
 * cursor (once), is counted, and never stops the stream.
 */
import type { Redis } from 'ioredis';
import { errorMessage } from '../../core/errors.js';
import { TradeCompletedSchema, type TradeCompleted } from '../../core/messages.js';

export type TradeEntry =
  | { readonly streamId: string; readonly trade: TradeCompleted }
  | { readonly streamId: string; readonly trade: null; readonly error: string };

export function parseTradeEntry(streamId: string, fields: Readonly<Record<string, string>>): TradeEntry {
  if (fields.type !== undefined && fields.type !== 'trade_completed') {
    return { streamId, trade: null, error: `entry type ${JSON.stringify(fields.type.slice(0, 40))} is not trade_completed` };
  }
  if (fields.data === undefined) return { streamId, trade: null, error: 'entry has no data field' };
  let json: unknown;
  try {
    json = JSON.parse(fields.data);
  } catch {
    return { streamId, trade: null, error: 'data is not JSON' };
  }
  const parsed = TradeCompletedSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    return { streamId, trade: null, error: `data is not a TradeCompleted (${issues})` };
  }
  return { streamId, trade: parsed.data };
}

/** `[[id, [f1, v1, ...]], ...]` as XRANGE / XREAD return it, to parsed entries. */
export function toTradeEntries(raw: readonly [string, string[]][]): TradeEntry[] {
  return raw.map(([id, flat]) => parseTradeEntry(id, pairs(flat)));
}

export function pairs(flat: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}

export interface TradeIngestOptions {
  readonly streamKey: string;
  readonly batch: number;
  readonly blockMs: number;
  /** Wait after a Redis error before reading again. */
  readonly retryMs?: number;
  readonly onError?: (err: string) => void;
  /** Where to resume after a failed batch: the last entry the consumer really applied. */
  readonly appliedCursor?: () => string;
}

/** Reads trades:completed after a cursor, forever, handing each batch on in order. */
export class TradeIngest {
  private running = false;
  private loop: Promise<void> | null = null;
  readonly counters = { read_batches: 0, read_entries: 0, read_errors: 0, handler_errors: 0 };

  /** `reader` is a dedicated connection: a blocking XREAD holds it. */
  constructor(
    private readonly reader: Redis,
    private readonly options: Readonly<TradeIngestOptions>,
    private readonly onEntries: (entries: TradeEntry[]) => Promise<void>,
  ) {}

  start(afterId: string): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run(afterId);
  }

  async stop(): Promise<void> {
    this.running = false;
    // Unblocks a pending XREAD at once instead of waiting out its block time.
    this.reader.disconnect();
    await this.loop;
  }

  private async run(afterId: string): Promise<void> {
    let cursor = afterId;
    while (this.running) {
      let raw: [string, [string, string[]][]][] | null;
      try {
        raw = (await this.reader.xread('COUNT', this.options.batch, 'BLOCK', this.options.blockMs, 'STREAMS', this.options.streamKey, cursor)) as
          | [string, [string, string[]][]][]
          | null;
      } catch (err) {
        if (!this.running) return;
        this.counters.read_errors++;
        this.options.onError?.(errorMessage(err));
        await sleep(this.options.retryMs ?? 500);
        continue;
      }
      const entries = raw?.[0]?.[1] ?? [];
      if (entries.length === 0 || !this.running) continue;
      this.counters.read_batches++;
      this.counters.read_entries += entries.length;
      try {
        await this.onEntries(toTradeEntries(entries));
        cursor = entries[entries.length - 1]![0];
      } catch (err) {
        // Never let one bad batch stop the stream: read again from what was really applied.
        this.counters.handler_errors++;
        this.options.onError?.(errorMessage(err));
        cursor = this.options.appliedCursor?.() ?? entries[entries.length - 1]![0];
        await sleep(this.options.retryMs ?? 500);
      }
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
