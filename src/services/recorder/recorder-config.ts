/**
 * The recorder's settings and the streams it records. RECORDER_KEY_PREFIX prefixes every stream
 * (tests share one Redis). DATABASE_URL is set by `arbees up` (embedded PGlite or the user's).
 */
import { SlowKey } from '../../core/slow-keys.js';
import { VENUES } from '../../core/topics.js';
import { defineVar, parse, type ConfigOf } from '../../runtime/config.js';
import { databaseUrlVar } from '../../runtime/database-config.js';
import type { RecordedStream } from './stream-group.js';

export const recorderConfigSpec = {
  databaseUrl: databaseUrlVar,
  keyPrefix: defineVar({ env: 'RECORDER_KEY_PREFIX', default: '', parse: parse.keyPrefix }),
  group: defineVar({ env: 'RECORDER_GROUP', default: 'recorder', parse: parse.string }),
  /** Entries read per stream per round; one transaction per round. */
  batch: defineVar({ env: 'RECORDER_BATCH', default: 2_000, parse: parse.int(1, 100_000) }),
  blockMs: defineVar({ env: 'RECORDER_BLOCK_MS', default: 250, parse: parse.int(10, 60_000) }),
  priceSampleMs: defineVar({ env: 'RECORDER_PRICE_SAMPLE_MS', default: 1_000, parse: parse.int(0, 3_600_000) }),
  stateSampleMs: defineVar({ env: 'RECORDER_STATE_SAMPLE_MS', default: 5_000, parse: parse.int(0, 3_600_000) }),
  markSampleMs: defineVar({ env: 'RECORDER_MARK_SAMPLE_MS', default: 10_000, parse: parse.int(0, 3_600_000) }),
  /** Durable streams keep this much recorded history in Redis (never less than the unrecorded part). */
  durableKeepMs: defineVar({ env: 'RECORDER_DURABLE_KEEP_MS', default: 7 * 86_400_000, parse: parse.int(0, 365 * 86_400_000) }),
  trimEveryMs: defineVar({ env: 'RECORDER_TRIM_EVERY_MS', default: 60_000, parse: parse.int(100, 86_400_000) }),
  /** Extra streams in the slow-track layout to record (comma list), e.g. a bench's own. */
  extraStreams: defineVar({ env: 'RECORDER_EXTRA_STREAMS', default: [] as string[], parse: parse.list }),
};

export type RecorderConfig = ConfigOf<typeof recorderConfigSpec>;

/**
 * Every stream with history in it. trades:completed is read but never trimmed here: the position
 * tracker and execution_service rebuild their state from all of it.
 */
export function recordedStreams(prefix: string, extra: readonly string[] = []): RecordedStream[] {
  const slow = (key: string): RecordedStream => ({ key: prefix + key, role: 'slow', durable: false });
  return [
    slow(SlowKey.tradesCompleted),
    { key: prefix + SlowKey.positionsClosed, role: 'positions_closed', durable: true },
    { key: prefix + SlowKey.positionsSettlements, role: 'settlements', durable: false },
    slow(SlowKey.signalsStream),
    slow(SlowKey.gameEvents),
    slow(SlowKey.mirrorStream('positions')),
    ...VENUES.map((v) => slow(SlowKey.pricesStream(v))),
    { key: prefix + SlowKey.healthAlerts, role: 'alerts', durable: false },
    { key: prefix + SlowKey.notifyLog, role: 'notifications', durable: false },
    ...extra.map(slow),
  ];
}
