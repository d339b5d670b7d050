/**
 * The recorder's side of the Redis streams: one consumer group over every recorded stream
 * (at-least-once: an entry stays pending until XACK, which comes only after the rows are
 * committed), its own pending entries first after a restart, gaps (entries trimmed before the
 * group read them) detected from XINFO, and durable streams trimmed only below what is committed.
 * The group's position lives in Redis only, so a restarted recorder is exactly where it stopped.
 */
import type { Redis } from 'ioredis';
import { compareStreamIds } from '../../core/stream-ids.js';
import type { StreamEntry, StreamRole } from './entry-decoder.js';

export interface RecordedStream {
  readonly key: string;
  readonly role: StreamRole;
  /** Owned by its writer and kept until recorded: trimmed here, below the committed entries only. */
  readonly durable: boolean;
}

export interface StreamGap {
  readonly stream: string;
  /** Last entry the group had read before the gap. */
  readonly afterId: string;
  /** First entry still in the stream. */
  readonly resumeId: string | null;
  /** Entries lost, when Redis can tell (entries-added minus entries-read minus what is left). */
  readonly lost: number | null;
  /** The stream and the group were gone: Redis restarted empty or was flushed. */
  readonly vanished?: boolean;
}

type RawRead = [string, [string, string[] | null][]][] | null;

export class StreamGroup {
  /** Streams whose group vanished (a Redis that restarted empty or was flushed): reported once as a gap. */
  private readonly vanished = new Set<string>();

  constructor(
    private readonly redis: Redis,
    readonly streams: readonly RecordedStream[],
    private readonly group: string,
    private readonly consumer: string,
  ) {}

  /** Creates the group on every stream (from the start of the stream) and learns where it stands. */
  async ensure(): Promise<void> {
    for (const s of this.streams) {
      try {
        await this.redis.xgroup('CREATE', s.key, this.group, '0', 'MKSTREAM', 'ENTRIESREAD', 0);
      } catch (err) {
        if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
      }
    }
  }

  private async recreate(): Promise<void> {
    const groups = await Promise.all(this.streams.map((s) => this.redis.xinfo('GROUPS', s.key).catch(() => [])));
    this.streams.forEach((s, i) => {
      const names = (groups[i] as unknown[][]).map(pairs).map((g) => g.name);
      if (!names.includes(this.group)) this.vanished.add(s.key);
    });
    await this.ensure();
  }

  /** This consumer's entries delivered before a crash and never acknowledged (oldest first). */
  readPending(count: number): Promise<StreamEntry[]> {
    return this.read(count, null, '0');
  }

  readNew(count: number, blockMs: number): Promise<StreamEntry[]> {
    return this.read(count, blockMs, '>');
  }

  private async read(count: number, blockMs: number | null, from: string): Promise<StreamEntry[]> {
    const keys = this.streams.map((s) => s.key);
    const args: (string | number)[] = ['GROUP', this.group, this.consumer, 'COUNT', count];
    if (blockMs !== null) args.push('BLOCK', blockMs);
    args.push('STREAMS', ...keys, ...keys.map(() => from));
    let raw: RawRead;
    try {
      raw = (await this.redis.call('XREADGROUP', ...args)) as RawRead;
    } catch (err) {
      if (!String((err as Error).message).includes('NOGROUP')) throw err;
      // Redis lost the group, so it lost the streams too: start over on what it holds now (reading
      // everything written since), and say so as a gap: what was unread before is gone.
      await this.recreate();
      return [];
    }
    const out: StreamEntry[] = [];
    for (const [key, entries] of raw ?? []) {
      const stream = this.streams.find((s) => s.key === key);
      if (stream === undefined) continue;
      for (const [id, flat] of entries) {
        // A pending entry trimmed away before it was recorded comes back with no fields.
        out.push({ stream: key, role: stream.role, id, fields: flat === null ? DELETED : record(flat) });
      }
    }
    return out;
  }

