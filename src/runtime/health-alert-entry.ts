/**
 * A health alert as a new record and as an `alerts:health` stream entry: one layout for every
 * writer (the orchestrator's AlertSink, the `arbees up` supervisor), read by the notifier's
 * catch-up and the recorder.
 */
import { randomBytes } from 'node:crypto';
import type { HealthAlert } from '../core/messages.js';
import { nowMicros } from '../core/time.js';

export type HealthAlertInput = Omit<HealthAlert, 'alert_id' | 'ts'>;

export function newHealthAlert(input: HealthAlertInput): HealthAlert {
  return { ...input, alert_id: `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`, ts: nowMicros() };
}

/** The stream entry's field/value list; `topic` is the hot-path topic it went to ('' for none). */
export function healthAlertFields(alert: HealthAlert, topic: string | null): string[] {
  return [
    'topic', topic ?? '', 'id', alert.alert_id, 'kind', alert.kind, 'service', alert.service,
    'instance', alert.instance ?? '', 'severity', alert.severity, 'ts', String(alert.ts), 'data', JSON.stringify(alert),
  ];
}
