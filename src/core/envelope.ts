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
