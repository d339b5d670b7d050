/**
 * Basketball as alternating possessions. Each period has a fixed even number of possessions
 * (so each side gets exactly half) whose durations are a random split of the period clock;
 * a possession scores 0-3 points from a per-team distribution shifted by the hidden strength.
 * Because the possession counts are fixed and the points independent, the true win
 * probability is exact: P(lead + H(n_home) - A(n_away) > 0) plus the tie mass times the
 * probability of winning the overtime sequence.
 */
import { clamp01, convolutionPowers, diffOutcome, type Pmf } from './distributions.js';
import { EventEngine } from './event-engine.js';
import type { EngineOptions, PlayEvent, Side } from './game-engine.js';

export interface BasketballRules {
  periods: number;
  periodS: number;
  /** Even: each side gets half. */
  possessionsPerPeriod: number;
  overtimeS: number;
  overtimePossessions: number;
  /** P(0), P(1), P(2), P(3) points on a possession for an average offense. */
  pointsPmf: readonly number[];
  /** SD of the home-minus-away scoring multiplier across games. */
  strengthSd: number;
  /** Home advantage as a scoring multiplier difference. */
  homeEdge: number;
  /** Elapsed seconds per game-clock second while the clock runs (stoppages, free throws...). */
  elapsedPerClockS: number;
  breakS: number;
  halftimeS: number;
}

export const NBA_RULES: Readonly<BasketballRules> = Object.freeze({
  periods: 4,
  periodS: 720,
  possessionsPerPeriod: 50,
  overtimeS: 300,
  overtimePossessions: 20,
  pointsPmf: [0.47, 0.05, 0.36, 0.12],
  strengthSd: 0.055,
  homeEdge: 0.022,
  elapsedPerClockS: 2.6,
  breakS: 130,
  halftimeS: 900,
});

export const NCAAB_RULES: Readonly<BasketballRules> = Object.freeze({
  periods: 2,
  periodS: 1200,
  possessionsPerPeriod: 68,
  overtimeS: 300,
  overtimePossessions: 18,
  pointsPmf: [0.5, 0.05, 0.35, 0.1],
  strengthSd: 0.07,
  homeEdge: 0.03,
  elapsedPerClockS: 2.9,
  breakS: 120,
  halftimeS: 900,
});

function scoringPmf(base: readonly number[], multiplier: number): Pmf {
  const p = new Float64Array(4);
  let scored = 0;
  for (let k = 1; k < 4; k++) {
    p[k] = base[k]! * multiplier;
    scored += p[k]!;
  }
  p[0] = 1 - scored;
  return p;
}

const MAKE_TEXT: Record<number, readonly string[]> = {
  1: ['makes free throw 1 of 2', 'makes technical free throw', 'makes free throw 2 of 2'],
  2: ['makes driving layup', 'makes 15-foot jumper', 'makes dunk', 'makes floating jump shot', 'makes 2 free throws'],
  3: ['makes 26-foot three point jumper', 'makes 24-foot three pointer', 'makes three point pullup jump shot'],
};
const MISS_TEXT = ['misses jump shot', 'bad pass (turnover)', 'misses three point jumper', 'offensive foul', 'misses layup'];

export class BasketballEngine extends EventEngine {
  readonly family = 'basketball' as const;
  private readonly rules: BasketballRules;
  private readonly pmf: Record<Side, Pmf>;
  private readonly powers: Record<Side, Pmf[]>;
  private readonly overtimeWin: number;
  private pending: 'period_start' | 'possession' = 'period_start';
  private durations: number[] = [];
  private index = 0;
  private starter: Side = 'home';
  private jumpWinner: Side = 'home';

  constructor(options: EngineOptions, rules: BasketballRules = NBA_RULES) {
    super(options, rules.periods);
    this.rules = rules;
    const edge = rules.homeEdge + this.strength * rules.strengthSd;
    this.pmf = {
      home: scoringPmf(rules.pointsPmf, 1 + edge / 2),
      away: scoringPmf(rules.pointsPmf, 1 - edge / 2),
    };
    const perTeam = (rules.periods * rules.possessionsPerPeriod) / 2;
    const maxK = Math.max(perTeam, rules.overtimePossessions / 2);
    this.powers = { home: convolutionPowers(this.pmf.home, maxK), away: convolutionPowers(this.pmf.away, maxK) };
    const ot = this.outcome(0, rules.overtimePossessions / 2, rules.overtimePossessions / 2);
    this.overtimeWin = ot.win / (ot.win + ot.loss);
    this.nextAt = 0;
  }

  private outcome(lead: number, nHome: number, nAway: number) {
    return diffOutcome(lead, this.powers.home[nHome]!, this.powers.away[nAway]!);
  }

  private isOvertime(period = this.period): boolean {
    return period > this.rules.periods;
  }

  private possessionsIn(period: number): number {
    return this.isOvertime(period) ? this.rules.overtimePossessions : this.rules.possessionsPerPeriod;
  }

