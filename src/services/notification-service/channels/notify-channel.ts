/**
 * The contract every channel implements: one message in, one outcome out. A channel never
 * throws and never retries by itself: the outbox decides (retry with the one backoff, honour
 * Retry-After, dead-letter), so every channel behaves the same under failure.
 */
export const CHANNEL_NAMES = ['webhook', 'slack', 'discord', 'telegram', 'sms', 'signal'] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

export type TradingModeLabel = 'PAPER' | 'LIVE';
export type Severity = 'info' | 'warning' | 'critical';

/** What goes out: one alert, or a group/digest of several (then `events` lists them all). */
export interface OutgoingMessage {
  /** Stable across every retry and restart of this delivery (the receiver's idempotency key). */
  readonly id: string;
  readonly type: string;
  readonly severity: Severity;
  readonly mode: TradingModeLabel;
  /** The human text, already prefixed with [PAPER] / [LIVE]. */
  readonly text: string;
  /** Milliseconds since the epoch when the first event was accepted. */
  readonly ts: number;
  readonly events: readonly { id: string; type: string; severity: Severity; message: string }[];
}

export type SendOutcome =
  | { readonly kind: 'ok'; readonly status: number }
  /** Try again later; `retryAfterMs` is the receiver's own wish (Retry-After, retry_after). */
  | { readonly kind: 'retry'; readonly status: number | null; readonly retryAfterMs: number | null; readonly reason: string }
  /** Will never succeed as it is (bad request, bad token, unknown chat): dead-letter it. */
  | { readonly kind: 'fatal'; readonly status: number | null; readonly reason: string };

export interface NotifyChannel {
  readonly name: ChannelName;
  /** Where it sends, with every credential masked (for logs and the start-up line). */
  readonly target: string;
  send(message: OutgoingMessage): Promise<SendOutcome>;
  close(): void;
}
