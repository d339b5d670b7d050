/**
 * Twilio SMS: `POST <base>/2010-04-01/Accounts/{AccountSid}/Messages.json`, form-encoded
 * (`To`, `From`, `Body`), HTTP Basic `AccountSid:AuthToken`; one request per recipient. Twilio
 * answers 201 with the message resource, or 4xx `{code, message, more_info, status}` (20429 and
 * HTTP 429: rate limited, retried; 20003 auth, 21211 bad To...: fatal).
 */
import { HttpPoster, jsonOf, outcomeOf } from './http-post.js';
import type { NotifyChannel, OutgoingMessage, SendOutcome } from './notify-channel.js';
import { truncate } from './discord-channel.js';

/** Twilio accepts up to 1600 characters (10 segments); alerts stay far below. */
export const SMS_MAX_BODY = 1600;

export interface TwilioOptions {
  baseUrl: string;
  accountSid: string;
  authToken: string;
  from: string;
  to: readonly string[];
  timeoutMs: number;
}

export class TwilioSmsChannel implements NotifyChannel {
  readonly name = 'sms' as const;
  readonly target: string;
  readonly #http: HttpPoster;
  readonly #url: string;
  readonly #auth: string;

  constructor(private readonly options: Readonly<TwilioOptions>) {
    this.#url = `${options.baseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}/Messages.json`;
    this.#auth = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
    this.target = `${options.baseUrl} to ${options.to.length} number${options.to.length === 1 ? '' : 's'}`;
    this.#http = new HttpPoster(options.timeoutMs);
  }

  /**
   * Sends to each recipient in turn; stops at the first failure. A retry sends to all again:
   * SMS has no idempotency key, so with several numbers a partial failure may repeat a text to
   * the first ones (said in the README).
   */
  async send(message: OutgoingMessage): Promise<SendOutcome> {
    let last: SendOutcome = { kind: 'fatal', status: null, reason: 'no recipient' };
    for (const to of this.options.to) {
      const form = new URLSearchParams({ To: to, From: this.options.from, Body: truncate(message.text, SMS_MAX_BODY) }).toString();
      const answer = await this.#http.post(this.#url, { 'content-type': 'application/x-www-form-urlencoded', authorization: this.#auth }, form);
      last = refine(outcomeOf(answer), answer instanceof Error ? undefined : answer.body);
      if (last.kind !== 'ok') return last;
    }
    return last;
  }

  close(): void {
    this.#http.close();
  }
}

function refine(outcome: SendOutcome, body: string | undefined): SendOutcome {
  if (outcome.kind === 'ok' || body === undefined) return outcome;
  const err = jsonOf(body) as { code?: unknown; message?: unknown } | undefined;
  if (typeof err?.code !== 'number') return outcome;
  const reason = `Twilio ${err.code}: ${typeof err.message === 'string' ? err.message : ''}`;
  if (err.code === 20429) return { kind: 'retry', status: outcome.status, retryAfterMs: outcome.kind === 'retry' ? outcome.retryAfterMs : null, reason };
  return { ...outcome, reason };
}
