/**
 * Baseball as a plate-appearance Markov chain over (outs, bases), with outcome probabilities
 * shifted by the hidden strength, nine innings and extra innings that start with a runner on
 * second. The runs a team scores in a half inning from any (outs, bases) state have an exact
 * distribution (dynamic programming over the chain), so the true win probability is exact:
 * the walk-off and the skipped bottom of the ninth never change who wins, only when it ends.
 */
import { clamp01, convolutionPowers, convolve, diffOutcome, pointMass, type Pmf } from './distributions.js';
import { EventEngine } from './event-engine.js';
import type { BaseballSituationState, EngineOptions, PlayEvent, Side } from './game-engine.js';
import { ordinal } from './hockey-engine.js';

export interface BaseballRules {
  innings: number;
  /** Plate-appearance outcome probabilities for an average lineup (outs take the rest). */
  walk: number;
  single: number;
  double: number;
  triple: number;
  homeRun: number;
  /** Share of outs that are deep fly balls: a runner on third with < 2 outs scores. */
  deepFlyShare: number;
  homeEdge: number;
  strengthSd: number;
  /** Elapsed seconds per plate appearance, uniform. */
  plateAppearanceS: [number, number];
  halfInningBreakS: number;
}

export const MLB_RULES: Readonly<BaseballRules> = Object.freeze({
  innings: 9,
  walk: 0.085,
  single: 0.142,
  double: 0.045,
  triple: 0.004,
  homeRun: 0.031,
  deepFlyShare: 0.25,
  homeEdge: 0.03,
  strengthSd: 0.08,
  plateAppearanceS: [70, 140] as [number, number],
  halfInningBreakS: 130,
});

const OUTCOMES = ['out', 'deep_fly', 'walk', 'single', 'double', 'triple', 'home_run'] as const;
type Outcome = (typeof OUTCOMES)[number];
const MAX_RUNS = 24;
const EXTRA_START_BASES = 0b010;

const runnersOf = (b: number) => (b & 1) + ((b >> 1) & 1) + ((b >> 2) & 1);

/** Outs, bases and runs after one plate appearance (deterministic given the outcome). */
export function advance(outcome: Outcome, outs: number, bases: number): { outs: number; bases: number; runs: number } {
  switch (outcome) {
    case 'out':
      return { outs: outs + 1, bases, runs: 0 };
    case 'deep_fly':
      if (outs < 2 && bases & 0b100) return { outs: outs + 1, bases: bases & 0b011, runs: 1 };
      return { outs: outs + 1, bases, runs: 0 };
    case 'walk':
      if (!(bases & 1)) return { outs, bases: bases | 1, runs: 0 };
      if (!(bases & 2)) return { outs, bases: bases | 3, runs: 0 };
      if (!(bases & 4)) return { outs, bases: 7, runs: 0 };
      return { outs, bases: 7, runs: 1 };
    case 'single':
      return { outs, bases: 1 | (bases & 1 ? 2 : 0), runs: ((bases >> 1) & 1) + ((bases >> 2) & 1) };
    case 'double':
      return { outs, bases: 2 | (bases & 1 ? 4 : 0), runs: ((bases >> 1) & 1) + ((bases >> 2) & 1) };
    case 'triple':
      return { outs, bases: 4, runs: runnersOf(bases) };
    case 'home_run':
      return { outs, bases: 0, runs: runnersOf(bases) + 1 };
  }
}

function outcomeProbs(r: BaseballRules, multiplier: number): number[] {
  const on = [r.walk, r.single, r.double, r.triple, r.homeRun].map((p) => p * multiplier);
  const out = 1 - on.reduce((a, b) => a + b, 0);
  return [out * (1 - r.deepFlyShare), out * r.deepFlyShare, ...on];
}

/** runs[outs][bases]: pmf of the runs still to score this half inning. */
function halfInningRuns(probs: number[]): Pmf[][] {
  const f: Pmf[][] = [0, 1, 2].map(() => Array.from({ length: 8 }, () => new Float64Array(MAX_RUNS + 1)));
  const basesByRunners = [0, 1, 2, 3, 4, 5, 6, 7].sort((a, b) => runnersOf(b) - runnersOf(a));
  for (let outs = 2; outs >= 0; outs--) {
    for (let r = 0; r <= MAX_RUNS; r++) {
      for (const b of basesByRunners) {
        let p = 0;
        OUTCOMES.forEach((o, k) => {
          const next = advance(o, outs, b);
          const rest = r - next.runs;
          if (rest < 0) return;
          if (next.outs === 3) p += probs[k]! * (rest === 0 ? 1 : 0);
          else p += probs[k]! * f[next.outs]![next.bases]![rest]!;
        });
        f[outs]![b]![r] = p;
      }
    }
  }
  return f;
}

type Pending = 'half_start' | 'plate_appearance';

export class BaseballEngine extends EventEngine {
  readonly family = 'baseball' as const;
  private readonly rules: BaseballRules;
  private readonly probs: Record<Side, number[]>;
  private readonly runs: Record<Side, Pmf[][]>;
  private readonly fullHalves: Record<Side, Pmf[]>;
  private readonly extraWin: number;
  private pending: Pending = 'half_start';
  private inning = 1;
  private half: 'top' | 'bottom' = 'top';
  private outs = 0;
  private bases = 0;

