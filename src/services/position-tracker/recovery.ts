/**
 * Rebuilding the tracker after a restart from the durable log alone: every trades:completed
 * entry in stream order, with each positions:settlements entry put back right after the trade
 * it was applied after. The result is the state the tracker had, exactly (same positions, same
 * position ids, same cash to the centi-cent), whatever the snapshot says.
 *
 * The committed cursor (positions:checkpoint) says how far the snapshot had got: changes after
 * it still need their side effects (positions:closed appends), changes before it already had
 * them. At the committed point, the rebuilt open positions are compared with the snapshot; a
 * difference means the cache was wrong (edited by hand, a partial write, a bug), and is counted
 * and logged while the streams win.
 */
import type { Redis } from 'ioredis';
import type { PositionChange, PositionSnapshot } from '../../core/positions/position-book.js';
import { parseSettlementFields, type SettlementRecord } from './settlement-record.js';
import { SnapshotStore, type CommittedState } from './snapshot-store.js';
import { compareStreamIds, STREAM_START } from './stream-ids.js';
import { TrackerLedger, type LedgerOptions } from './tracker-ledger.js';
import type { TrackerKeys } from './position-tracker-config.js';
import { pairs, toTradeEntries, type TradeEntry } from './trade-ingest.js';

export interface RecoveryOptions {
  readonly ledger: LedgerOptions;
  readonly keys: Pick<TrackerKeys, 'tradesCompleted' | 'settlements' | 'positionsOpen' | 'positionsClosed' | 'checkpoint'>;
  readonly batch: number;
}

export interface RecoveryResult {
  readonly ledger: TrackerLedger;
  readonly committed: CommittedState | null;
  /** Final states of positions that closed or settled after the committed cursor. */
  readonly closedSinceCommit: PositionSnapshot[];
  /** Ids of positions changed after the committed cursor (to publish). */
  readonly changedSinceCommit: ReadonlySet<string>;
  /** Open positions that differ between the snapshot and the rebuild at the committed point. */
  readonly mismatches: string[];
  /** Whether the committed point was met during replay (false: the log is shorter than the cache). */
  readonly committedPointSeen: boolean;
  readonly tradeEntries: number;
  readonly settlementEntries: number;
  readonly refusedFills: string[];
  /**
   * Entries were removed from trades:completed (trimmed or deleted): the rebuild then starts
   * from a shorter history than the one the positions came from, and cannot be exact.
   */
  readonly logTrimmed: boolean;
}

interface SettlementEntry {
  readonly streamId: string;
  readonly record: SettlementRecord | null;
}

export async function recover(redis: Redis, options: RecoveryOptions): Promise<RecoveryResult> {
  const store = new SnapshotStore(redis, options.keys, 1);
  const committed = await store.readCommitted();
  const ledger = new TrackerLedger(options.ledger);
  const settlements = await readSettlements(redis, options.keys.settlements, options.batch);
  const replay = new Replay(ledger, committed);
  replay.checkCommittedPoint();

  let next = 0;
  const applySettlementsUpTo = (tradeId: string | null) => {
    while (next < settlements.length) {
      const s = settlements[next]!;
      if (tradeId !== null && s.record !== null && compareStreamIds(s.record.after_trade_id, tradeId) >= 0) break;
      replay.settlement(s);
      next++;
    }
  };

  let cursor = STREAM_START;
  let tradeEntries = 0;
  for (;;) {
    const raw = (await redis.xrange(options.keys.tradesCompleted, `(${cursor}`, '+', 'COUNT', options.batch)) as [string, string[]][];
    if (raw.length === 0) break;
    for (const entry of toTradeEntries(raw)) {
      applySettlementsUpTo(entry.streamId);
      replay.trade(entry);
      tradeEntries++;
    }
    cursor = raw[raw.length - 1]![0];
  }
  applySettlementsUpTo(null);
  const logTrimmed = (await removedEntries(redis, options.keys.tradesCompleted)) > 0;

  return {
    ledger,
    committed,
    closedSinceCommit: replay.closedSinceCommit,
    changedSinceCommit: replay.changedSinceCommit,
    mismatches: replay.mismatches,
    committedPointSeen: replay.committedPointSeen,
    tradeEntries,
    settlementEntries: settlements.length,
    refusedFills: replay.refusedFills,
    logTrimmed,
  };
}

