/**
 * Where health alerts go: the hot path (`health.<service>.<instance>`, for the notifier and the
 * dashboard) and a capped Redis stream (`alerts:health`, for history and anyone who was not
 * listening). A failure of either is counted and logged; raising an alert never throws.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { errorMessage } from '../../core/errors.js';
import type { HealthAlert } from '../../core/messages.js';
import { healthAlertFields, newHealthAlert, type HealthAlertInput } from '../../runtime/health-alert-entry.js';
import { isValidTopicId, Topic } from '../../core/topics.js';
import type { HotPublisher } from '../../bus/hot-publisher.js';
import type { Metrics } from '../../runtime/metrics.js';

export type AlertInput = HealthAlertInput;

export class AlertSink {
  constructor(
    private readonly redis: Redis,
    private readonly publisher: HotPublisher,
    private readonly streamKey: string,
    private readonly maxLen: number,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    /** Topic instance for alerts without one (e.g. about the ESPN feed). */
    private readonly ownInstance: string,
  ) {}

  async raise(input: AlertInput): Promise<HealthAlert> {
    const alert = newHealthAlert(input);
    const topic = this.topicOf(alert);
    this.metrics.inc(`alerts.${alert.kind}`);
    const level = alert.severity === 'critical' ? 'error' : alert.severity === 'warning' ? 'warn' : 'info';
    this.log[level]({ alert: { kind: alert.kind, service: alert.service, instance: alert.instance } }, alert.message);
    if (topic !== null) this.publisher.publish(topic, 'health_alert', alert);
    else this.metrics.inc('alerts.topic_invalid');
    try {
      await this.redis.xadd(this.streamKey, 'MAXLEN', '~', String(this.maxLen), '*', ...healthAlertFields(alert, topic));
    } catch (err) {
      this.metrics.inc('alerts.stream_errors');
      this.log.warn({ err: errorMessage(err) }, 'ARB_REDIS_UNAVAILABLE: alert not appended to its stream');
    }
    return alert;
  }

  private topicOf(alert: HealthAlert): string | null {
    const instance = alert.instance ?? this.ownInstance;
    return isValidTopicId(alert.service) && isValidTopicId(instance) ? Topic.health(alert.service, instance) : null;
  }
}
