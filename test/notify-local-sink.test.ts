/**
 * The sink `arbees up` starts when no notification channel is configured: it is started only
 * then, notification_service's webhook points at it, and it prints and counts what arrives.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LocalNotifySink } from '../src/launcher/local-notify-sink.js';
import { WebhookChannel } from '../src/services/notification-service/channels/webhook-channel.js';

let sink: LocalNotifySink | null = null;
afterEach(async () => {
  await sink?.close();
  sink = null;
});

describe('local alert sink of arbees up', () => {
  it('is not started when any channel is configured, directly or for the service only', async () => {
    expect(await LocalNotifySink.startIfUnconfigured({ NOTIFY_WEBHOOK_URL: 'http://127.0.0.1:9/x' }, () => {})).toBeNull();
    expect(await LocalNotifySink.startIfUnconfigured({ ARBEES_NOTIFICATION_SERVICE__TELEGRAM_BOT_TOKEN: 'x:y' }, () => {})).toBeNull();
  });

  it('prints each alert (grouped ones counted by their events) and counts them', async () => {
    const lines: string[] = [];
    sink = await LocalNotifySink.startIfUnconfigured({}, (l) => lines.push(l));
    expect(sink).not.toBeNull();
    expect(sink!.webhookUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/alerts$/);
    const ch = new WebhookChannel({ url: sink!.webhookUrl, secret: null, timeoutMs: 2000 });
    const ev = (id: string, message: string) => ({ id, type: 'high_edge', severity: 'info' as const, message });
    expect((await ch.send({ id: 'a', type: 'high_edge', severity: 'info', mode: 'PAPER', text: '[PAPER] High edge +5.0¢', ts: Date.now(), events: [ev('a', 'x')] })).kind).toBe('ok');
    expect((await ch.send({ id: 'g', type: 'trade', severity: 'info', mode: 'PAPER', text: '[PAPER] Alerts: 2 (trade)\n- one\n- two', ts: Date.now(), events: [ev('b', 'one'), ev('c', 'two')] })).kind).toBe('ok');
    ch.close();
    expect(lines).toEqual(['alert 1 at local sink: [PAPER] High edge +5.0¢', 'alert 3 at local sink: [PAPER] Alerts: 2 (trade) (+2 more lines)']);
    expect(sink!.counts).toEqual({ messages: 2, alerts: 3 });
  });
});
