/**
 * At-most-once across restarts. Before anything is sent, a signal or exit id is claimed in Redis
 * with SET NX (and added to the in-flight set in the same script), so a re-delivered or
 * duplicate signal, in this process or in a restarted one, finds the claim and is not executed
 * again. An accepted decision is claimed with its plan (so the claim is also the write-ahead
 * save, before the orders go out); the record later carries the outcome; finished records expire after `ttlS`, unfinished ones never do.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import { LedgerFencedError } from '../../core/errors.js';
import type { ExecutionKeys } from './execution-service-config.js';
import type { SourceKind, TradeRecord } from './execution-types.js';

/** KEYS[3], when given, is the fence (the ledger epoch): no claim, and -1, while it is gone. */
const CLAIM_SCRIPT = `
if KEYS[3] and redis.call('EXISTS', KEYS[3]) == 0 then return -1 end
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('SADD', KEYS[2], ARGV[2])
  return 1
end
return 0`;

export type ClaimResult = { readonly claimed: true } | { readonly claimed: false; readonly existing: TradeRecord | null };

export class IdempotencyStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: ExecutionKeys,
    private readonly ttlS: number,
    /**
     * Claims only while this key exists (the ledger epoch): a Redis that came back empty under a
     * running service holds no claim of what it decided before, so nothing may be decided on it
     * until the ledger guard has halted or an operator has restored the ledger. null: no fence.
     */
    private readonly fenceKey: string | null = null,
  ) {}

  recordKey(source: SourceKind, id: string): string {
    return `${this.keys.record}${source}:${id}`;
  }

  private member(source: SourceKind, id: string): string {
    return `${source}:${id}`;
  }

  /**
   * Claims the id; when it was claimed before, returns what is known of that decision. Throws
   * LedgerFencedError when the fence key is gone (nothing claimed).
   */
  async claim(record: TradeRecord): Promise<ClaimResult> {
    const key = this.recordKey(record.source, record.sourceId);
    const member = this.member(record.source, record.sourceId);
    const json = JSON.stringify(record);
    const ok =
      this.fenceKey === null
        ? await this.redis.eval(CLAIM_SCRIPT, 2, key, this.keys.inFlight, json, member)
        : await this.redis.eval(CLAIM_SCRIPT, 3, key, this.keys.inFlight, this.fenceKey, json, member);
    if (ok === -1) throw new LedgerFencedError(`claim of ${member}`, this.fenceKey!);
    if (ok === 1) return { claimed: true };
    return { claimed: false, existing: await this.get(record.source, record.sourceId) };
  }

  /** Saves the record now (before orders go out); a finished one leaves the in-flight set and expires. */
  async save(record: TradeRecord): Promise<void> {
    const tx = this.redis.multi();
    this.writeTo(tx, record);
    const results = await tx.exec();
    const failed = results?.find(([err]) => err !== null);
    if (failed) throw failed[0];
  }

  writeTo(tx: ChainableCommander, record: TradeRecord): void {
    this.snapshotWriter(record)(tx);
  }

  /** The record as it is NOW, to be written later inside someone else's MULTI (the trade's stream entry). */
  snapshotWriter(record: TradeRecord): (tx: ChainableCommander) => void {
    const key = this.recordKey(record.source, record.sourceId);
    const m = this.member(record.source, record.sourceId);
    const json = JSON.stringify(record);
    const done = record.state === 'done';
    return (tx) => {
      if (done) tx.set(key, json, 'EX', this.ttlS).srem(this.keys.inFlight, m);
      else tx.set(key, json).sadd(this.keys.inFlight, m);
    };
  }

  async get(source: SourceKind, id: string): Promise<TradeRecord | null> {
    const raw = await this.redis.get(this.recordKey(source, id));
    return parseRecord(raw);
  }

  /** Every decision whose outcome is not final (left by a crash, or waiting for reconciliation). */
  async inFlight(): Promise<{ member: string; record: TradeRecord | null }[]> {
    const members = await this.redis.smembers(this.keys.inFlight);
    const out: { member: string; record: TradeRecord | null }[] = [];
    for (const member of members) {
      const colon = member.indexOf(':');
      const source = member.slice(0, colon) as SourceKind;
      out.push({ member, record: await this.get(source, member.slice(colon + 1)) });
    }
    return out;
  }

  async forgetInFlight(member: string): Promise<void> {
    await this.redis.srem(this.keys.inFlight, member);
  }
}

function parseRecord(raw: string | null): TradeRecord | null {
  if (raw === null) return null;
  try {
    const v = JSON.parse(raw) as TradeRecord;
    return typeof v === 'object' && v !== null && typeof v.sourceId === 'string' && Array.isArray(v.legs) ? v : null;
  } catch {
    return null;
  }
}
