/**
 * notification_service's environment, validated once: the channels (each optional, configured
 * when its variables are set, refused at start when half-configured), routing, quiet hours,
 * grouping, rate limits and retries. Tokens are declared `secret`, so the logger scrubs them.
 */
import { ConfigError } from '../../core/errors.js';
import { SlowKey } from '../../core/slow-keys.js';
import { defineVar, parse, type ConfigOf } from '../../runtime/config.js';
import { CHANNEL_NAMES, type ChannelName } from './channels/notify-channel.js';
import { parseQuietHours } from './quiet-hours.js';
import { parseRoutes } from './router.js';

// Channel variables are read leniently and checked by channelProblems(): a misconfigured channel
// is switched off (logged, counted, alerted through the others), never a reason to send nothing.
const optionalString = (raw: string): string | null => raw.trim();

export const notifyConfigSpec = {
  keyPrefix: defineVar({ env: 'NOTIFY_KEY_PREFIX', default: '', parse: parse.keyPrefix }),
  /** Only hear hot-path publishers of these services (all when empty; tests). */
  sourceServices: defineVar({ env: 'NOTIFY_SOURCE_SERVICES', default: [] as string[], parse: parse.list }),
  /** PAPER/LIVE of alerts that carry no mode themselves (signals, health): the execution mode. */
  tradingMode: defineVar({ env: 'EXEC_MODE', default: 'paper' as 'paper' | 'sim' | 'live', parse: parse.oneOf('paper', 'sim', 'live') }),
  /** execution_service's key prefix, to watch its blocked markets. */
  execKeyPrefix: defineVar({ env: 'EXEC_KEY_PREFIX', default: '', parse: parse.keyPrefix }),

  // Channels
  webhookUrl: defineVar({ env: 'NOTIFY_WEBHOOK_URL', default: null as string | null, parse: optionalString, secret: true }),
  webhookSecret: defineVar({ env: 'NOTIFY_WEBHOOK_SECRET', default: null as string | null, parse: optionalString, secret: true }),
  slackUrl: defineVar({ env: 'NOTIFY_SLACK_WEBHOOK_URL', default: null as string | null, parse: optionalString, secret: true }),
  discordUrl: defineVar({ env: 'NOTIFY_DISCORD_WEBHOOK_URL', default: null as string | null, parse: optionalString, secret: true }),
  telegramToken: defineVar({ env: 'TELEGRAM_BOT_TOKEN', default: null as string | null, parse: optionalString, secret: true }),
  telegramChatId: defineVar({ env: 'TELEGRAM_CHAT_ID', default: null as string | null, parse: optionalString }),
  telegramApiUrl: defineVar({ env: 'TELEGRAM_API_URL', default: 'https://api.telegram.org', parse: optionalString as (raw: string) => string }),
  twilioAccountSid: defineVar({ env: 'TWILIO_ACCOUNT_SID', default: null as string | null, parse: optionalString }),
  twilioAuthToken: defineVar({ env: 'TWILIO_AUTH_TOKEN', default: null as string | null, parse: optionalString, secret: true }),
  twilioFrom: defineVar({ env: 'TWILIO_FROM', default: null as string | null, parse: optionalString }),
  smsTo: defineVar({ env: 'NOTIFY_SMS_TO', default: [] as string[], parse: parse.list }),
  twilioBaseUrl: defineVar({ env: 'TWILIO_BASE_URL', default: 'https://api.twilio.com', parse: optionalString as (raw: string) => string }),
  signalApiUrl: defineVar({ env: 'SIGNAL_API_URL', default: null as string | null, parse: optionalString }),
  signalNumber: defineVar({ env: 'SIGNAL_NUMBER', default: null as string | null, parse: optionalString }),
  signalRecipients: defineVar({ env: 'SIGNAL_RECIPIENTS', default: [] as string[], parse: parse.list }),

  // Routing
  /** `event.channel=on|off|digest`, comma separated, `*` for any; later entries win. */
  routes: defineVar({ env: 'NOTIFY_ROUTES', default: parseRoutes('', 'NOTIFY_ROUTES'), parse: parseRoutes }),
  /** High-edge signals below this net edge (probability points, 0.03 = 3 cents) stay silent. */
  minEdge: defineVar({ env: 'NOTIFY_MIN_EDGE', default: 0, parse: parse.number(0, 1) }),
  /** Settlements and trades from exits with |P&L| below this (dollars) stay silent. */
  minPnlUsd: defineVar({ env: 'NOTIFY_MIN_PNL_USD', default: 0, parse: parse.number(0, 1e9) }),
  /** `23:00-07:00` in NOTIFY_TIME_ZONE: non-critical alerts are held and sent as one digest after. */
  quietHours: defineVar({ env: 'NOTIFY_QUIET_HOURS', default: null, parse: parseQuietHours }),
  timeZone: defineVar({ env: 'NOTIFY_TIME_ZONE', default: 'America/New_York', parse: parse.timeZone }),
  digestIntervalMs: defineVar({ env: 'NOTIFY_DIGEST_INTERVAL_MS', default: 3_600_000, parse: parse.int(1_000, 86_400_000) }),

  // Grouping, rate limits, retries
  /** A burst's first alert waits this long for company (Alertmanager group_wait). */
  groupWaitMs: defineVar({ env: 'NOTIFY_GROUP_WAIT_MS', default: 0, parse: parse.int(0, 600_000) }),
  /** Non-critical messages on one channel are at least this far apart; what arrives meanwhile goes out as one (group_interval). */
  groupIntervalMs: defineVar({ env: 'NOTIFY_GROUP_INTERVAL_MS', default: 1_000, parse: parse.int(0, 3_600_000) }),
  groupMax: defineVar({ env: 'NOTIFY_GROUP_MAX', default: 50, parse: parse.int(1, 1_000) }),
  webhookMinIntervalMs: defineVar({ env: 'NOTIFY_WEBHOOK_MIN_INTERVAL_MS', default: 0, parse: parse.int(0, 3_600_000) }),
  slackMinIntervalMs: defineVar({ env: 'NOTIFY_SLACK_MIN_INTERVAL_MS', default: 1_000, parse: parse.int(0, 3_600_000) }),
  discordMinIntervalMs: defineVar({ env: 'NOTIFY_DISCORD_MIN_INTERVAL_MS', default: 500, parse: parse.int(0, 3_600_000) }),
  telegramMinIntervalMs: defineVar({ env: 'NOTIFY_TELEGRAM_MIN_INTERVAL_MS', default: 1_000, parse: parse.int(0, 3_600_000) }),
  smsMinIntervalMs: defineVar({ env: 'NOTIFY_SMS_MIN_INTERVAL_MS', default: 10_000, parse: parse.int(0, 3_600_000) }),
  signalMinIntervalMs: defineVar({ env: 'NOTIFY_SIGNAL_MIN_INTERVAL_MS', default: 1_000, parse: parse.int(0, 3_600_000) }),
  timeoutMs: defineVar({ env: 'NOTIFY_TIMEOUT_MS', default: 5_000, parse: parse.int(100, 120_000) }),
  retryBaseMs: defineVar({ env: 'NOTIFY_RETRY_BASE_MS', default: 500, parse: parse.int(1, 600_000) }),
  retryMaxMs: defineVar({ env: 'NOTIFY_RETRY_MAX_MS', default: 30_000, parse: parse.int(1, 3_600_000) }),
  /** After this many failed attempts, or this age, a message is dead-lettered. */
  maxAttempts: defineVar({ env: 'NOTIFY_MAX_ATTEMPTS', default: 12, parse: parse.int(1, 1_000) }),
  maxAgeMs: defineVar({ env: 'NOTIFY_MAX_AGE_MS', default: 900_000, parse: parse.int(1_000, 7 * 86_400_000) }),
  dedupeTtlS: defineVar({ env: 'NOTIFY_DEDUPE_TTL_S', default: 86_400, parse: parse.int(1, 30 * 86_400) }),
  logMaxLen: defineVar({ env: 'NOTIFY_LOG_MAXLEN', default: 100_000, parse: parse.int(100, 100_000_000) }),
  /** How often the kill switch and execution's blocked markets are read. */
  watchMs: defineVar({ env: 'NOTIFY_WATCH_MS', default: 1_000, parse: parse.int(20, 60_000) }),
};

