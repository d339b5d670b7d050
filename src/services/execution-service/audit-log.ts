/**
 * The audit trail: one entry in the Redis stream `audit:execution` for every decision the
 * service makes (received, duplicate, rejected and why, accepted with its size, order sent, leg
 * outcome, unwind, unknown outcome, reconciled, kill switch changes). Fields are flat strings
 * with `data` as JSON, so redis-cli and other languages read it. Also logged at debug level.
 */
import type { Logger } from 'pino';
import { nowMicros } from '../../core/time.js';
import { xadd, type RedisOutbox } from './redis-outbox.js';

export type AuditEvent =
  | 'signal_received'
  | 'entries_paused'
  | 'signal_malformed'
  | 'signal_untrusted'
  | 'duplicate_detected'
  | 'rejected'
  | 'accepted'
  | 'order_sent'
  | 'leg_outcome'
  | 'unwind'
  | 'outcome_unknown'
  | 'reconciled'
  | 'completed'
  | 'recovered_after_restart'
  | 'kill_switch'
  | 'state_error';

export interface AuditEntry {
  readonly event: AuditEvent;
  readonly sourceId?: string | undefined;
  readonly reason?: string | null | undefined;
  readonly data?: unknown;
}

export class AuditLog {
  entries = 0;

  constructor(
    private readonly outbox: RedisOutbox,
    private readonly stream: string,
    private readonly maxLen: number,
    private readonly log: Pick<Logger, 'debug'>,
  ) {}

  record(entry: AuditEntry): void {
    this.entries++;
    const fields = ['event', entry.event, 'ts', String(nowMicros()), 'source_id', entry.sourceId ?? '', 'reason', entry.reason ?? ''];
    if (entry.data !== undefined) fields.push('data', JSON.stringify(entry.data));
    this.log.debug({ audit: entry.event, sourceId: entry.sourceId, reason: entry.reason }, 'audit');
    void this.outbox.append({ what: `audit ${entry.event}`, write: (tx) => xadd(tx, this.stream, fields, this.maxLen) });
  }
}
