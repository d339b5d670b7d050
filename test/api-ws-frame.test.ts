/** The api's pre-built WebSocket text frames, read back by the `ws` library's own frame parser. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as wsModule from 'ws';
import type { EventEmitter } from 'node:events';
import { encodeTextFrame } from '../src/services/api/ws-frame.js';

// ws's frame parser (ws/lib/receiver.js); @types/ws does not declare it.
const { Receiver } = wsModule as unknown as { Receiver: new (options: { isServer: boolean }) => EventEmitter & { write(chunk: Buffer): void } };

function decode(frame: Buffer): string[] {
  const receiver = new Receiver({ isServer: false });
  const out: string[] = [];
  receiver.on('message', (data: Buffer, isBinary: boolean) => {
    expect(isBinary).toBe(false);
    out.push(data.toString('utf8'));
  });
  receiver.on('error', (err: Error) => {
    throw err;
  });
  receiver.write(frame);
  return out;
}

describe('encodeTextFrame', () => {
  it('frames the 7-bit, 16-bit and 64-bit payload lengths exactly', () => {
    for (const size of [0, 1, 125, 126, 127, 65_535, 65_536, 200_000]) {
      const text = 'x'.repeat(size);
      const frame = encodeTextFrame(text);
      expect(decode(frame)).toEqual([text]);
      expect(frame.length).toBe(size + (size < 126 ? 2 : size <= 65_535 ? 4 : 10));
    }
  });

  it('round-trips any text, multi-byte characters included, and frames back to back', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 300 }), { minLength: 1, maxLength: 5 }), (texts) => {
        const wellFormed = texts.map((t) => Buffer.from(t, 'utf8').toString('utf8'));
        expect(decode(Buffer.concat(wellFormed.map(encodeTextFrame)))).toEqual(wellFormed);
      }),
    );
  });
});