export type NotifyConfig = ConfigOf<typeof notifyConfigSpec>;

/** Every variable that configures a channel: with none set, `arbees up` points the webhook at its local sink. */
export const NOTIFY_CHANNEL_VARS = [
  'NOTIFY_WEBHOOK_URL',
  'NOTIFY_SLACK_WEBHOOK_URL',
  'NOTIFY_DISCORD_WEBHOOK_URL',
  'TELEGRAM_BOT_TOKEN',
  'TWILIO_ACCOUNT_SID',
  'SIGNAL_API_URL',
] as const;

export interface NotifyKeys {
  seen: (eventId: string) => string;
  queue: (channel: ChannelName) => string;
  items: (channel: ChannelName) => string;
  dead: string;
  log: string;
  watch: string;
  killSwitch: string;
  execBlocked: string;
  tradesCompleted: string;
  healthAlerts: string;
}

export function notifyKeys(prefix: string, execPrefix: string): NotifyKeys {
  return {
    seen: (id) => prefix + SlowKey.notifySeen(id),
    queue: (ch) => prefix + SlowKey.notifyQueue(ch),
    items: (ch) => prefix + SlowKey.notifyItems(ch),
    dead: prefix + SlowKey.notifyDead,
    log: prefix + SlowKey.notifyLog,
    watch: prefix + SlowKey.notifyWatch,
    killSwitch: execPrefix + SlowKey.killSwitch,
    execBlocked: execPrefix + SlowKey.execBlocked,
    tradesCompleted: execPrefix + SlowKey.tradesCompleted,
    healthAlerts: prefix + SlowKey.healthAlerts,
  };
}

