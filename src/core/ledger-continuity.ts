/**
 * Did Redis lose part of the durable ledger? Pure comparison of what a service saw of the ledger
 * the last time (a record it keeps outside Redis) with what Redis holds now: the epoch
 * (`ledger:epoch`, written once per ledger) and, per durable stream, the last id ever generated
 * and the number of entries ever added (XINFO STREAM). Trimming moves neither of them, so only a
 * Redis that went back in time (restarted empty, FLUSHALL, failover to a stale replica, an AOF
 * that lost its last second) makes them smaller or the epoch vanish.
 *
 * No I/O here: src/runtime/ledger-guard.ts reads Redis and the record and acts on the verdict.
 */
import { compareStreamIds, STREAM_START } from './stream-ids.js';

/** What one durable stream looked like (XINFO STREAM; a missing stream is all zero). */
export interface StreamMark {
  /** `last-generated-id`: never goes back while the data is kept, whatever is trimmed. */
  readonly lastId: string;
  /** `entries-added` (Redis 7): every entry ever appended, trimmed or not. */
  readonly entriesAdded: number;
  readonly length: number;
}

export type EpochOrigin = 'fresh' | 'adopted' | 'confirmed' | 'restored';

/** The `ledger:epoch` hash: one id per ledger, replaced only when an operator accepts a new one. */
export interface LedgerEpoch {
  readonly id: string;
  /** Redis TIME (microseconds) when it was written. */
  readonly createdUs: number;
  readonly origin: EpochOrigin;
  readonly note: string;
}

/** A service's own record of the ledger, kept in its data dir (never in Redis). */
export interface LedgerRecord {
  readonly epoch: string;
  /** The epoch key it was compared with (`<key prefix>ledger:epoch`), for `arbees ledger status`. */
  readonly epochKey?: string;
  /** Redis TIME (microseconds) of the check that wrote it. */
  readonly savedUs: number;
  readonly streams: Readonly<Record<string, StreamMark>>;
}

export type LedgerVerdict =
  /** Nothing anywhere: a new ledger starts (an epoch is created). */
  | { kind: 'fresh' }
  /** No record of ours but a ledger in Redis (first start here, or an upgrade): taken as it is. */
  | { kind: 'adopt' }
  /** Same epoch, no stream behind what we saw. */
  | { kind: 'intact' }
  /** An operator confirmed or restored the ledger after our record: take it as it is now. */
  | { kind: 'accepted'; epoch: LedgerEpoch }
  /** Redis lost data: nothing may be rebuilt from it until an operator confirms. */
  | { kind: 'lost'; problems: readonly string[] };

export const EMPTY_MARK: StreamMark = Object.freeze({ lastId: STREAM_START, entriesAdded: 0, length: 0 });

/**
 * The verdict. `extraProblems` are a service's own consistency findings (e.g. the tracker's
 * checkpoint ahead of the stream it was taken from): they count when the service has no record
 * of its own (a new data dir on a stale Redis). With a record they add nothing the streams' ends
 * do not already show (a lost AOF tail or a stale replica keeps a prefix of the writes, so the
 * checkpoint cannot outrun the stream), and after a confirmed loss under a running service they
 * would halt it again for the loss already accepted.
 */
export function judgeLedger(
  record: LedgerRecord | null,
  epoch: LedgerEpoch | null,
  streams: Readonly<Record<string, StreamMark>>,
  extraProblems: readonly string[] = [],
): LedgerVerdict {
  if (record !== null && epoch !== null && epoch.id !== record.epoch && acceptedAfter(epoch, record)) return { kind: 'accepted', epoch };
  const problems = record === null ? [...extraProblems] : [];
  if (record !== null) {
    if (epoch === null) {
      problems.unshift(`ledger:epoch is gone (this service last saw epoch ${record.epoch}): Redis came back empty or was flushed`);
    } else if (epoch.id !== record.epoch) {
      problems.unshift(`the ledger epoch changed from ${record.epoch} to ${epoch.id} (${epoch.origin}) without an operator's confirmation: a different or older Redis`);
    }
    for (const [key, seen] of Object.entries(record.streams)) problems.push(...streamBehind(key, seen, streams[key] ?? EMPTY_MARK));
  }
  if (problems.length > 0) return { kind: 'lost', problems };
  if (record !== null) return { kind: 'intact' };
  if (epoch !== null) return { kind: 'adopt' };
  return Object.values(streams).every((m) => m.entriesAdded === 0 && m.length === 0) ? { kind: 'fresh' } : { kind: 'adopt' };
}

/** Whether a stream holds less than we saw: its last generated id or its count went back. */
export function streamBehind(key: string, seen: StreamMark, now: StreamMark): string[] {
  const out: string[] = [];
  if (compareStreamIds(now.lastId, seen.lastId) < 0) {
    out.push(`${key} ends at ${now.lastId} but this service saw it reach ${seen.lastId} (${seen.entriesAdded} entries ever added, ${now.entriesAdded} now)`);
  } else if (now.entriesAdded < seen.entriesAdded) {
    out.push(`${key} has had ${now.entriesAdded} entries added but this service saw ${seen.entriesAdded}`);
  }
  return out;
}

/** A cursor a service committed (e.g. positions:checkpoint) that lies beyond its stream's end. */
export function cursorAhead(what: string, cursor: string, key: string, mark: StreamMark): string[] {
  return cursor !== STREAM_START && compareStreamIds(cursor, mark.lastId) > 0
    ? [`${what} is at ${cursor} but ${key} ends at ${mark.lastId}: the stream lost entries the snapshot was built from`]
    : [];
}

function acceptedAfter(epoch: LedgerEpoch, record: LedgerRecord): boolean {
  return (epoch.origin === 'confirmed' || epoch.origin === 'restored') && epoch.createdUs > record.savedUs;
}

/**
 * How a ledger halt reads in `control:kill_switch`: `arbees ledger confirm` clears the switch only
 * when it holds a value starting with this (an operator's own halt stays on).
 */
export const LEDGER_HALT_PREFIX = 'ledger: ';
