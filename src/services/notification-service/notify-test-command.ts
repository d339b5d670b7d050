/**
 * `arbees notify test [channel]`: one test message through each configured channel (or the one
 * named), straight to the channel (not through the outbox, so the answer is the channel's own),
 * with one line per channel. Exit code 0 when every send succeeded, 1 when one failed, 2 when
 * the channel is unknown or not configured, 78 on a bad configuration.
 */
import { randomBytes } from 'node:crypto';
import { errorMessage } from '../../core/errors.js';
import { loadConfig, secretVariables } from '../../runtime/config.js';
import { scrubString, secretValues } from '../../runtime/logger.js';
import { buildChannels } from './channels/channel-factory.js';
import { CHANNEL_NAMES, type ChannelName, type OutgoingMessage } from './channels/notify-channel.js';
import { channelProblems, checkNotifyConfig, notifyConfigSpec } from './notification-service-config.js';
import { modeLabel } from './notify-events.js';

export async function runNotifyTest(channelArg: string | undefined, env: NodeJS.ProcessEnv, write: (line: string) => void): Promise<number> {
  if (channelArg !== undefined && !(CHANNEL_NAMES as readonly string[]).includes(channelArg)) {
    write(`unknown channel ${JSON.stringify(channelArg)}; channels: ${CHANNEL_NAMES.join(', ')}`);
    return 2;
  }
  const secrets = secretValues(secretVariables(notifyConfigSpec), env);
  let config;
  try {
    config = loadConfig(notifyConfigSpec, env);
    checkNotifyConfig(config);
  } catch (err) {
    write(`configuration: ${scrubString(errorMessage(err), secrets)}`);
    return 78;
  }
  const channels = buildChannels(config, channelArg as ChannelName | undefined);
  const problems = channelProblems(config).filter((p) => channelArg === undefined || p.channel === channelArg);
  for (const p of problems) write(`${p.channel}: MISCONFIGURED ${p.variable} ${p.problem}`);
  if (channels.length === 0 && problems.length > 0) return 1;
  if (channels.length === 0) {
    write(channelArg === undefined ? 'no channel configured (set NOTIFY_WEBHOOK_URL, NOTIFY_SLACK_WEBHOOK_URL, TELEGRAM_BOT_TOKEN...; see the README)' : `${channelArg} is not configured`);
    return 2;
  }
  const mode = modeLabel(config.tradingMode);
  const text = `[${mode}] arbees test notification: if you read this, alerts reach you here`;
  const message: OutgoingMessage = { id: `test-${randomBytes(6).toString('hex')}`, type: 'test', severity: 'info', mode, text, ts: Date.now(), events: [] };
  let failed = 0;
  for (const channel of channels) {
    const outcome = await channel.send({ ...message, events: [{ id: message.id, type: 'test', severity: 'info', message: text }] });
    channel.close();
    if (outcome.kind === 'ok') write(`${channel.name}: ok (HTTP ${outcome.status}) ${channel.target}`);
    else {
      failed++;
      write(`${channel.name}: FAILED ${outcome.kind === 'retry' ? '(temporary)' : '(permanent)'} ${scrubString(outcome.reason, secrets)} ${channel.target}`);
    }
  }
  return failed > 0 || problems.length > 0 ? 1 : 0;
}