  /** Offense on possession j of the current period (they alternate from the starter). */
  private offenseAt(j: number): Side {
    return j % 2 === 0 ? this.starter : this.starter === 'home' ? 'away' : 'home';
  }

  /** Possessions left for each side in the current period, the current one included. */
  private remainingInPeriod(): Record<Side, number> {
    const total = this.possessionsIn(this.period);
    const left = total - this.index;
    const firstIsStarter = this.index % 2 === 0;
    const starterLeft = firstIsStarter ? Math.ceil(left / 2) : Math.floor(left / 2);
    const other = left - starterLeft;
    return this.starter === 'home' ? { home: starterLeft, away: other } : { home: other, away: starterLeft };
  }

  homeWinProb(): number {
    if (this.phase === 'final') return this.homeScore > this.awayScore ? 1 : 0;
    const lead = this.homeScore - this.awayScore;
    const halfReg = this.rules.possessionsPerPeriod / 2;
    let home = 0;
    let away = 0;
    if (this.phase === 'pre') {
      home = away = this.rules.periods * halfReg;
    } else {
      const live = this.phase === 'live' && this.pending === 'possession';
      const cur = live ? this.remainingInPeriod() : { home: 0, away: 0 };
      const futureReg = this.isOvertime() ? 0 : this.rules.periods - this.period;
      home = cur.home + futureReg * halfReg;
      away = cur.away + futureReg * halfReg;
      // Between periods in overtime (or before the first OT) with the score level: a fresh OT.
      if (home === 0 && away === 0 && lead === 0) return this.overtimeWin;
    }
    const o = this.outcome(lead, home, away);
    return clamp01(o.win + o.tie * this.overtimeWin);
  }

  protected fire(plays: PlayEvent[]): void {
    if (this.pending === 'period_start') this.beginPeriod(plays);
    else this.resolvePossession(plays);
  }

  private beginPeriod(plays: PlayEvent[]): void {
    const next = this.period + 1;
    const length = this.isOvertime(next) ? this.rules.overtimeS : this.rules.periodS;
    this.startPeriod(next, length);
    const n = this.possessionsIn(next);
    const weights = Array.from({ length: n }, () => this.rng.uniform(0.45, 1.55));
    const total = weights.reduce((a, b) => a + b, 0);
    this.durations = weights.map((w) => (w / total) * length);
    this.index = 0;
    if (next === 1 || this.isOvertime(next)) {
      this.jumpWinner = this.rng.chance(0.5) ? 'home' : 'away';
      this.starter = this.jumpWinner;
      this.play(plays, 'jump_ball', `Jump ball won by ${this.labels[this.jumpWinner]}`, this.jumpWinner);
    } else {
      // NBA pattern: the jump-ball loser starts Q2 and Q3, the winner Q4 (halves alternate).
      const loser: Side = this.jumpWinner === 'home' ? 'away' : 'home';
      this.starter = this.rules.periods === 4 ? (next === 4 ? this.jumpWinner : loser) : loser;
      this.play(plays, 'period_start', `Start of period ${next}`, this.starter);
    }
    this.possession = this.starter;
    this.pending = 'possession';
    this.scheduleStep();
  }

  private scheduleStep(): void {
    const used = this.durations.slice(0, this.index + 1).reduce((a, b) => a + b, 0);
    const length = this.isOvertime() ? this.rules.overtimeS : this.rules.periodS;
    const clockAt = this.index + 1 >= this.durations.length ? 0 : Math.max(0, length - used);
    this.schedule(this.durations[this.index]! * this.rules.elapsedPerClockS, clockAt);
  }

  private resolvePossession(plays: PlayEvent[]): void {
    const offense = this.offenseAt(this.index);
    const points = this.rng.weighted(Array.from(this.pmf[offense]));
    if (points > 0) this.addScore(offense, points);
    const label = this.labels[offense];
    const text = points > 0 ? this.rng.pick(MAKE_TEXT[points]!) : this.rng.pick(MISS_TEXT);
    this.play(plays, points > 0 ? 'score' : 'miss', `${label} ${text}`, offense, points);
    this.index += 1;
    if (this.index < this.durations.length) {
      this.possession = this.offenseAt(this.index);
      this.scheduleStep();
      return;
    }
    this.endPeriod(plays);
  }

  private endPeriod(plays: PlayEvent[]): void {
    this.play(plays, 'period_end', `End of period ${this.period}`);
    this.possession = null;
    const regulationOver = this.period >= this.rules.periods;
    if (regulationOver && this.homeScore !== this.awayScore) {
      this.play(plays, 'game_end', 'End of Game');
      this.finish(false);
      return;
    }
    const half = this.rules.periods === 4 ? this.period === 2 : this.period === 1;
    this.phase = half ? 'halftime' : 'break';
    this.pending = 'period_start';
    this.schedule(half ? this.rules.halftimeS : this.rules.breakS, 0);
  }
}
