/**
 * Reduce-only mode: `control:entries_paused` (set by the api's pause control). While it is ON,
 * trade signals (new entries) are rejected with EXEC_ENTRIES_PAUSED; exits and unwinds still run.
 * The key is read by the kill switch's poller on its own key, so it takes effect within one poll.
 * An unreadable key is the kill switch's business (it fails safe), so this one never goes stale.
 */
import type { Redis } from 'ioredis';
import { KillSwitch } from './kill-switch.js';

export type EntryPause = Pick<KillSwitch, 'reason'>;

export function createEntryPause(redis: Redis, key: string, pollMs: number, onChange: (on: boolean) => void): KillSwitch {
  return new KillSwitch({ redis, key, pollMs, staleMs: Number.POSITIVE_INFINITY, onChange: (on) => onChange(on) });
}

/** Why a new entry must be refused now, or null (exits are never refused here). */
export function entryPauseReason(pause: EntryPause | undefined, source: 'signal' | 'exit'): string | null {
  if (pause === undefined || source !== 'signal') return null;
  const reason = pause.reason();
  return reason === null ? null : `entries paused (${reason.replace(/^kill switch /, '')})`;
}