/** The secret values of a config (tokens, webhook URLs that carry one), to mask wherever a receiver might echo them. */
export function configSecrets(config: NotifyConfig): string[] {
  const values = [config.webhookUrl, config.webhookSecret, config.slackUrl, config.discordUrl, config.telegramToken, config.twilioAuthToken];
  const out = values.filter((v): v is string => v !== null && v.length >= 4);
  // A webhook URL's path alone (what a proxy error page echoes) is as secret as the whole URL.
  for (const url of [config.slackUrl, config.discordUrl]) {
    if (url !== null && urlProblem(url) === null) out.push(new URL(url).pathname);
  }
  return out;
}

/** Minimum spacing between two sends on a channel (its rate limit). */
export function channelMinIntervalMs(config: NotifyConfig, channel: ChannelName): number {
  const table: Record<ChannelName, number> = {
    webhook: config.webhookMinIntervalMs,
    slack: config.slackMinIntervalMs,
    discord: config.discordMinIntervalMs,
    telegram: config.telegramMinIntervalMs,
    sms: config.smsMinIntervalMs,
    signal: config.signalMinIntervalMs,
  };
  return table[channel];
}

export interface ChannelProblem {
  readonly channel: ChannelName;
  readonly variable: string;
  readonly problem: string;
}

const E164 = /^\+[1-9]\d{6,14}$/;

function urlProblem(raw: string): string | null {
  try {
    const u = new URL(raw);
    return u.protocol === 'http:' || u.protocol === 'https:' ? null : `must be an http(s) URL, got ${u.protocol}`;
  } catch {
    return 'must be a URL';
  }
}

/**
 * What is wrong with each channel that is (partly) configured: a bad URL, a missing companion
 * variable, a number that is not E.164. Never the value itself (it may be a token).
 */
export function channelProblems(config: NotifyConfig): ChannelProblem[] {
  const out: ChannelProblem[] = [];
  const need = (channel: ChannelName, set: boolean, variable: string, why: string) => {
    if (!set) out.push({ channel, variable, problem: `is required ${why}` });
  };
  const url = (channel: ChannelName, raw: string | null, variable: string) => {
    const problem = raw === null ? null : urlProblem(raw);
    if (problem !== null) out.push({ channel, variable, problem });
  };
  const numbers = (channel: ChannelName, list: readonly string[], variable: string, groups: boolean) => {
    const bad = list.find((n) => !E164.test(n) && !(groups && n.startsWith('group.')));
    if (bad !== undefined) out.push({ channel, variable, problem: 'must list E.164 numbers (+15551234567)' });
  };
  url('webhook', config.webhookUrl, 'NOTIFY_WEBHOOK_URL');
  if (config.webhookSecret !== null) need('webhook', config.webhookUrl !== null, 'NOTIFY_WEBHOOK_URL', 'when NOTIFY_WEBHOOK_SECRET is set');
  url('slack', config.slackUrl, 'NOTIFY_SLACK_WEBHOOK_URL');
  url('discord', config.discordUrl, 'NOTIFY_DISCORD_WEBHOOK_URL');
  if (config.telegramToken !== null || config.telegramChatId !== null) {
    need('telegram', config.telegramToken !== null, 'TELEGRAM_BOT_TOKEN', 'when TELEGRAM_CHAT_ID is set');
    need('telegram', config.telegramChatId !== null, 'TELEGRAM_CHAT_ID', 'when TELEGRAM_BOT_TOKEN is set');
    url('telegram', config.telegramApiUrl, 'TELEGRAM_API_URL');
  }
  if (config.twilioAccountSid !== null || config.twilioAuthToken !== null || config.twilioFrom !== null || config.smsTo.length > 0) {
    need('sms', config.twilioAccountSid !== null, 'TWILIO_ACCOUNT_SID', 'for SMS');
    need('sms', config.twilioAuthToken !== null, 'TWILIO_AUTH_TOKEN', 'for SMS');
    need('sms', config.twilioFrom !== null, 'TWILIO_FROM', 'for SMS');
    need('sms', config.smsTo.length > 0, 'NOTIFY_SMS_TO', 'for SMS');
    numbers('sms', config.smsTo, 'NOTIFY_SMS_TO', false);
    url('sms', config.twilioBaseUrl, 'TWILIO_BASE_URL');
  }
  if (config.signalApiUrl !== null || config.signalNumber !== null || config.signalRecipients.length > 0) {
    need('signal', config.signalApiUrl !== null, 'SIGNAL_API_URL', 'for Signal');
    need('signal', config.signalNumber !== null, 'SIGNAL_NUMBER', 'for Signal');
    need('signal', config.signalRecipients.length > 0, 'SIGNAL_RECIPIENTS', 'for Signal');
    url('signal', config.signalApiUrl, 'SIGNAL_API_URL');
    numbers('signal', config.signalRecipients, 'SIGNAL_RECIPIENTS', true);
  }
  return out;
}

/** Settings that are not about one channel: inconsistent ones stop the start, naming the variable. */
export function checkNotifyConfig(config: NotifyConfig): void {
  if (config.retryBaseMs > config.retryMaxMs) throw new ConfigError('NOTIFY_RETRY_BASE_MS', 'must not exceed NOTIFY_RETRY_MAX_MS');
}

export { CHANNEL_NAMES };
