/**
 * Slack incoming webhook: `POST <hooks.slack.com/services/...>` with `{"text": ...}`; Slack
 * answers `200 ok`, or 4xx with a plain-text reason (`invalid_payload`, `invalid_token`,
 * `channel_not_found`...) and 429 with Retry-After when rate limited (1 message/s per webhook).
 */
import { HttpPoster, outcomeOf } from './http-post.js';
import type { NotifyChannel, OutgoingMessage, SendOutcome } from './notify-channel.js';
import { maskUrl } from './mask-url.js';

export class SlackChannel implements NotifyChannel {
  readonly name = 'slack' as const;
  readonly target: string;
  readonly #http: HttpPoster;

  constructor(private readonly url: string, timeoutMs: number) {
    this.target = maskUrl(url);
    this.#http = new HttpPoster(timeoutMs);
  }

  async send(message: OutgoingMessage): Promise<SendOutcome> {
    const body = JSON.stringify({ text: message.text });
    return outcomeOf(await this.#http.post(this.url, { 'content-type': 'application/json' }, body));
  }

  close(): void {
    this.#http.close();
  }
}
