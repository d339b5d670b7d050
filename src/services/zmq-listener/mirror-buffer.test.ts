import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MirrorBuffer } from './mirror-buffer.js';

describe('mirror buffer', () => {
  it('keeps FIFO order across growth', () => {
    const buffer = new MirrorBuffer<number>(10_000);
    for (let i = 0; i < 5_000; i++) buffer.push(i);
    expect(buffer.take(3)).toEqual([0, 1, 2]);
    for (let i = 5_000; i < 6_000; i++) buffer.push(i);
    const rest = buffer.take(10_000);
    expect(rest.length).toBe(5_997);
    expect(rest[0]).toBe(3);
    expect(rest.at(-1)).toBe(5_999);
    expect(rest.every((v, i) => v === i + 3)).toBe(true);
    expect(buffer.size).toBe(0);
  });

  it('drops the oldest at the bound and counts every drop', () => {
    const buffer = new MirrorBuffer<number>(100);
    let droppedNow = 0;
    for (let i = 0; i < 250; i++) droppedNow += buffer.push(i);
    expect(droppedNow).toBe(150);
    expect(buffer.dropped).toBe(150);
    expect(buffer.take(1_000)).toEqual(Array.from({ length: 100 }, (_, i) => 150 + i));
  });

  it('requeues failed entries ahead of newer ones, in order', () => {
    const buffer = new MirrorBuffer<number>(100);
    for (let i = 0; i < 10; i++) buffer.push(i);
    const inFlight = buffer.take(4);
    buffer.push(10);
    expect(buffer.requeueFront(inFlight)).toBe(0);
    expect(buffer.take(100)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('drops the oldest requeued entries when requeueing overflows the bound', () => {
    const buffer = new MirrorBuffer<number>(5);
    for (let i = 0; i < 5; i++) buffer.push(i);
    const inFlight = buffer.take(5);
    buffer.push(5);
    buffer.push(6);
    expect(buffer.requeueFront(inFlight)).toBe(2);
    expect(buffer.dropped).toBe(2);
    expect(buffer.take(10)).toEqual([2, 3, 4, 5, 6]);
  });

  it('behaves like a bounded array model under any sequence of operations', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('push' as const), n: fc.integer({ min: 1, max: 40 }) }),
      fc.record({ kind: fc.constant('take' as const), n: fc.integer({ min: 0, max: 40 }) }),
      fc.record({ kind: fc.constant('requeue' as const), n: fc.integer({ min: 0, max: 40 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.array(op, { maxLength: 60 }), (capacity, ops) => {
        const buffer = new MirrorBuffer<number>(capacity);
        let model: number[] = [];
        let dropped = 0;
        let next = 0;
        let taken: number[] = [];
        for (const o of ops) {
          if (o.kind === 'push') {
            for (let i = 0; i < o.n; i++) {
              buffer.push(next);
              model.push(next++);
              if (model.length > capacity) {
                model.shift();
                dropped++;
              }
            }
          } else if (o.kind === 'take') {
            taken = buffer.take(o.n);
            expect(taken).toEqual(model.slice(0, o.n));
            model = model.slice(o.n);
          } else {
            const back = taken.slice(0, o.n);
            taken = [];
            buffer.requeueFront(back);
            model = [...back, ...model];
            while (model.length > capacity) {
              model.shift();
              dropped++;
            }
          }
          expect(buffer.size).toBe(model.length);
          expect(buffer.dropped).toBe(dropped);
        }
        expect(buffer.take(capacity + 1)).toEqual(model);
      }),
      { numRuns: 300 },
    );
  });
});
