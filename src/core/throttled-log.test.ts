import { describe, expect, it } from 'vitest';
import { ThrottledLog, type ThrottledLogSink } from './throttled-log.js';

function recorder(): ThrottledLogSink & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    debug: (_o, m) => lines.push(`debug ${m}`),
    warn: (_o, m) => lines.push(`warn ${m}`),
    error: (_o, m) => lines.push(`error ${m}`),
  };
}

describe('ThrottledLog', () => {
  it('lets at most maxPerWindow lines through per window, across levels, and counts the rest', () => {
    let now = 1_000_000;
    const sink = recorder();
    const log = new ThrottledLog(sink, { maxPerWindow: 2, windowMs: 1_000, now: () => now });
    expect(log.warn({}, 'a')).toBe(true);
    expect(log.error({}, 'b')).toBe(true);
    expect(log.debug({}, 'c')).toBe(false);
    expect(log.warn({}, 'd')).toBe(false);
    now += 999;
    expect(log.warn({}, 'e')).toBe(false);
    now += 1;
    expect(log.warn({}, 'f')).toBe(true);
    expect(sink.lines).toEqual(['warn a', 'error b', 'warn f']);
    expect(log.suppressed).toBe(3);
  });

  it('with one line per window behaves as "at most once every windowMs"', () => {
    let now = 0;
    const sink = recorder();
    const log = new ThrottledLog(sink, { maxPerWindow: 1, windowMs: 5_000, now: () => now });
    for (; now < 12_000; now += 500) log.debug({}, String(now));
    expect(sink.lines).toEqual(['debug 0', 'debug 5000', 'debug 10000']);
  });

  it('allow() shares the budget with the lines, for callers that build nothing when suppressed', () => {
    let now = 0;
    const sink = recorder();
    const log = new ThrottledLog(sink, { maxPerWindow: 2, windowMs: 1_000, now: () => now });
    expect(log.allow()).toBe(true);
    expect(log.warn({}, 'a')).toBe(true);
    expect(log.allow()).toBe(false);
    expect(log.warn({}, 'b')).toBe(false);
    now += 1_000;
    expect(log.allow()).toBe(true);
    expect(sink.lines).toEqual(['warn a']);
    expect(log.suppressed).toBe(2);
  });
});
