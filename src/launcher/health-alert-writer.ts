/**
 * The supervisor's own health alerts (a service left down under `arbees up --keep-going`):
 * appended to `alerts:health`, where the notifier's catch-up picks them up for the configured
 * channels and the dashboard's history shows them. The supervisor has no hot-path publisher, so
 * the stream is the only way out; a failure is reported to the caller, never thrown.
 */
import { Redis } from 'ioredis';
import { errorMessage } from '../core/errors.js';
import { healthAlertFields, newHealthAlert, type HealthAlertInput } from '../runtime/health-alert-entry.js';
import type { HealthAlert } from '../core/messages.js';
import { isValidTopicId, Topic } from '../core/topics.js';

const TIMEOUT_MS = 2_000;
const STREAM_MAX_LEN = 10_000;

export class HealthAlertWriter {
  private readonly redis: Redis;

  constructor(
    redisUrl: string,
    private readonly streamKey: string,
  ) {
    this.redis = new Redis(redisUrl, { lazyConnect: true, connectTimeout: TIMEOUT_MS, commandTimeout: TIMEOUT_MS, maxRetriesPerRequest: 1 });
    this.redis.on('error', () => undefined); // each raise() reports its own failure
  }

  /** Appends the alert; resolves with it, or with the error message when it could not. */
  async raise(input: HealthAlertInput): Promise<{ alert: HealthAlert; error: string | null }> {
    const alert = newHealthAlert(input);
    const instance = alert.instance ?? '';
    const topic = isValidTopicId(alert.service) && isValidTopicId(instance) ? Topic.health(alert.service, instance) : null;
    try {
      await this.redis.xadd(this.streamKey, 'MAXLEN', '~', String(STREAM_MAX_LEN), '*', ...healthAlertFields(alert, topic));
      return { alert, error: null };
    } catch (err) {
      return { alert, error: errorMessage(err) };
    }
  }

  /**
   * Waits until the heartbeat under `registryKey` says healthy (true) or `timeoutMs` passes
   * (false). The notifier reads alerts:health from where it was at its first start, so an alert
   * written before then would reach the stream but no channel.
   */
  async waitUntilHealthy(registryKey: string, timeoutMs: number, pollMs = 250): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const raw = await this.redis.get(registryKey);
        if (raw !== null && (JSON.parse(raw) as { status?: unknown }).status === 'healthy') return true;
      } catch {
        // unreadable or unreachable for now: polled again until the deadline
      }
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  close(): void {
    this.redis.disconnect();
  }
}
