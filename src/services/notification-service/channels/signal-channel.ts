/**
 * Signal through signal-cli-rest-api: `POST <api>/v2/send` with `{message, number,
 * recipients}`; answers 201 `{"timestamp":"..."}`, or 400 `{"error": ...}` (with
 * `challenge_tokens` when Signal wants a captcha: fatal, a human must solve it). The API has no
 * authentication of its own: keep it on loopback or a private network.
 */
import { HttpPoster, jsonOf, outcomeOf } from './http-post.js';
import type { NotifyChannel, OutgoingMessage, SendOutcome } from './notify-channel.js';

export interface SignalOptions {
  apiUrl: string;
  number: string;
  recipients: readonly string[];
  timeoutMs: number;
}

export class SignalChannel implements NotifyChannel {
  readonly name = 'signal' as const;
  readonly target: string;
  readonly #http: HttpPoster;
  readonly #url: string;

  constructor(private readonly options: Readonly<SignalOptions>) {
    this.#url = `${options.apiUrl.replace(/\/+$/, '')}/v2/send`;
    this.target = `${this.#url} to ${options.recipients.length} recipient${options.recipients.length === 1 ? '' : 's'}`;
    this.#http = new HttpPoster(options.timeoutMs);
  }

  async send(message: OutgoingMessage): Promise<SendOutcome> {
    const body = JSON.stringify({ message: message.text, number: this.options.number, recipients: this.options.recipients });
    const answer = await this.#http.post(this.#url, { 'content-type': 'application/json' }, body);
    const outcome = outcomeOf(answer);
    if (outcome.kind === 'ok' || answer instanceof Error) return outcome;
    const err = jsonOf(answer.body) as { error?: unknown; challenge_tokens?: unknown } | undefined;
    if (typeof err?.error !== 'string') return outcome;
    const captcha = Array.isArray(err.challenge_tokens) && err.challenge_tokens.length > 0;
    return { ...outcome, reason: `signal-cli: ${err.error}${captcha ? ' (rate-limit captcha required; solve it in signal-cli)' : ''}` };
  }

  close(): void {
    this.#http.close();
  }
}
