/**
 * The recent true-probability samples of one game, in simulated time, trimmed to what a lagged
 * market maker still needs (everything after the cutoff plus the last sample at or before it).
 * Keeps quoting cheap however long the game runs.
 */
import type { ProbPoint } from './market-maker.js';

export interface GameSample {
  tMs: number;
  homeWinProb: number;
  drawProb: number;
}

export type Outcome = 'home' | 'away' | 'draw';

export class ProbTrail {
  private samples: GameSample[] = [];

  constructor(initial: readonly GameSample[] = []) {
    for (const s of initial) this.push(s);
  }

  get size(): number {
    return this.samples.length;
  }

  /** Appends a sample newer than the last one (older or unchanged ones are ignored). */
  push(s: GameSample): void {
    const last = this.samples.at(-1);
    if (last && (s.tMs < last.tMs || (last.homeWinProb === s.homeWinProb && last.drawProb === s.drawProb))) return;
    if (last && s.tMs === last.tMs) this.samples[this.samples.length - 1] = { ...s };
    else this.samples.push({ ...s });
  }

  /** Drops samples no quote at or after `cutoffMs` can look at. */
  trim(cutoffMs: number): void {
    let keepFrom = 0;
    while (keepFrom + 1 < this.samples.length && this.samples[keepFrom + 1]!.tMs <= cutoffMs) keepFrom++;
    if (keepFrom > 0) this.samples = this.samples.slice(keepFrom);
  }

  /** The probability that `outcome` happens (or, `complement`, does not), over time. */
  points(outcome: Outcome, complement = false): ProbPoint[] {
    return this.samples.map((s) => {
      const p = outcome === 'home' ? s.homeWinProb : outcome === 'draw' ? s.drawProb : Math.max(0, 1 - s.homeWinProb - s.drawProb);
      return { tMs: s.tMs, p: complement ? 1 - p : p };
    });
  }
}
