/**
 * Checks what the listener wrote against what the publisher sent: every seq of every topic must
 * be in its stream exactly once and in order, and each entry's publish-to-stream latency goes
 * into an HDR histogram. The "landed" time is the stream id's millisecond, stamped by Redis when
 * it appended the entry (1 ms resolution; the midpoint of the millisecond is used, so the
 * error is within +-0.5 ms), minus the envelope's publish `ts` (microseconds, same host clock).
 */
import type { Redis } from 'ioredis';
import { LatencyHistogram, type LatencySummary } from '../common/latency-histogram.js';

export interface AuditResult {
  expected: number;
  found: number;
  missing: number;
  duplicates: number;
  outOfOrder: number;
  latencyUs: LatencySummary;
  /** Stream-id time of the last entry of this case, epoch ms. */
  lastLandedMs: number;
}

const PAGE = 10_000;

export async function auditStreams(
  redis: Redis,
  streams: readonly string[],
  perTopic: Readonly<Record<string, number>>,
): Promise<AuditResult> {
  const seen = new Map<string, Uint8Array>();
  const lastSeq = new Map<string, number>();
  for (const [topic, n] of Object.entries(perTopic)) seen.set(topic, new Uint8Array(n + 1));
  const histogram = new LatencyHistogram();
  let found = 0;
  let duplicates = 0;
  let outOfOrder = 0;
  let lastLandedMs = 0;
  for (const stream of streams) {
    let start = '-';
    for (;;) {
      const page = await redis.xrange(stream, start, '+', 'COUNT', PAGE);
      for (const [id, pairs] of page) {
        const fields = toRecord(pairs);
        const marks = seen.get(fields.topic ?? '');
        if (marks === undefined) continue;
        const seq = Number(fields.seq);
        if (!Number.isInteger(seq) || seq < 1 || seq >= marks.length) continue;
        if (marks[seq] === 1) {
          duplicates++;
          continue;
        }
        marks[seq] = 1;
        found++;
        if (seq < (lastSeq.get(fields.topic!) ?? 0)) outOfOrder++;
        lastSeq.set(fields.topic!, seq);
        const landedMs = Number(id.slice(0, id.indexOf('-')));
        if (landedMs > lastLandedMs) lastLandedMs = landedMs;
        histogram.record(landedMs * 1000 + 500 - Number(fields.ts));
      }
      if (page.length < PAGE) break;
      start = `(${page.at(-1)![0]}`;
    }
  }
  const expected = Object.values(perTopic).reduce((a, b) => a + b, 0);
  return { expected, found, missing: expected - found, duplicates, outOfOrder, latencyUs: histogram.summary(), lastLandedMs };
}

function toRecord(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < pairs.length; i += 2) out[pairs[i]!] = pairs[i + 1]!;
  return out;
}
