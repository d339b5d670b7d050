/**
 * The recorder's Postgres history beside the Redis ledger, for `arbees ledger status`: the trades
 * table holds every trades:completed entry the recorder committed, with its stream id. When it
 * holds trades past the end of the stream (or more than the stream ever had), Redis lost them
 * and Postgres still has them. Read only; nothing is restored (see the README).
 */
import { compareStreamIds, isStreamId } from '../core/stream-ids.js';
import type { StreamMark } from '../core/ledger-continuity.js';
import { errorMessage } from '../core/errors.js';
import { openPool } from '../store/pg-pool.js';
import { runningUpPostgresUrl } from './running-postgres.js';

export interface HistoryCheck {
  readonly lines: string[];
  /** Postgres holds trades the stream no longer has. */
  readonly lost: boolean;
}

/** DATABASE_URL, else the Postgres of a running `arbees up` in the data dir; null: none to ask. */
export function historyUrl(env: NodeJS.ProcessEnv, dataDir: string): string | null {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  return runningUpPostgresUrl(dataDir);
}

export async function checkHistory(url: string | null, trades: StreamMark, streamKey: string): Promise<HistoryCheck> {
  if (url === null) return { lines: ['postgres      not checked (DATABASE_URL unset, and no running arbees up with a Postgres)'], lost: false };
  const pool = openPool(url, { max: 1, connectTimeoutMs: 2_000 });
  try {
    const { rows } = await pool.query<{ n: string; last: string | null }>(
      `SELECT count(*)::text AS n,
              (SELECT stream_id FROM trades ORDER BY split_part(stream_id, '-', 1)::numeric DESC, split_part(stream_id, '-', 2)::numeric DESC LIMIT 1) AS last
         FROM trades`,
    );
    const n = Number(rows[0]?.n ?? 0);
    const last = rows[0]?.last ?? null;
    const lines = [`postgres      ${n} trades recorded${last === null ? '' : `, the last at stream id ${last}`}`];
    const beyond = last !== null && isStreamId(last) && compareStreamIds(last, trades.lastId) > 0;
    const more = n > trades.entriesAdded;
    if (beyond || more) {
      lines.push(
        `              WARNING: Postgres holds trades ${streamKey} no longer has (${beyond ? `up to ${last}, the stream ends at ${trades.lastId}` : `${n} recorded, ${trades.entriesAdded} ever added`}): ` +
          'Redis lost them. Restoring them into Redis is not automated yet: reconcile from the trades and fills tables',
      );
    }
    return { lines, lost: beyond || more };
  } catch (err) {
    return { lines: [`postgres      not readable (${errorMessage(err).slice(0, 160)})`], lost: false };
  } finally {
    await pool.end().catch(() => {});
  }
}
