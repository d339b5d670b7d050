import { describe, expect, it } from 'vitest';
import { RestartBackoff } from './restart-backoff.js';

describe('restart backoff', () => {
  it('doubles from the initial delay up to the cap while the child keeps crashing', () => {
    const b = new RestartBackoff({ initialMs: 500, maxMs: 30_000, stableMs: 60_000 });
    const delays = Array.from({ length: 9 }, () => b.nextDelay(100));
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(b.crashes).toBe(9);
  });

  it('starts again from the initial delay after the child stayed up long enough', () => {
    const b = new RestartBackoff({ initialMs: 200, maxMs: 10_000, stableMs: 5_000 });
    b.nextDelay(10);
    b.nextDelay(10);
    expect(b.nextDelay(4_999)).toBe(800);
    expect(b.nextDelay(5_000)).toBe(200);
    expect(b.nextDelay(1)).toBe(400);
  });

  it('never overflows after very many crashes', () => {
    const b = new RestartBackoff({ initialMs: 500, maxMs: 30_000, stableMs: 60_000 });
    for (let i = 0; i < 10_000; i++) b.nextDelay(0);
    expect(b.nextDelay(0)).toBe(30_000);
  });
});