/** Applies log entries to the ledger and notes what happened after the committed point. */
class Replay {
  readonly closedSinceCommit: PositionSnapshot[] = [];
  readonly changedSinceCommit = new Set<string>();
  readonly mismatches: string[] = [];
  readonly refusedFills: string[] = [];
  committedPointSeen = false;

  constructor(
    private readonly ledger: TrackerLedger,
    private readonly committed: CommittedState | null,
  ) {}

  trade(entry: TradeEntry): void {
    if (entry.trade === null) this.ledger.skipMalformedTrade(entry.streamId);
    else {
      const result = this.ledger.applyTrade(entry.streamId, entry.trade);
      this.refusedFills.push(...result.refused);
      this.note(result.changes);
    }
    this.checkCommittedPoint();
  }

  settlement(entry: SettlementEntry): void {
    if (entry.record === null) this.ledger.skipMalformedSettlement(entry.streamId);
    else this.note(this.ledger.applySettlement(entry.streamId, entry.record));
    this.checkCommittedPoint();
  }

  /** At the committed point, the rebuilt open positions must equal the snapshot's. */
  checkCommittedPoint(): void {
    const c = this.committed;
    if (this.committedPointSeen) return;
    const at = c === null
      ? this.ledger.tradeCursor === STREAM_START && this.ledger.settlementCursor === STREAM_START
      : this.ledger.tradeCursor === c.tradeCursor && this.ledger.settlementCursor === c.settlementCursor;
    if (!at) return;
    this.committedPointSeen = true;
    if (c === null) return;
    const rebuilt = new Map(this.ledger.book.open().map((p) => [p.positionId, p]));
    for (const id of new Set([...rebuilt.keys(), ...c.open.keys()])) {
      if (!samePosition(rebuilt.get(id), c.open.get(id))) this.mismatches.push(id);
    }
  }

  private note(changes: readonly PositionChange[]): void {
    if (!this.committedPointSeen) return;
    for (const change of changes) {
      this.changedSinceCommit.add(change.position.positionId);
      if (change.position.state !== 'open') this.closedSinceCommit.push(change.position);
    }
  }
}

async function readSettlements(redis: Redis, key: string, batch: number): Promise<SettlementEntry[]> {
  const out: SettlementEntry[] = [];
  let cursor = STREAM_START;
  for (;;) {
    const raw = (await redis.xrange(key, `(${cursor}`, '+', 'COUNT', batch)) as [string, string[]][];
    if (raw.length === 0) return out;
    for (const [streamId, flat] of raw) out.push({ streamId, record: parseSettlementFields(pairs(flat)) });
    cursor = raw[raw.length - 1]![0];
  }
}

/** How many entries were ever removed from a stream (Redis 7: entries-added - length). */
async function removedEntries(redis: Redis, key: string): Promise<number> {
  let info: unknown[];
  try {
    info = (await redis.xinfo('STREAM', key)) as unknown[];
  } catch {
    return 0; // no such stream yet
  }
  const field = (name: string) => {
    const i = info.indexOf(name);
    return i >= 0 ? Number(info[i + 1]) : NaN;
  };
  const removed = field('entries-added') - field('length');
  return Number.isFinite(removed) ? removed : 0;
}

const COMPARED: readonly (keyof PositionSnapshot)[] = [
  'positionId', 'venue', 'marketId', 'side', 'gameId', 'sport', 'state', 'contracts', 'costCc', 'openFeesCc',
  'realisedCc', 'feesPaidCc', 'boughtContracts', 'boughtCostCc', 'openedUs', 'updatedUs',
];

export function samePosition(a: PositionSnapshot | undefined, b: PositionSnapshot | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return COMPARED.every((k) => a[k] === b[k]);
}
