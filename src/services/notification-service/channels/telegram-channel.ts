/**
 * Telegram Bot API `sendMessage`: `POST <api>/bot<token>/sendMessage` with `{chat_id, text}`
 * (plain text, so no escaping can break a message; at most 4096 characters). Telegram answers
 * `{"ok":true,"result":{...}}`, or `{"ok":false,"error_code":429,"description":...,
 * "parameters":{"retry_after":N}}` when rate limited (about 1 message/s per chat).
 */
import { HttpPoster, jsonOf, outcomeOf } from './http-post.js';
import type { NotifyChannel, OutgoingMessage, SendOutcome } from './notify-channel.js';
import { truncate } from './discord-channel.js';

export const TELEGRAM_MAX_TEXT = 4096;

export interface TelegramOptions {
  apiUrl: string;
  token: string;
  chatId: string;
  timeoutMs: number;
}

interface TelegramAnswer {
  ok?: unknown;
  description?: unknown;
  parameters?: { retry_after?: unknown };
}

export class TelegramChannel implements NotifyChannel {
  readonly name = 'telegram' as const;
  readonly target: string;
  readonly #http: HttpPoster;
  readonly #url: string;

  constructor(private readonly options: Readonly<TelegramOptions>) {
    const base = options.apiUrl.replace(/\/+$/, '');
    this.#url = `${base}/bot${options.token}/sendMessage`;
    this.target = `${base}/bot[redacted]/sendMessage (chat ${options.chatId})`;
    this.#http = new HttpPoster(options.timeoutMs);
  }

  async send(message: OutgoingMessage): Promise<SendOutcome> {
    const body = JSON.stringify({ chat_id: this.options.chatId, text: truncate(message.text, TELEGRAM_MAX_TEXT), disable_web_page_preview: true });
    const answer = await this.#http.post(this.#url, { 'content-type': 'application/json' }, body);
    const outcome = outcomeOf(answer);
    if (answer instanceof Error) return outcome;
    const parsed = jsonOf(answer.body) as TelegramAnswer | undefined;
    const description = typeof parsed?.description === 'string' ? parsed.description : null;
    if (outcome.kind === 'retry') {
      const seconds = parsed?.parameters?.retry_after;
      const retryAfterMs = typeof seconds === 'number' && seconds >= 0 ? seconds * 1000 : outcome.retryAfterMs;
      return { ...outcome, retryAfterMs, reason: description === null ? outcome.reason : `HTTP ${answer.status}: ${description}` };
    }
    if (outcome.kind === 'fatal') return description === null ? outcome : { ...outcome, reason: `HTTP ${answer.status}: ${description}` };
    // A 2xx that is not {"ok":true} is not a confirmed delivery; Telegram has no idempotency key,
    // so retrying could duplicate: count it as sent and report the odd answer.
    return parsed?.ok === true ? outcome : { kind: 'ok', status: answer.status };
  }

  close(): void {
    this.#http.close();
  }
}
