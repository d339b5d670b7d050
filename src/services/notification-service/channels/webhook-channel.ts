/**
 * The generic webhook: a JSON POST whose `id` is the same on every retry of one delivery (also
 * sent as `Idempotency-Key`), with the event type, PAPER/LIVE, severity, the message and every
 * event it carries. With a secret, `X-Arbees-Signature: sha256=<hex>` is the HMAC-SHA256 of
 * `<X-Arbees-Timestamp>.<raw body>`, so a receiver can check origin and reject replays.
 */
import { createHmac } from 'node:crypto';
import { HttpPoster, outcomeOf } from './http-post.js';
import type { NotifyChannel, OutgoingMessage, SendOutcome } from './notify-channel.js';
import { maskUrl } from './mask-url.js';

export interface WebhookOptions {
  url: string;
  secret: string | null;
  timeoutMs: number;
}

export class WebhookChannel implements NotifyChannel {
  readonly name = 'webhook' as const;
  readonly target: string;
  readonly #http: HttpPoster;

  constructor(private readonly options: Readonly<WebhookOptions>) {
    // Webhook URLs often carry a token in their path: only scheme and host are shown.
    this.target = maskUrl(options.url);
    this.#http = new HttpPoster(options.timeoutMs);
  }

  async send(message: OutgoingMessage): Promise<SendOutcome> {
    const body = JSON.stringify(webhookBody(message));
    const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': message.id, 'user-agent': 'arbees-notify/1' };
    if (this.options.secret !== null) {
      const timestamp = String(Math.floor(Date.now() / 1000));
      headers['x-arbees-timestamp'] = timestamp;
      headers['x-arbees-signature'] = `sha256=${webhookSignature(this.options.secret, timestamp, body)}`;
    }
    return outcomeOf(await this.#http.post(this.options.url, headers, body));
  }

  close(): void {
    this.#http.close();
  }
}

export function webhookBody(message: OutgoingMessage): Record<string, unknown> {
  return {
    id: message.id,
    ts: new Date(message.ts).toISOString(),
    type: message.type,
    severity: message.severity,
    mode: message.mode,
    message: message.text,
    count: message.events.length,
    events: message.events,
  };
}

/** Hex HMAC-SHA256 of `<timestamp>.<body>`: what a receiver recomputes to verify. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}
