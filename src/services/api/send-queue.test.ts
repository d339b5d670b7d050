import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SendQueue } from './send-queue.js';

const frame = (text: string) => Buffer.from(text);
const texts = (frames: Buffer[]) => frames.map((f) => f.toString());

function drain(q: SendQueue, maxBytes = 1): string[] {
  const out: Buffer[] = [];
  while (q.length > 0) q.take(maxBytes, out);
  return texts(out);
}

describe('SendQueue', () => {
  it('keeps order, and a newer frame of a waiting topic takes the older one’s place', () => {
    const q = new SendQueue();
    q.push(frame('p1'), 'prices.A');
    q.push(frame('s1'));
    q.push(frame('b1'), 'prices.B');
    expect(q.replace('prices.A', frame('p2'))).toBe(true);
    expect(q.replace('prices.C', frame('c1'))).toBe(false);
    expect(q.length).toBe(3);
    expect(drain(q)).toEqual(['p2', 's1', 'b1']);
  });

  it('a topic whose frame was taken waits afresh: the next frame is appended, not replaced', () => {
    const q = new SendQueue();
    q.push(frame('p1'), 'prices.A');
    const out: Buffer[] = [];
    q.take(1, out);
    expect(q.replace('prices.A', frame('p2'))).toBe(false);
    q.push(frame('p2'), 'prices.A');
    q.take(100, out);
    expect(texts(out)).toEqual(['p1', 'p2']);
  });

  it('takes until the byte budget is reached, at least one frame, and reports the bytes', () => {
    const q = new SendQueue();
    for (const t of ['aaaa', 'bb', 'cccccc', 'd']) q.push(frame(t));
    const out: Buffer[] = [];
    expect(q.take(5, out)).toBe(6);
    expect(texts(out)).toEqual(['aaaa', 'bb']);
    out.length = 0;
    expect(q.take(1, out)).toBe(6);
    expect(texts(out)).toEqual(['cccccc']);
    expect(q.length).toBe(1);
  });

  it('replaces the right frame after the taken head is compacted away', () => {
    const q = new SendQueue();
    for (let i = 0; i < 3000; i++) q.push(frame(`s${String(i).padStart(4, '0')}`)); // 5 bytes each
    q.push(frame('p1'), 'prices.A');
    q.push(frame('s-last'));
    const out: Buffer[] = [];
    // 1600 taken: more than 1024 and more than half of the 3002, so the arrays are compacted
    // while prices.A waits, and its index must move with them.
    q.take(5 * 1600, out);
    expect(out.length).toBe(1600);
    expect(q.replace('prices.A', frame('p2'))).toBe(true);
    const rest = drain(q, 1e9);
    expect(rest.at(-2)).toBe('p2');
    expect(rest.at(-1)).toBe('s-last');
    expect(out.length + rest.length).toBe(3002);
  });

  it('matches a plain model under any mix of pushes, replacements and takes', () => {
    type Op = { kind: 'push'; topic: string | null } | { kind: 'take'; bytes: number };
    const op = fc.oneof(
      fc.record({ kind: fc.constant('push' as const), topic: fc.constantFrom(null, 'prices.A', 'prices.B', 'orderbook.C') }),
      fc.record({ kind: fc.constant('take' as const), bytes: fc.integer({ min: 1, max: 40 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 3000 }), (ops: Op[]) => {
        const q = new SendQueue();
        const model: { text: string; topic: string | null }[] = [];
        const sent: string[] = [];
        const expected: string[] = [];
        ops.forEach((o, i) => {
          if (o.kind === 'push') {
            const text = `m${i}`;
            const waiting = o.topic === null ? undefined : model.find((m) => m.topic === o.topic);
            if (waiting !== undefined) {
              waiting.text = text;
              expect(q.replace(o.topic!, frame(text))).toBe(true);
            } else {
              if (o.topic !== null) expect(q.replace(o.topic, frame(text))).toBe(false);
              model.push({ text, topic: o.topic });
              q.push(frame(text), o.topic);
            }
          } else {
            const out: Buffer[] = [];
            const bytes = q.take(o.bytes, out);
            let taken = 0;
            while (model.length > 0 && (taken < o.bytes || expected.length === sent.length)) {
              const m = model.shift()!;
              taken += m.text.length;
              expected.push(m.text);
              if (taken >= o.bytes) break;
            }
            sent.push(...texts(out));
            expect(bytes).toBe(taken);
          }
          expect(q.length).toBe(model.length);
        });
        expect(sent).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});
