/**
 * The hot-path envelope (docs/architecture.md section 2). `seq` is per publisher instance (`src`), so a
 * subscriber counts gaps per source; `ts` and `origin_ts` are epoch microseconds, so any hop can
 * compute its own latency and execution its tick-to-trade.
 */
import type { MessageData, MessageType } from './messages.js';

export const ENVELOPE_VERSION = 1;

export interface Envelope<T extends MessageType = MessageType> {
  v: number;
  type: T;
  id: string;
  src: string;
  seq: number;
  ts: number;
  origin_ts: number;
  cause?: string;
  data: MessageData<T>;
  mac?: unknown;
}

/** An envelope whose `data` has not been checked against its schema (what a bridge forwards). */
export interface RawEnvelope {
  v: number;
  type: string;
  id: string;
  src: string;
  seq: number;
  ts: number;
  origin_ts: number;
  cause?: string;
  data: unknown;
  /**
   * `<key id>.<base64url HMAC-SHA256>` under the system's bus key (bus/envelope-signer.ts), on the
   * topics that can move money (`signals.*`); absent elsewhere. Not checked by the codec.
   */
  mac?: unknown;
}

/**
 * HotPublisher mints ids as `<boot id: 8 hex chars><message count, base 36>`; the boot id is
 * random per process, so a publisher that restarts (its seqs start again at 1) has a new one.
 * An id minted elsewhere in another format still works: its first characters then change from
 * message to message, which makes every message look like a new boot (ordered by ts, never by a
 * seq of another generation).
 */
export const BOOT_ID_LENGTH = 8;

export function publisherBoot(id: string): string {
  return id.length > BOOT_ID_LENGTH ? id.slice(0, BOOT_ID_LENGTH) : id;
}

/**
 * Whether `next` is a later message of its topic than `current`: by seq within one publisher boot
 * (the hot path numbers each publisher stream 1, 2, 3...), by publish time across publishers or
 * boots.
 */
export function isLaterMessage(next: Pick<RawEnvelope, 'src' | 'id' | 'seq' | 'ts'>, current: Pick<RawEnvelope, 'src' | 'id' | 'seq' | 'ts'>): boolean {
  if (next.src === current.src && publisherBoot(next.id) === publisherBoot(current.id)) return next.seq > current.seq;
  return next.ts >= current.ts;
}
