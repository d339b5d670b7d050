/**
 * The live American-football engine: runs football-play.ts one play per event, narrates it,
 * and maps quarters, halftime and overtime onto the shared event loop. Its true win
 * probability is a seeded Monte Carlo of the same play process from the current state,
 * computed once per play and cached.
 */
import { EventEngine } from './event-engine.js';
import {
  drawPlayClock,
  footballWinProb,
  newFootballState,
  NFL_RULES,
  runPlay,
  yardMultipliers,
  type FootballRules,
  type FootballState,
  type PlayOutcome,
  type SideIx,
} from './football-play.js';
import type { EngineOptions, FootballSituationState, PlayEvent, Side } from './game-engine.js';
import { ordinal } from './hockey-engine.js';
import { hashSeed } from './rng.js';

const SIDE: readonly Side[] = ['home', 'away'];

export class FootballEngine extends EventEngine {
  readonly family = 'football' as const;
  private readonly rules: FootballRules;
  private readonly m: [number, number];
  private readonly state: FootballState;
  private readonly out: PlayOutcome = { kind: 'rush', team: 0, yards: 0, points: 0, quarterEnded: 0 };
  private readonly mcSeed: number;
  private pending: 'start' | 'play' | 'resume' = 'start';
  private clockUse = 0;
  private cachedProb: { version: number; p: number } | null = null;
  private version = 0;

  constructor(options: EngineOptions, rules: FootballRules = NFL_RULES) {
    super(options, 4);
    this.rules = rules;
    this.m = yardMultipliers(rules, this.strength);
    const receiver: SideIx = this.rng.chance(0.5) ? 0 : 1;
    this.state = newFootballState(receiver, rules.quarterS);
    this.mcSeed = hashSeed(this.seed, 'football-mc');
    this.nextAt = 0;
  }

  /** The play-process state (read-only use: tests and the ESPN situation). */
  get playState(): Readonly<FootballState> {
    return this.state;
  }

  homeWinProb(): number {
    if (this.cachedProb?.version === this.version) return this.cachedProb.p;
    const p = footballWinProb(this.state, this.m, this.rules, this.rules.monteCarloPaths, this.mcSeed);
    this.cachedProb = { version: this.version, p };
    return p;
  }

  protected override situation(): FootballSituationState | null {
    if (this.state.kickoff) return null;
    return {
      kind: 'football',
      down: this.state.down,
      distance: this.state.toGo,
      yardsFromOwnGoal: this.state.yard,
      homeTimeouts: 3,
      awayTimeouts: 3,
    };
  }

  protected fire(plays: PlayEvent[]): void {
    if (this.pending === 'start') {
      this.startPeriod(1, this.rules.quarterS);
      this.play(plays, 'period_start', 'Start of the 1st Quarter');
    } else if (this.pending === 'resume') {
      this.startPeriod(this.state.quarter, this.state.clock);
      const label = this.state.quarter > 4 ? 'Overtime' : `${ordinal(this.state.quarter)} Quarter`;
      this.play(plays, 'period_start', `Start of the ${label}`);
    } else {
      this.runOnePlay(plays);
      if (this.phase !== 'live') return;
    }
    this.scheduleNextPlay();
  }

  private scheduleNextPlay(): void {
    this.pending = 'play';
    this.possession = this.state.kickoff ? null : SIDE[this.state.offense]!;
    this.clockUse = drawPlayClock(this.state, this.rng);
    const used = Math.min(this.clockUse, this.state.clock);
    this.schedule(Math.max(used, 4) * this.rules.elapsedPerClockS, Math.max(0, this.state.clock - used));
  }

  private runOnePlay(plays: PlayEvent[]): void {
    const quarter = this.state.quarter;
    runPlay(this.state, this.m, this.rules, this.rng, this.clockUse, this.out);
    this.version += 1;
    const side = SIDE[this.out.team]!;
    if (this.out.points > 0) this.addScore(side, this.out.points);
    this.play(plays, this.out.kind, this.describe(side), side, this.out.points);
    if (this.state.over) {
      this.play(plays, 'game_end', quarter > 4 ? 'End of Game (OT)' : 'End of Game');
      this.finish(false);
      return;
    }
    if (this.out.quarterEnded > 0) {
      const ended = this.out.quarterEnded;
      this.play(plays, 'period_end', `End of the ${ended > 4 ? 'Overtime' : `${ordinal(ended)} Quarter`}`);
      this.possession = this.state.kickoff ? null : SIDE[this.state.offense]!;
      this.phase = ended === 2 ? 'halftime' : 'break';
      this.pending = 'resume';
      this.schedule(ended === 2 ? this.rules.halftimeS : this.rules.quarterBreakS, 0);
    }
  }

  private describe(side: Side): string {
    const o = this.out;
    const t = this.labels[side];
    switch (o.kind) {
      case 'kickoff':
        return `Kickoff, ${t} ball at own ${o.yards}`;
      case 'rush':
        return `${t} rush for ${o.yards} yard${Math.abs(o.yards) === 1 ? '' : 's'}`;
      case 'pass':
        return `${t} pass complete for ${o.yards} yards`;
      case 'incomplete':
        return `${t} pass incomplete`;
      case 'sack':
        return `${t} quarterback sacked for a loss of ${-o.yards}`;
      case 'turnover':
        return `${t} turnover: intercepted`;
      case 'punt':
        return `${t} punt, net ${o.yards} yards`;
      case 'field_goal':
        return `${t} ${o.yards} yard field goal is GOOD`;
      case 'missed_field_goal':
        return `${t} ${o.yards} yard field goal is NO GOOD`;
      case 'touchdown':
        return `${t} ${Math.max(1, o.yards)} yard touchdown${o.points === 7 ? ' (kick good)' : ' (kick failed)'}`;
      case 'safety':
        return `Safety, 2 points for ${t}`;
      case 'turnover_on_downs':
        return `${t} turnover on downs`;
    }
  }
}
