import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RawEnvelope } from './envelope.js';
import { TopicThrottle } from './topic-throttle.js';

const env = (n: number, status = 'open'): RawEnvelope => ({ v: 1, type: 'price', id: `i${n}`, src: 's', seq: n, ts: n, origin_ts: n, data: { n, status } });
const nOf = (e: RawEnvelope) => (e.data as { n: number }).n;

describe('TopicThrottle', () => {
  let sent: [string, number][];
  const throttle = (intervalMs: number, urgent?: (e: RawEnvelope) => boolean) =>
    new TopicThrottle({ intervalMs, emit: (topic, e) => sent.push([topic, nOf(e)]), urgent });

  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
  });
  afterEach(() => vi.useRealTimers());

  it('sends the first message of a quiet topic at once, then the latest once per interval', () => {
    const t = throttle(1_000);
    t.offer('a', env(1));
    expect(sent).toEqual([['a', 1]]);
    t.offer('a', env(2));
    t.offer('a', env(3));
    expect(sent).toHaveLength(1);
    expect(t.pending).toBe(1);
    vi.advanceTimersByTime(999);
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(101); // the next sweep after the interval
    expect(sent).toEqual([['a', 1], ['a', 3]]);
    expect(t.held).toBe(1);
    vi.advanceTimersByTime(5_000);
    expect(sent).toHaveLength(2); // nothing new, nothing sent
  });

  it('keeps a clock per topic, so topics go when their own interval is up, not all together', () => {
    const t = throttle(1_000);
    t.offer('a', env(1));
    vi.advanceTimersByTime(500);
    t.offer('b', env(2));
    t.offer('a', env(3));
    t.offer('b', env(4));
    vi.advanceTimersByTime(600); // a's interval is up, b's is not
    expect(sent).toEqual([['a', 1], ['b', 2], ['a', 3]]);
    vi.advanceTimersByTime(500);
    expect(sent).toEqual([['a', 1], ['b', 2], ['a', 3], ['b', 4]]);
  });

  it('sends a message at once when its topic has been quiet for an interval, and forgets quiet topics', () => {
    const t = throttle(100);
    t.offer('a', env(1));
    vi.advanceTimersByTime(250);
    t.offer('a', env(2));
    expect(sent).toEqual([['a', 1], ['a', 2]]);
    vi.advanceTimersByTime(1_000);
    expect(vi.getTimerCount()).toBe(0); // no clock left to keep, no timer
  });

  it('sends urgent messages at once, replacing what their topic held', () => {
    const t = throttle(1_000, (e) => (e.data as { status: string }).status !== 'open');
    t.offer('a', env(1));
    t.offer('a', env(2));
    t.offer('a', env(3, 'halted'));
    expect(sent).toEqual([['a', 1], ['a', 3]]);
    vi.advanceTimersByTime(2_000);
    expect(sent).toHaveLength(2); // the replaced 2 never goes after the halt
  });

  it('sends everything as it comes with an interval of 0, and flushes what it holds', () => {
    const none = throttle(0);
    none.offer('a', env(1));
    none.offer('a', env(2));
    expect(sent).toEqual([['a', 1], ['a', 2]]);
    expect(vi.getTimerCount()).toBe(0);
    const t = throttle(1_000);
    t.offer('b', env(3));
    t.offer('b', env(4));
    t.flush();
    expect(sent.slice(2)).toEqual([['b', 3], ['b', 4]]);
    t.stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});
