/**
 * Soccer as two independent Poisson goal processes over two 45-minute halves plus stoppage
 * time (drawn when each half starts, uniform over whole minutes). Draws stand. True win and
 * draw probabilities: Skellam over the time left, averaged over the not-yet-drawn stoppage of
 * the second half while the first is on. Shots are decoration from their own process.
 */
import { clamp01, poissonRace } from './distributions.js';
import { EventEngine } from './event-engine.js';
import type { EngineOptions, PlayEvent, Side } from './game-engine.js';

export interface SoccerRules {
  halfS: number;
  /** Stoppage minutes per half, drawn uniformly from [min, max]. */
  firstStoppageMin: [number, number];
  secondStoppageMin: [number, number];
  goalsPer90: number;
  shotsPer90: number;
  homeEdge: number;
  strengthSd: number;
  halftimeS: number;
}

export const EPL_RULES: Readonly<SoccerRules> = Object.freeze({
  halfS: 2700,
  firstStoppageMin: [1, 4] as [number, number],
  secondStoppageMin: [3, 8] as [number, number],
  goalsPer90: 1.4,
  shotsPer90: 12,
  homeEdge: 0.22,
  strengthSd: 0.35,
  halftimeS: 900,
});

export const MLS_RULES: Readonly<SoccerRules> = Object.freeze({ ...EPL_RULES, goalsPer90: 1.55, homeEdge: 0.3 });

type Pending = 'half_start' | 'clock_event';

export class SoccerEngine extends EventEngine {
  readonly family = 'soccer' as const;
  private readonly rules: SoccerRules;
  private readonly rate: Record<Side, number>;
  private pending: Pending = 'half_start';
  private nextIsGoal = false;
  private halfLength = 0;

  constructor(options: EngineOptions, rules: SoccerRules = EPL_RULES) {
    super(options, 2);
    this.rules = rules;
    const logRatio = rules.homeEdge + this.strength * rules.strengthSd;
    const base = rules.goalsPer90 / (2 * rules.halfS);
    this.rate = { home: base * Math.exp(logRatio / 2), away: base * Math.exp(-logRatio / 2) };
    this.nextAt = 0;
  }

  protected override periodLengthS(): number {
    return this.halfLength;
  }

  /** Possible lengths of a future half with their probabilities. */
  private halfLengths([lo, hi]: [number, number]): [number, number][] {
    const n = hi - lo + 1;
    return Array.from({ length: n }, (_, i) => [this.rules.halfS + (lo + i) * 60, 1 / n]);
  }

  /** Remaining playing time as a distribution: known parts plus undrawn stoppages. */
  private remaining(): [number, number][] {
    const second = this.halfLengths(this.rules.secondStoppageMin);
    if (this.phase === 'pre') {
      const first = this.halfLengths(this.rules.firstStoppageMin);
      return first.flatMap(([a, pa]) => second.map(([b, pb]): [number, number] => [a + b, pa * pb]));
    }
    if (this.period === 1 && this.phase === 'live') return second.map(([b, p]) => [this.clockNow() + b, p]);
    if (this.period === 1) return second;
    return [[this.phase === 'live' ? this.clockNow() : 0, 1]];
  }

  private outcome(): { win: number; tie: number } {
    if (this.phase === 'final') {
      const d = this.homeScore - this.awayScore;
      return { win: d > 0 ? 1 : 0, tie: d === 0 ? 1 : 0 };
    }
    const lead = this.homeScore - this.awayScore;
    let win = 0;
    let tie = 0;
    for (const [t, p] of this.remaining()) {
      const o = poissonRace(lead, this.rate.home * t, this.rate.away * t);
      win += p * o.win;
      tie += p * o.tie;
    }
    return { win: clamp01(win), tie: clamp01(tie) };
  }

  homeWinProb(): number {
    return this.outcome().win;
  }

  override drawProb(): number {
    return this.outcome().tie;
  }

  protected fire(plays: PlayEvent[]): void {
    if (this.pending === 'half_start') this.beginHalf(plays);
    else this.clockEvent(plays);
  }

  private beginHalf(plays: PlayEvent[]): void {
    const next = this.period + 1;
    const [lo, hi] = next === 1 ? this.rules.firstStoppageMin : this.rules.secondStoppageMin;
    this.halfLength = this.rules.halfS + this.rng.int(lo, hi) * 60;
    this.startPeriod(next, this.halfLength);
    this.play(plays, 'kickoff', next === 1 ? 'First Half begins.' : 'Second Half begins.');
    this.pending = 'clock_event';
    this.scheduleClockEvent();
  }

  private scheduleClockEvent(): void {
    const clock = this.clockNow();
    const goalIn = this.rng.exp(this.rate.home + this.rate.away);
    const shotIn = this.rng.exp((2 * this.rules.shotsPer90) / (2 * this.rules.halfS));
    const dt = Math.min(goalIn, shotIn, clock);
    this.nextIsGoal = goalIn <= shotIn && goalIn < clock;
    this.schedule(dt, clock - dt);
  }

  private clockEvent(plays: PlayEvent[]): void {
    if (this.clockNow() <= 1e-9) {
      this.endHalf(plays);
      return;
    }
    const side: Side = this.rng.chance(this.rate.home / (this.rate.home + this.rate.away)) ? 'home' : 'away';
    if (this.nextIsGoal) {
      this.addScore(side, 1);
      this.play(plays, 'goal', `Goal! ${this.labels[side]} score.`, side, 1);
    } else {
      this.play(plays, 'shot', `Attempt saved. ${this.labels[side]} shot from outside the box.`, side);
    }
    this.scheduleClockEvent();
  }

  private endHalf(plays: PlayEvent[]): void {
    if (this.period === 1) {
      this.play(plays, 'half_end', 'First Half ends.');
      this.phase = 'halftime';
      this.pending = 'half_start';
      this.schedule(this.rules.halftimeS, 0);
      return;
    }
    this.play(plays, 'match_end', 'Match ends.');
    this.finish(true);
  }
}
