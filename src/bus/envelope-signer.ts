/**
 * Authenticates hot-path envelopes with an HMAC-SHA256 under the system's shared bus key
 * (runtime/bus-key.ts). The MAC travels in the envelope's optional `mac` field as
 * `<key id>.<base64url of the 32-byte HMAC>`, so a frame stays an ordinary envelope that every
 * reader (bench tools, bridges, other languages) decodes as before.
 *
 * Signed bytes: the UTF-8 JSON text of
 *   ["arbees-mac-v1", topic, v, type, id, src, seq, ts, origin_ts, cause or null, data]
 * computed from the decoded values, not from the frame. So the MAC does not depend on the codec
 * (msgpack or JSON), on the transport (ZMQ, Redis pub/sub), or on batching; it covers the topic,
 * so a signed exit cannot be replayed as something else. A verifier must check the envelope as
 * decoded, before any schema parsing rewrites `data`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RawEnvelope } from '../core/envelope.js';

const DOMAIN = 'arbees-mac-v1';
const MAC_BYTES = 32;
/** Longest `mac` looked at: a 12-char id, a dot, 43 base64url chars; anything longer is not ours. */
const MAX_MAC_CHARS = 128;

/** One key of the system's bus keyring (runtime/bus-key.ts loads them). */
export interface BusKey {
  /** Public name of the key (a hash prefix): written in registry entries and in every MAC. */
  readonly id: string;
  readonly secret: Buffer;
}

export interface BusKeys {
  readonly current: BusKey;
  /** Still accepted when verifying (key rotation); never used to sign. */
  readonly previous: BusKey | null;
  /** Where the current key came from: a file's path, or `ARBEES_BUS_KEY`. */
  readonly source: string;
}

export type MacCheck =
  | { ok: true; keyId: string }
  | { ok: false; problem: 'unsigned' | 'malformed' | 'unknown_key' | 'bad_mac'; detail: string };

export function signedBytes(topic: string, e: RawEnvelope): Buffer {
  return Buffer.from(JSON.stringify([DOMAIN, topic, e.v, e.type, e.id, e.src, e.seq, e.ts, e.origin_ts, e.cause ?? null, e.data]), 'utf8');
}

export class EnvelopeSigner {
  readonly #current: BusKey;
  readonly #byId = new Map<string, Buffer>();

  constructor(keys: BusKeys) {
    this.#current = keys.current;
    this.#byId.set(keys.current.id, keys.current.secret);
    if (keys.previous !== null) this.#byId.set(keys.previous.id, keys.previous.secret);
  }

  /** The id of the key this signer signs with. */
  get keyId(): string {
    return this.#current.id;
  }

  /** Sets `envelope.mac` (over everything else in it). */
  sign(topic: string, envelope: RawEnvelope): void {
    envelope.mac = `${this.#current.id}.${this.#hmac(this.#current.secret, topic, envelope).toString('base64url')}`;
  }

  /** One HMAC under the key the MAC names (current or previous); never throws. */
  verify(topic: string, envelope: RawEnvelope): MacCheck {
    const mac: unknown = envelope.mac;
    if (mac === undefined || mac === null) return { ok: false, problem: 'unsigned', detail: 'no mac' };
    if (typeof mac !== 'string' || mac.length > MAX_MAC_CHARS) return { ok: false, problem: 'malformed', detail: 'mac is not a short string' };
    const dot = mac.indexOf('.');
    const keyId = dot < 0 ? '' : mac.slice(0, dot);
    const presented = dot < 0 ? null : Buffer.from(mac.slice(dot + 1), 'base64url');
    if (presented === null || presented.length !== MAC_BYTES) return { ok: false, problem: 'malformed', detail: 'mac is not <key id>.<base64url HMAC-SHA256>' };
    const secret = this.#byId.get(keyId);
    if (secret === undefined) return { ok: false, problem: 'unknown_key', detail: `key id ${JSON.stringify(keyId.slice(0, 16))} is neither the current nor the previous bus key` };
    let expected: Buffer;
    try {
      expected = this.#hmac(secret, topic, envelope);
    } catch (err) {
      // data a JSON text cannot hold (a BigInt, a cycle): nothing we signed.
      return { ok: false, problem: 'malformed', detail: `unsignable envelope (${(err as Error).message.slice(0, 100)})` };
    }
    if (!timingSafeEqual(expected, presented)) return { ok: false, problem: 'bad_mac', detail: 'mac does not match the envelope' };
    return { ok: true, keyId };
  }

  #hmac(secret: Buffer, topic: string, envelope: RawEnvelope): Buffer {
    return createHmac('sha256', secret).update(signedBytes(topic, envelope)).digest();
  }
}
