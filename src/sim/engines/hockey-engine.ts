/**
 * Hockey as two independent Poisson goal processes (rates set by the hidden strength), three
 * 20-minute periods, then 5 minutes of sudden-death overtime at a higher rate and a shootout.
 * Shots on goal are decoration drawn from their own Poisson process and carry no information.
 * True win probability: Skellam over the regulation time left, plus the tie mass times the
 * closed-form overtime/shootout probability.
 */
import { clamp01, poissonRace } from './distributions.js';
import { EventEngine } from './event-engine.js';
import type { EngineOptions, PlayEvent, Side } from './game-engine.js';

export interface HockeyRules {
  periodS: number;
  overtimeS: number;
  /** Goals per team per 60 minutes for an average team. */
  goalsPer60: number;
  /** Overtime (3 on 3) goal-rate multiplier. */
  overtimeRateFactor: number;
  shotsPer60: number;
  /** Home advantage and SD of strength, as log rate ratios. */
  homeEdge: number;
  strengthSd: number;
  elapsedPerClockS: number;
  intermissionS: number;
  shootoutS: number;
}

export const NHL_RULES: Readonly<HockeyRules> = Object.freeze({
  periodS: 1200,
  overtimeS: 300,
  goalsPer60: 3.05,
  overtimeRateFactor: 1.8,
  shotsPer60: 28,
  homeEdge: 0.08,
  strengthSd: 0.22,
  elapsedPerClockS: 1.9,
  intermissionS: 1080,
  shootoutS: 240,
});

type Pending = 'period_start' | 'clock_event' | 'shootout';

export class HockeyEngine extends EventEngine {
  readonly family = 'hockey' as const;
  private readonly rules: HockeyRules;
  /** Goals per clock second. */
  private readonly rate: Record<Side, number>;
  private readonly shootoutHome: number;
  private readonly overtimeWin: number;
  private pending: Pending = 'period_start';
  private nextIsGoal = false;

  constructor(options: EngineOptions, rules: HockeyRules = NHL_RULES) {
    super(options, 3);
    this.rules = rules;
    const logRatio = rules.homeEdge + this.strength * rules.strengthSd;
    const base = rules.goalsPer60 / 3600;
    this.rate = { home: base * Math.exp(logRatio / 2), away: base * Math.exp(-logRatio / 2) };
    this.shootoutHome = Math.min(0.65, Math.max(0.35, 0.5 + 0.25 * logRatio));
    this.overtimeWin = this.overtimeFrom(rules.overtimeS);
    this.nextAt = 0;
  }

  /** P(home wins) from a tie with `leftS` of overtime to play, shootout after. */
  private overtimeFrom(leftS: number): number {
    const f = this.rules.overtimeRateFactor;
    const total = (this.rate.home + this.rate.away) * f;
    const anyGoal = 1 - Math.exp(-total * leftS);
    return (this.rate.home / (this.rate.home + this.rate.away)) * anyGoal + (1 - anyGoal) * this.shootoutHome;
  }

  private regulationLeft(): number {
    if (this.phase === 'pre') return 3 * this.rules.periodS;
    const current = this.phase === 'live' ? this.clockNow() : 0;
    return current + Math.max(0, 3 - this.period) * this.rules.periodS;
  }

  homeWinProb(): number {
    if (this.phase === 'final') return this.homeScore > this.awayScore ? 1 : 0;
    const lead = this.homeScore - this.awayScore;
    if (this.period === 5) return this.shootoutHome;
    // Overtime over and level: the shootout is next.
    if (this.period === 4) return this.phase === 'live' ? this.overtimeFrom(this.clockNow()) : this.shootoutHome;
    // Regulation over and level, waiting for overtime.
    if (this.period === 3 && this.phase !== 'live') return lead === 0 ? this.overtimeWin : lead > 0 ? 1 : 0;
    const t = this.regulationLeft();
    const o = poissonRace(lead, this.rate.home * t, this.rate.away * t);
    return clamp01(o.win + o.tie * this.overtimeWin);
  }

  protected fire(plays: PlayEvent[]): void {
    if (this.pending === 'period_start') this.beginPeriod(plays);
    else if (this.pending === 'shootout') this.shootout(plays);
    else this.clockEvent(plays);
  }

  private rateFactor(): number {
    return this.period === 4 ? this.rules.overtimeRateFactor : 1;
  }

  private beginPeriod(plays: PlayEvent[]): void {
    const next = this.period + 1;
    this.startPeriod(next, next === 4 ? this.rules.overtimeS : this.rules.periodS);
    this.play(plays, 'period_start', next === 4 ? 'Start of Overtime' : `Start of ${ordinal(next)} Period`);
    this.pending = 'clock_event';
    this.scheduleClockEvent();
  }

  /** Next goal or shot, whichever comes first, or the end of the period. */
  private scheduleClockEvent(): void {
    const clock = this.clockNow();
    const f = this.rateFactor();
    const goalIn = this.rng.exp((this.rate.home + this.rate.away) * f);
    const shotIn = this.rng.exp(((2 * this.rules.shotsPer60) / 3600) * f);
    const dt = Math.min(goalIn, shotIn, clock);
    this.nextIsGoal = goalIn <= shotIn && goalIn < clock;
    this.schedule(dt * this.rules.elapsedPerClockS, clock - dt);
  }

  private scoringSide(): Side {
    return this.rng.chance(this.rate.home / (this.rate.home + this.rate.away)) ? 'home' : 'away';
  }

  private clockEvent(plays: PlayEvent[]): void {
    const clock = this.clockNow();
    if (clock <= 1e-9) {
      this.endPeriod(plays);
      return;
    }
    const side = this.scoringSide();
    if (this.nextIsGoal) {
      this.addScore(side, 1);
      this.play(plays, 'goal', `Goal by ${this.labels[side]}`, side, 1);
      if (this.period === 4) {
        this.play(plays, 'game_end', 'End of Game (OT)');
        this.finish(false);
        return;
      }
    } else {
      this.play(plays, 'shot', `Shot on goal by ${this.labels[side]} saved`, side);
    }
    this.scheduleClockEvent();
  }

  private endPeriod(plays: PlayEvent[]): void {
    this.play(plays, 'period_end', `End of ${this.period === 4 ? 'Overtime' : `${ordinal(this.period)} Period`}`);
    if (this.period >= 3 && this.homeScore !== this.awayScore) {
      this.play(plays, 'game_end', 'End of Game');
      this.finish(false);
      return;
    }
    this.phase = 'break';
    if (this.period === 4) {
      this.pending = 'shootout';
      this.schedule(this.rules.shootoutS, 0);
      return;
    }
    this.pending = 'period_start';
    this.schedule(this.period === 3 ? 120 : this.rules.intermissionS, 0);
  }

  private shootout(plays: PlayEvent[]): void {
    this.startPeriod(5, 0);
    const side: Side = this.rng.chance(this.shootoutHome) ? 'home' : 'away';
    // The NHL credits the shootout winner with one goal in the final score.
    this.addScore(side, 1);
    this.play(plays, 'shootout', `${this.labels[side]} win the shootout`, side, 1);
    this.finish(false);
  }
}

export function ordinal(n: number): string {
  const s = ['th', 'st', 'nd', 'rd'];
  const v = n % 100;
  return `${n}${s[(v - 20) % 10] ?? s[v] ?? s[0]}`;
}
