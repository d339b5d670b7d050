import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.js';

function breaker() {
  let now = 1_000;
  const events: string[] = [];
  const b = new CircuitBreaker({ failureThreshold: 3, openMs: 500, now: () => now });
  b.on('open', ({ failures }) => events.push(`open:${failures}`));
  b.on('close', ({ openForMs }) => events.push(`close:${openForMs}`));
  return { b, events, advance: (ms: number) => (now += ms) };
}

describe('CircuitBreaker', () => {
  it('opens after N consecutive failures only (a success resets the count)', () => {
    const { b, events } = breaker();
    b.failure('x');
    b.failure('x');
    b.success();
    b.failure('x');
    b.failure('x');
    expect(b.current).toBe('closed');
    b.failure('x');
    expect(b.current).toBe('open');
    expect(events).toEqual(['open:3']);
    expect(b.tryAcquire()).toBe(false);
  });

  it('half-opens after openMs with a single probe; a failed probe reopens silently, a good one closes', () => {
    const { b, events, advance } = breaker();
    for (let i = 0; i < 3; i++) b.failure('x');
    advance(499);
    expect(b.tryAcquire()).toBe(false);
    advance(1);
    expect(b.current).toBe('half_open');
    expect(b.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false); // one probe at a time
    b.failure('still down');
    expect(b.current).toBe('open');
    expect(b.retryInMs()).toBe(500);
    advance(500);
    expect(b.tryAcquire()).toBe(true);
    b.success();
    expect(b.current).toBe('closed');
    expect(events).toEqual(['open:3', 'close:1000']);
    expect(b.stats()).toMatchObject({ opened: 1, closed: 1, refused: 2 });
  });
});
