/**
 * The api's audit trail, stream `audit:api`: one entry per control request (including refused
 * ones), with who asked (token holder or not, address, user agent), what, when and the result.
 */
import type { Redis } from 'ioredis';
import type { AuditEntryView } from '../../core/api-protocol.js';
import { SlowKey } from '../../core/slow-keys.js';

export interface AuditRecord {
  who: string;
  action: string;
  params: unknown;
  result: 'ok' | 'refused' | 'unauthorized' | 'rate_limited' | 'invalid' | 'failed';
  detail: string;
}

export class ApiAudit {
  failures = 0;

  constructor(
    private readonly redis: Redis,
    private readonly maxLen: number,
  ) {}

  /** Appends one entry; returns its stream id, or null when Redis refused (counted). */
  async record(entry: AuditRecord): Promise<string | null> {
    try {
      return await this.redis.xadd(
        SlowKey.auditApi, 'MAXLEN', '~', this.maxLen, '*',
        'ts', String(Date.now()), 'who', entry.who, 'action', entry.action,
        'params', JSON.stringify(entry.params ?? null), 'result', entry.result, 'detail', entry.detail,
      );
    } catch {
      this.failures++;
      return null;
    }
  }

  async recent(limit: number): Promise<AuditEntryView[]> {
    const raw = (await this.redis.xrevrange(SlowKey.auditApi, '+', '-', 'COUNT', limit)) as [string, string[]][];
    return raw.map(([id, pairs]) => {
      const f: Record<string, string> = {};
      for (let i = 0; i + 1 < pairs.length; i += 2) f[pairs[i]!] = pairs[i + 1]!;
      return { id, ts: Number(f.ts ?? 0), who: f.who ?? '', action: f.action ?? '', params: f.params ?? '', result: f.result ?? '', detail: f.detail ?? '' };
    });
  }
}
