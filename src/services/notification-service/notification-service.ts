/**
 * notification_service (docs/architecture.md section 1): high-edge signals, trades, exits,
 * settlements, health and risk alerts from the hot path (and the kill switch and blocked
 * markets from Redis) to a human, through a durable outbox to the configured channels: webhook,
 * Slack, Discord, Telegram, Twilio SMS, Signal.
 */
import { TopicPrefix } from '../../core/topics.js';
import { defineService } from '../../runtime/service.js';
import { buildChannels } from './channels/channel-factory.js';
import { channelProblems, checkNotifyConfig, configSecrets, notifyConfigSpec, notifyKeys } from './notification-service-config.js';
import { NotificationService } from './notification-service-core.js';

export const NOTIFY_PREFIXES = [TopicPrefix.highEdgeSignals, TopicPrefix.tradesCompleted, TopicPrefix.exitSignals, TopicPrefix.positions, TopicPrefix.health] as const;

export const notificationService = defineService({
  name: 'notification_service',
  description: 'alerts to a human: webhook, Slack, Discord, Telegram, SMS, Signal, with a durable outbox',
  configSpec: notifyConfigSpec,
  checkConfig: checkNotifyConfig,
  async start(ctx) {
    const { config } = ctx;
    checkNotifyConfig(config);
    const problems = channelProblems(config);
    const channels = buildChannels(config);
    const publisher = await ctx.publisher();
    const notifier = new NotificationService({
      config,
      keys: notifyKeys(config.keyPrefix, config.execKeyPrefix),
      redis: ctx.redis,
      channels,
      publisher,
      service: ctx.name,
      instance: ctx.instance,
      metrics: ctx.metrics,
      log: ctx.log,
      secrets: configSecrets(config),
    });
    if (channels.length === 0) ctx.log.warn('no notification channel configured (NOTIFY_WEBHOOK_URL, NOTIFY_SLACK_WEBHOOK_URL, TELEGRAM_BOT_TOKEN...): alerts are only counted');
    for (const c of channels) ctx.log.info({ channel: c.name, target: c.target }, `alerts go to ${c.name}: ${c.target}`);
    const services = config.sourceServices.length > 0 ? { services: config.sourceServices } : {};
    await ctx.subscribe(NOTIFY_PREFIXES, (topic, envelope) => notifier.onHot(topic, envelope).then(() => undefined), services);
    await notifier.start();
    if (problems.length > 0) {
      // A broken channel is off; the working ones carry the news (once a day per problem, by its event id).
      for (const p of problems) ctx.log.error({ channel: p.channel, variable: p.variable }, `ARB_CONFIG_INVALID: ${p.channel} channel is off: ${p.variable} ${p.problem}`);
      ctx.metrics.set('notify.channels_misconfigured', new Set(problems.map((p) => p.channel)).size);
      await notifier.reportMisconfigured(problems);
      // Once the runtime has marked the started service healthy (it does so when start() returns).
      const detail = `misconfigured notification channel: ${problems.map((p) => `${p.variable} ${p.problem}`).join('; ')}`;
      setTimeout(() => ctx.setStatus('degraded', detail), 0);
    }
    ctx.onStop(() => notifier.stop());
  },
});
