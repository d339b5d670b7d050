/** The channels a config names, each built once; none when nothing is configured. */
import { channelProblems, type NotifyConfig } from '../notification-service-config.js';
import { DiscordChannel } from './discord-channel.js';
import type { ChannelName, NotifyChannel } from './notify-channel.js';
import { SignalChannel } from './signal-channel.js';
import { SlackChannel } from './slack-channel.js';
import { TelegramChannel } from './telegram-channel.js';
import { TwilioSmsChannel } from './twilio-sms-channel.js';
import { WebhookChannel } from './webhook-channel.js';

/** Channels with a problem (channelProblems) are left out: the caller reports them. */
export function buildChannels(config: NotifyConfig, only?: ChannelName): NotifyChannel[] {
  const broken = new Set(channelProblems(config).map((p) => p.channel));
  return allChannels(config).filter((c) => !broken.has(c.name) && (only === undefined || c.name === only));
}

function allChannels(config: NotifyConfig): NotifyChannel[] {
  const t = config.timeoutMs;
  const out: NotifyChannel[] = [];
  if (config.webhookUrl !== null) out.push(new WebhookChannel({ url: config.webhookUrl, secret: config.webhookSecret, timeoutMs: t }));
  if (config.slackUrl !== null) out.push(new SlackChannel(config.slackUrl, t));
  if (config.discordUrl !== null) out.push(new DiscordChannel(config.discordUrl, t));
  if (config.telegramToken !== null && config.telegramChatId !== null) {
    out.push(new TelegramChannel({ apiUrl: config.telegramApiUrl, token: config.telegramToken, chatId: config.telegramChatId, timeoutMs: t }));
  }
  if (config.twilioAccountSid !== null && config.twilioAuthToken !== null && config.twilioFrom !== null && config.smsTo.length > 0) {
    out.push(
      new TwilioSmsChannel({ baseUrl: config.twilioBaseUrl, accountSid: config.twilioAccountSid, authToken: config.twilioAuthToken, from: config.twilioFrom, to: config.smsTo, timeoutMs: t }),
    );
  }
  if (config.signalApiUrl !== null && config.signalNumber !== null && config.signalRecipients.length > 0) {
    out.push(new SignalChannel({ apiUrl: config.signalApiUrl, number: config.signalNumber, recipients: config.signalRecipients, timeoutMs: t }));
  }
  return out;
}
