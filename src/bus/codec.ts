/**
 * Envelope codec. MessagePack by default (plain maps, no msgpackr records, so any language can
 * read the bus); JSON selectable for debugging. Decoding detects the format from the first byte,
 * so publishers on different codecs can share a subscriber: a JSON frame starts with `{` or `[`,
 * which in MessagePack would be a bare integer, never an envelope.
 *
 * A batch frame carries several `[topic, envelope]` pairs in one array.
 */
import { Packr } from 'msgpackr';
import { DecodeError } from '../core/errors.js';
import type { RawEnvelope } from '../core/envelope.js';

export type CodecName = 'msgpack' | 'json';
export type BatchItem = [topic: string, envelope: RawEnvelope];

// int64AsType: Python, Rust and Go writers encode any int over 2^32 (every microsecond timestamp)
// as uint64/int64, which msgpackr would otherwise read as a BigInt and reject. Beyond 2^53 the
// number is no longer a safe integer, so seq/ts checks still reject it.
const packr = new Packr({ useRecords: false, mapsAsObjects: true, variableMapSize: true, int64AsType: 'number' });

const JSON_OBJECT = 0x7b; // '{'
const JSON_ARRAY = 0x5b; // '['

export class EnvelopeCodec {
  readonly name: CodecName;

  constructor(name: CodecName = 'msgpack') {
    this.name = name;
  }

  encode(envelope: RawEnvelope): Buffer {
    return this.name === 'msgpack' ? packr.pack(envelope) : Buffer.from(JSON.stringify(envelope));
  }

  encodeBatch(items: readonly BatchItem[]): Buffer {
    return this.name === 'msgpack' ? packr.pack(items) : Buffer.from(JSON.stringify(items));
  }

  /** Decodes one envelope; throws DecodeError on anything that is not a well-formed envelope. */
  decode(frame: Uint8Array): RawEnvelope {
    return checkEnvelope(parseFrame(frame));
  }

  /** Decodes a batch frame into its items; a malformed item fails the whole frame. */
  decodeBatch(frame: Uint8Array): BatchItem[] {
    const value = parseFrame(frame);
    if (!Array.isArray(value)) throw new DecodeError('ARB_FRAME_DECODE', 'batch frame is not an array');
    // Checked in place: the decoded array already has the batch's shape, so no copy per frame
    // and no new [topic, envelope] pair per item.
    for (const item of value as unknown[]) {
      if (!Array.isArray(item) || item.length !== 2 || typeof item[0] !== 'string') {
        throw new DecodeError('ARB_FRAME_DECODE', 'batch item is not [topic, envelope]');
      }
      checkEnvelope(item[1]);
    }
    return value as BatchItem[];
  }
}

function parseFrame(frame: Uint8Array): unknown {
  if (frame.length === 0) throw new DecodeError('ARB_FRAME_DECODE', 'empty frame');
  const first = frame[0];
  try {
    if (first === JSON_OBJECT || first === JSON_ARRAY) {
      return JSON.parse(Buffer.from(frame.buffer, frame.byteOffset, frame.length).toString('utf8'));
    }
    return packr.unpack(frame);
  } catch (err) {
    throw new DecodeError('ARB_FRAME_DECODE', `undecodable frame (${(err as Error).message})`);
  }
}

const isFiniteInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

function checkEnvelope(value: unknown): RawEnvelope {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DecodeError('ARB_FRAME_DECODE', 'envelope is not a map');
  }
  const e = value as Record<string, unknown>;
  const bad =
    typeof e.v !== 'number' ? 'v' :
    typeof e.type !== 'string' ? 'type' :
    typeof e.id !== 'string' ? 'id' :
    typeof e.src !== 'string' ? 'src' :
    !isFiniteInt(e.seq) || e.seq < 0 ? 'seq' :
    !isFiniteInt(e.ts) ? 'ts' :
    !isFiniteInt(e.origin_ts) ? 'origin_ts' :
    e.cause !== undefined && e.cause !== null && typeof e.cause !== 'string' ? 'cause' :
    typeof e.data !== 'object' || e.data === null ? 'data' :
    null;
  if (bad !== null) throw new DecodeError('ARB_FRAME_DECODE', `envelope field "${bad}" is missing or malformed`);
  return e as unknown as RawEnvelope;
}
