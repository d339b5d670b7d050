/**
 * The event loop every engine runs on. A game is a sequence of events at increasing elapsed
 * times (a possession ends, a goal, a plate appearance, a period starts). Between two events
 * the game clock runs linearly from `clockFrom` to `clockTo`, so a snapshot taken at any
 * moment shows a smoothly running clock while the state only changes at events.
 */
import { Rng } from './rng.js';
import type {
  EngineOptions,
  EnginePhase,
  EngineSnapshot,
  GameEngine,
  PlayEvent,
  Side,
  SituationState,
  SportFamily,
} from './game-engine.js';
import { winnerOf } from './game-engine.js';

export abstract class EventEngine implements GameEngine {
  abstract readonly family: SportFamily;
  readonly strength: number;
  protected readonly rng: Rng;
  protected readonly seed: number;
  protected readonly labels: Record<Side, string>;

  protected phase: EnginePhase = 'pre';
  protected period = 0;
  protected homeScore = 0;
  protected awayScore = 0;
  protected homeLines: number[] = [];
  protected awayLines: number[] = [];
  protected possession: Side | null = null;

  private elapsed = 0;
  private seq = 0;
  /** Elapsed time of the next event; Infinity once final. */
  protected nextAt = 0;
  private segmentFromAt = 0;
  private clockFrom = 0;
  private clockTo = 0;
  /** The clock at the event being fired: what its plays record. */
  private eventClock = 0;

  constructor(options: EngineOptions, readonly regulationPeriods: number) {
    this.seed = options.seed >>> 0;
    this.rng = new Rng(this.seed);
    this.strength = options.strength ?? this.rng.normal();
    this.labels = { home: options.homeLabel ?? 'Home', away: options.awayLabel ?? 'Away' };
  }

  get elapsedS(): number {
    return this.elapsed;
  }

  advanceTo(elapsedS: number): PlayEvent[] {
    const plays: PlayEvent[] = [];
    if (elapsedS <= this.elapsed) return plays;
    while (this.phase !== 'final' && this.nextAt <= elapsedS) {
      this.elapsed = Math.max(this.elapsed, this.nextAt);
      this.eventClock = this.clockTo;
      this.fire(plays);
    }
    this.elapsed = elapsedS;
    return plays;
  }

  isFinal(): boolean {
    return this.phase === 'final';
  }

  /** The clock now, interpolated inside the current segment. */
  protected clockNow(): number {
    if (this.phase !== 'live' || !Number.isFinite(this.nextAt) || this.nextAt <= this.segmentFromAt) {
      return this.clockTo;
    }
    const f = Math.min(1, Math.max(0, (this.elapsed - this.segmentFromAt) / (this.nextAt - this.segmentFromAt)));
    return this.clockFrom + (this.clockTo - this.clockFrom) * f;
  }

  /** Schedules the next event `afterS` elapsed seconds from now, the clock reaching `clockAt`. */
  protected schedule(afterS: number, clockAt: number): void {
    const now = this.clockNow();
    this.segmentFromAt = this.elapsed;
    this.clockFrom = now;
    this.nextAt = this.elapsed + Math.max(0, afterS);
    this.clockTo = clockAt;
  }

  /** Sets the clock at once (a new period starts with a full clock). */
  protected setClock(clockS: number): void {
    this.clockFrom = clockS;
    this.clockTo = clockS;
    this.eventClock = clockS;
    this.segmentFromAt = this.elapsed;
  }

  protected finish(allowDraw: boolean): void {
    this.phase = 'final';
    this.nextAt = Infinity;
    this.possession = null;
    winnerOf(this.homeScore, this.awayScore, allowDraw);
  }

  protected startPeriod(period: number, clockS: number): void {
    this.period = period;
    this.phase = 'live';
    this.homeLines.push(0);
    this.awayLines.push(0);
    this.setClock(clockS);
  }

  protected addScore(side: Side, points: number): void {
    if (side === 'home') {
      this.homeScore += points;
      this.homeLines[this.homeLines.length - 1]! += points;
    } else {
      this.awayScore += points;
      this.awayLines[this.awayLines.length - 1]! += points;
    }
  }

  protected play(
    plays: PlayEvent[],
    type: string,
    text: string,
    team: Side | null = null,
    scoreValue = 0,
  ): PlayEvent {
    const ev: PlayEvent = {
      seq: ++this.seq,
      elapsedS: this.elapsed,
      period: this.period,
      clockS: Math.max(0, this.eventClock),
      type,
      text,
      team,
      scoreValue,
      homeScore: this.homeScore,
      awayScore: this.awayScore,
    };
    plays.push(ev);
    return ev;
  }

  snapshot(): EngineSnapshot {
    const final = this.phase === 'final';
    return {
      phase: this.phase,
      status: final ? 'final' : this.phase === 'pre' ? 'scheduled' : this.phase === 'halftime' ? 'halftime' : 'live',
      period: this.period,
      clockS: Math.max(0, this.clockNow()),
      periodLengthS: this.periodLengthS(),
      homeScore: this.homeScore,
      awayScore: this.awayScore,
      homeLines: [...this.homeLines],
      awayLines: [...this.awayLines],
      possession: this.phase === 'live' || this.phase === 'break' ? this.possession : null,
      situation: this.phase === 'live' || this.phase === 'break' ? this.situation() : null,
      winner: final ? winnerOf(this.homeScore, this.awayScore, this.family === 'soccer') : null,
      regulationPeriods: this.regulationPeriods,
    };
  }

  protected periodLengthS(): number {
    return 0;
  }

  protected situation(): SituationState | null {
    return null;
  }

  /** Runs the event due now and schedules the next one (or finishes the game). */
  protected abstract fire(plays: PlayEvent[]): void;
  abstract homeWinProb(): number;
  drawProb(): number {
    return 0;
  }
}
