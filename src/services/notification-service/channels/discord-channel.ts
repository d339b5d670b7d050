/**
 * Discord webhook: `POST <discord.com/api/webhooks/{id}/{token}>` with `{"content": ...}` (at
 * most 2000 characters); answers 204 (200 with ?wait=true). A 429 carries Retry-After and a JSON
 * `retry_after` in seconds; the larger wins.
 */
import { HttpPoster, jsonOf, outcomeOf } from './http-post.js';
import type { NotifyChannel, OutgoingMessage, SendOutcome } from './notify-channel.js';
import { maskUrl } from './mask-url.js';

export const DISCORD_MAX_CONTENT = 2000;

export class DiscordChannel implements NotifyChannel {
  readonly name = 'discord' as const;
  readonly target: string;
  readonly #http: HttpPoster;

  constructor(private readonly url: string, timeoutMs: number) {
    this.target = maskUrl(url);
    this.#http = new HttpPoster(timeoutMs);
  }

  async send(message: OutgoingMessage): Promise<SendOutcome> {
    const body = JSON.stringify({ content: truncate(message.text, DISCORD_MAX_CONTENT), allowed_mentions: { parse: [] } });
    const answer = await this.#http.post(this.url, { 'content-type': 'application/json' }, body);
    const outcome = outcomeOf(answer);
    if (outcome.kind === 'retry' && !(answer instanceof Error) && answer.status === 429) {
      const seconds = (jsonOf(answer.body) as { retry_after?: unknown } | undefined)?.retry_after;
      const fromBody = typeof seconds === 'number' && seconds >= 0 ? Math.ceil(seconds * 1000) : null;
      return { ...outcome, retryAfterMs: Math.max(outcome.retryAfterMs ?? 0, fromBody ?? 0) || null };
    }
    return outcome;
  }

  close(): void {
    this.#http.close();
  }
}

/** At most `max` characters, with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