  /**
   * Streams trimmed past what this group had read, since the last check. Redis counts entries
   * added to the stream and entries read by the group; when the oldest entry left is newer than
   * the group's last delivered one, the difference minus what is left was trimmed unread. The
   * group's read counter is then moved over the gap (XGROUP SETID ... ENTRIESREAD), so each gap
   * is reported once, also across restarts.
   */
  async findGaps(): Promise<StreamGap[]> {
    const gaps: StreamGap[] = [...this.vanished].map((stream) => ({ stream, afterId: '0-0', resumeId: null, lost: null, vanished: true }));
    this.vanished.clear();
    const pipeline = this.redis.pipeline();
    for (const s of this.streams) {
      pipeline.xinfo('STREAM', s.key);
      pipeline.xinfo('GROUPS', s.key);
    }
    const results = (await pipeline.exec()) ?? [];
    for (const [i, s] of this.streams.entries()) {
      const [infoErr, infoRaw] = results[2 * i] ?? [null, null];
      const [groupsErr, groupsRaw] = results[2 * i + 1] ?? [null, null];
      if (infoErr || groupsErr || !Array.isArray(infoRaw) || !Array.isArray(groupsRaw)) continue;
      const info = pairs(infoRaw as unknown[]);
      const group = (groupsRaw as unknown[][]).map(pairs).find((g) => g.name === this.group);
      if (group === undefined) continue;
      const after = String(group['last-delivered-id']);
      const first = Array.isArray(info['first-entry']) ? String((info['first-entry'] as unknown[])[0]) : null;
      const length = Number(info.length);
      // Trimming takes the oldest first: with our last entry still there, nothing unread was lost.
      if (first !== null && compareStreamIds(first, after) <= 0) continue;
      const added = Number(info['entries-added']);
      const read = Number(group['entries-read']);
      if (!Number.isFinite(added) || !Number.isFinite(read)) continue;
      const lost = added - read - length;
      if (lost <= 0) continue;
      gaps.push({ stream: s.key, afterId: after, resumeId: first, lost });
      await this.redis.xgroup('SETID', s.key, this.group, after, 'ENTRIESREAD', added - length);
    }
    return gaps;
  }

  async ack(entries: readonly StreamEntry[]): Promise<void> {
    const byStream = new Map<string, string[]>();
    for (const e of entries) {
      const ids = byStream.get(e.stream) ?? [];
      ids.push(e.id);
      byStream.set(e.stream, ids);
    }
    const pipeline = this.redis.pipeline();
    for (const [stream, ids] of byStream) pipeline.xack(stream, this.group, ...ids);
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err !== null);
    if (failed) throw failed[0];
  }

  /**
   * Trims each durable stream to entries newer than `keepMs`, never past an entry the group has
   * not acknowledged (the oldest pending one, or the last delivered when nothing is pending).
   */
  async trimDurable(keepMs: number, nowMs = Date.now()): Promise<number> {
    let trimmed = 0;
    for (const s of this.streams.filter((x) => x.durable)) {
      const summary = (await this.redis.xpending(s.key, this.group)) as [number, string | null, string | null, unknown];
      const groups = ((await this.redis.xinfo('GROUPS', s.key)) as unknown[][]).map(pairs);
      const delivered = groups.find((g) => g.name === this.group)?.['last-delivered-id'];
      if (typeof delivered !== 'string') continue;
      const committedBound = summary[0] > 0 && summary[1] !== null ? summary[1] : nextId(delivered);
      const ageBound = `${Math.max(0, nowMs - keepMs)}-0`;
      const bound = compareStreamIds(committedBound, ageBound) < 0 ? committedBound : ageBound;
      trimmed += Number(await this.redis.xtrim(s.key, 'MINID', '~', bound));
    }
    return trimmed;
  }
}

const DELETED: Readonly<Record<string, string>> = Object.freeze({});

function record(flat: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}

/** XINFO replies are flat `[name, value, ...]` lists. */
function pairs(flat: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}

/** The smallest id after `id` (MINID keeps entries >= the bound, so the delivered one goes too). */
function nextId(id: string): string {
  const [ms, seq] = id.split('-');
  return `${ms}-${BigInt(seq ?? '0') + 1n}`;
}