  constructor(options: EngineOptions, rules: BaseballRules = MLB_RULES) {
    super(options, rules.innings);
    this.rules = rules;
    const edge = rules.homeEdge + this.strength * rules.strengthSd;
    this.probs = { home: outcomeProbs(rules, 1 + edge / 2), away: outcomeProbs(rules, 1 - edge / 2) };
    this.runs = { home: halfInningRuns(this.probs.home), away: halfInningRuns(this.probs.away) };
    this.fullHalves = {
      home: convolutionPowers(this.runs.home[0]![0]!, rules.innings),
      away: convolutionPowers(this.runs.away[0]![0]!, rules.innings),
    };
    const x = diffOutcome(0, this.runs.home[0]![EXTRA_START_BASES]!, this.runs.away[0]![EXTRA_START_BASES]!);
    this.extraWin = x.win / (x.win + x.loss);
    this.nextAt = 0;
  }

  /** Exact P(home wins) from the current (inning, half, outs, bases) and score. */
  homeWinProb(): number {
    if (this.phase === 'final') return this.homeScore > this.awayScore ? 1 : 0;
    const n = this.rules.innings;
    const i = this.inning;
    const lead = this.homeScore - this.awayScore;
    const batting: Side = this.half === 'top' ? 'away' : 'home';
    const current = this.runs[batting][this.outs]![this.bases]!;
    let home: Pmf;
    let away: Pmf;
    if (i <= n) {
      if (this.half === 'top') {
        away = convolve(current, this.fullHalves.away[n - i]!);
        home = this.fullHalves.home[n - i + 1]!;
      } else {
        home = convolve(current, this.fullHalves.home[n - i]!);
        away = this.fullHalves.away[n - i]!;
      }
    } else if (this.half === 'top') {
      away = current;
      home = this.runs.home[0]![EXTRA_START_BASES]!;
    } else {
      home = current;
      away = pointMass(0);
    }
    const o = diffOutcome(lead, home, away);
    return clamp01(o.win + o.tie * this.extraWin);
  }

  protected override situation(): BaseballSituationState {
    return {
      kind: 'baseball',
      half: this.half,
      outs: this.outs,
      onFirst: (this.bases & 1) !== 0,
      onSecond: (this.bases & 2) !== 0,
      onThird: (this.bases & 4) !== 0,
    };
  }

  protected fire(plays: PlayEvent[]): void {
    if (this.pending === 'half_start') this.beginHalf(plays);
    else this.plateAppearance(plays);
  }

  private schedulePlateAppearance(): void {
    const [lo, hi] = this.rules.plateAppearanceS;
    this.schedule(this.rng.uniform(lo, hi), 0);
  }

  private beginHalf(plays: PlayEvent[]): void {
    if (this.half === 'top') this.startPeriod(this.inning, 0);
    else this.phase = 'live';
    this.possession = this.half === 'top' ? 'away' : 'home';
    this.play(plays, 'half_start', `${this.half === 'top' ? 'Top' : 'Bottom'} of the ${ordinal(this.inning)}`);
    this.pending = 'plate_appearance';
    this.schedulePlateAppearance();
  }

  private plateAppearance(plays: PlayEvent[]): void {
    const batting = this.possession!;
    const outcome = OUTCOMES[this.rng.weighted(this.probs[batting])]!;
    const next = advance(outcome, this.outs, this.bases);
    this.outs = next.outs;
    this.bases = next.bases;
    if (next.runs > 0) this.addScore(batting, next.runs);
    const scored = next.runs > 0 ? `, ${next.runs} run${next.runs > 1 ? 's' : ''} score${next.runs > 1 ? '' : 's'}` : '';
    this.play(plays, outcome, `${this.labels[batting]} batter: ${TEXT[outcome]}${scored}.`, batting, next.runs);

    const n = this.rules.innings;
    const walkOff = this.half === 'bottom' && this.inning >= n && this.homeScore > this.awayScore;
    if (walkOff) {
      this.finish(false);
      return;
    }
    if (this.outs < 3) {
      this.schedulePlateAppearance();
      return;
    }
    this.endHalf(plays);
  }

  private endHalf(plays: PlayEvent[]): void {
    const n = this.rules.innings;
    this.play(plays, 'half_end', `End of the ${this.half} of the ${ordinal(this.inning)}`);
    const homeAhead = this.homeScore > this.awayScore;
    const over =
      (this.half === 'top' && this.inning >= n && homeAhead) ||
      (this.half === 'bottom' && this.inning >= n && this.homeScore !== this.awayScore);
    if (over) {
      this.finish(false);
      return;
    }
    if (this.half === 'top') {
      this.half = 'bottom';
    } else {
      this.half = 'top';
      this.inning += 1;
    }
    this.outs = 0;
    this.bases = this.inning > n ? EXTRA_START_BASES : 0;
    this.phase = 'break';
    this.possession = null;
    this.pending = 'half_start';
    this.schedule(this.rules.halfInningBreakS, 0);
  }
}

const TEXT: Record<Outcome, string> = {
  out: 'grounded out',
  deep_fly: 'flied out to deep center',
  walk: 'walked',
  single: 'singled to left',
  double: 'doubled to right',
  triple: 'tripled to right center',
  home_run: 'homered to left',
};
