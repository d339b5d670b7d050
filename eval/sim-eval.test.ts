import { describe, expect, it } from 'vitest';
import { SPORTS } from '../src/core/topics.js';
import { runSimEval } from './sim-eval.js';

describe('simulated-game evaluation', () => {
  it('plays every sport to the end and scores the engine truth well below a coin flip', () => {
    const r = runSimEval({ worlds: 1, gamesPerWorld: 16, stepS: 120, sampleEveryS: 240, seed: 99 });
    expect(r.bySport.map((s) => s.sport).sort()).toEqual([...SPORTS].sort());
    for (const s of r.bySport) {
      expect(s.games, s.sport).toBe(2);
      expect(s.states, s.sport).toBeGreaterThan(10);
    }
    // Two games per sport can both be upsets; sixteen together cannot plausibly all be.
    expect(r.all['engine truth (floor)'].scores().brier).toBeLessThan(0.22);
    expect(r.all['arbees (market prior)'].scores().n).toBe(r.bySport.reduce((n, s) => n + s.states, 0));
    expect(r.modelMicrosPerCall).toBeGreaterThan(0);
  }, 120_000);
});
