/**
 * The Redis picture of the tracker: `positions:open` (hash position_id -> row), the
 * `positions:closed` stream (each closed or settled position appended once) and
 * `positions:checkpoint` (the last committed stream ids and bankroll totals).
 *
 * It is a cache: the truth is trades:completed plus positions:settlements. What makes it exact
 * is that each write is one MULTI holding both the position changes and the cursor of the log
 * entries they came from, so after a crash either both are there or neither is, and replay
 * appends to positions:closed only what comes after the committed cursor: never twice.
 */
import type { Redis } from 'ioredis';
import type { Position } from '../../core/messages.js';
import type { PositionSnapshot } from '../../core/positions/position-book.js';
import type { LedgerSummary } from './tracker-ledger.js';
import type { TrackerKeys } from './position-tracker-config.js';

/** One row: what readers show (Position) and the book's exact state (for audit and comparison). */
export interface PositionRow {
  readonly position: Position;
  readonly book: PositionSnapshot;
}

export interface CommitBatch {
  /** Open positions that changed (written). */
  readonly upserts: readonly PositionRow[];
  /** Positions that closed or settled: removed from the hash and appended to the stream. */
  readonly closed: readonly PositionRow[];
  readonly summary: LedgerSummary;
  readonly initialBankrollCc: number;
  readonly nowUs: number;
}

export interface CommittedState {
  readonly tradeCursor: string;
  readonly settlementCursor: string;
  /** The book state of every open position in the snapshot, by position id (bad rows skipped). */
  readonly open: ReadonlyMap<string, PositionSnapshot>;
  readonly badRows: number;
}

export class SnapshotStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Pick<TrackerKeys, 'positionsOpen' | 'positionsClosed' | 'checkpoint'>,
    private readonly closedMaxLen: number,
  ) {}

  /** Writes a batch of changes and its cursor atomically. */
  async commit(batch: CommitBatch): Promise<void> {
    const multi = this.redis.multi();
    if (batch.upserts.length > 0) multi.hset(this.keys.positionsOpen, rowsToHash(batch.upserts));
    this.appendClosed(multi, batch.closed);
    multi.hset(this.keys.checkpoint, checkpointFields(batch));
    await exec(multi);
  }

  /** Replaces the whole open hash (after recovery, or after a failed commit), atomically. */
  async replace(open: readonly PositionRow[], batch: Omit<CommitBatch, 'upserts'>): Promise<void> {
    const multi = this.redis.multi().del(this.keys.positionsOpen);
    if (open.length > 0) multi.hset(this.keys.positionsOpen, rowsToHash(open));
    this.appendClosed(multi, batch.closed);
    multi.hset(this.keys.checkpoint, checkpointFields(batch));
    await exec(multi);
  }

  /** Refreshes marks (unrealised P&L) of open rows; no cursor moves. */
  async writeMarks(rows: readonly PositionRow[]): Promise<void> {
    if (rows.length > 0) await this.redis.hset(this.keys.positionsOpen, rowsToHash(rows));
  }

  /** The committed cursor and snapshot, read together; null when nothing was ever committed. */
  async readCommitted(): Promise<CommittedState | null> {
    const result = await this.redis.multi().hgetall(this.keys.checkpoint).hgetall(this.keys.positionsOpen).exec();
    const checkpoint = (result?.[0]?.[1] ?? {}) as Record<string, string>;
    const rows = (result?.[1]?.[1] ?? {}) as Record<string, string>;
    if (checkpoint.trade_cursor === undefined || checkpoint.settlement_cursor === undefined) return null;
    const open = new Map<string, PositionSnapshot>();
    let badRows = 0;
    for (const [id, text] of Object.entries(rows)) {
      const book = parseRowBook(text);
      if (book === null || book.positionId !== id) badRows++;
      else open.set(id, book);
    }
    return { tradeCursor: checkpoint.trade_cursor, settlementCursor: checkpoint.settlement_cursor, open, badRows };
  }

  private appendClosed(multi: ReturnType<Redis['multi']>, closed: readonly PositionRow[]): void {
    for (const row of closed) {
      multi.hdel(this.keys.positionsOpen, row.book.positionId);
      const cap = this.closedMaxLen > 0 ? ['MAXLEN', '~', this.closedMaxLen] : [];
      multi.xadd(
        this.keys.positionsClosed, ...cap, '*',
        'position_id', row.book.positionId, 'state', row.book.state, 'ts', String(row.book.updatedUs),
        'data', JSON.stringify(row.position), 'book', JSON.stringify(row.book),
      );
    }
  }
}

function rowsToHash(rows: readonly PositionRow[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const row of rows) out[row.book.positionId] = JSON.stringify(row);
  return out;
}

function checkpointFields(batch: Omit<CommitBatch, 'upserts'>): Record<string, string> {
  const s = batch.summary;
  return {
    trade_cursor: s.tradeCursor,
    settlement_cursor: s.settlementCursor,
    initial_bankroll_cc: String(batch.initialBankrollCc),
    cash_cc: String(s.cashCc),
    realised_cc: String(s.realisedCc),
    open_basis_cc: String(s.openBasisCc),
    open_positions: String(s.openPositions),
    day: s.day,
    day_realised_cc: String(s.dayRealisedCc),
    trades_applied: String(s.tradesApplied),
    updated_ts: String(batch.nowUs),
  };
}

function parseRowBook(text: string): PositionSnapshot | null {
  try {
    const row = JSON.parse(text) as { book?: PositionSnapshot };
    return row.book && typeof row.book.positionId === 'string' ? row.book : null;
  } catch {
    return null;
  }
}

async function exec(multi: ReturnType<Redis['multi']>): Promise<void> {
  const result = await multi.exec();
  const failed = result?.find(([err]) => err !== null);
  if (result === null) throw new Error('snapshot transaction aborted');
  if (failed) throw failed[0]!;
}
