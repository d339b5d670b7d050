/**
 * The simulated world: a seeded slate of games across leagues (some live now, some starting
 * soon, some later today or on the next days), each played by its sport's engine, all driven
 * by one timer. Simulated time runs `speed` times faster than the wall clock; `step()` moves it
 * by hand for tests. Emits 'update' whenever a game's state changes and 'final' once per game.
 *
 * Cost model: one setInterval for the whole world; a tick advances each started, unfinished
 * game to the current simulated time (plays happen inside the engines, no per-game timers) and
 * computes each live game's true probability once.
 */
import { EventEmitter } from 'node:events';
import { ArbeesError } from '../core/errors.js';
import { SPORTS, type Sport } from '../core/topics.js';
import { createEngine } from './engines/create-engine.js';
import type { EngineSnapshot, GameEngine, PlayEvent } from './engines/game-engine.js';
import { hashSeed, Rng } from './engines/rng.js';
import { TEAMS } from './teams.js';
import { easternDay } from '../venues/espn/common.js';
import type { SimGameView, SimTeam, SimWorld } from './world.js';

export interface SimWorldOptions {
  seed: number;
  /** How many games to schedule. */
  games: number;
  leagues: readonly Sport[];
  /** Simulated seconds per wall-clock second (1-60). */
  speed: number;
  /** 'real': a timer advances simulated time; 'manual': only step() does. */
  clock: 'real' | 'manual';
  tickMs: number;
  /** Share of games already under way when the world starts, and starting within 30 minutes. */
  liveShare: number;
  soonShare: number;
  /** Share of the later games that end up postponed (they never start). */
  postponedShare: number;
  /** Simulated time at the start, epoch ms (default: now). */
  startMs: number;
  /** Probability samples kept per game for market makers. */
  historyLimit: number;
}

export const DEFAULT_SIM_WORLD_OPTIONS: Readonly<Omit<SimWorldOptions, 'startMs'>> = Object.freeze({
  seed: 1,
  games: 24,
  leagues: SPORTS,
  speed: 10,
  clock: 'real' as const,
  tickMs: 500,
  liveShare: 0.4,
  soonShare: 0.25,
  postponedShare: 0,
  historyLimit: 5000,
});

/** One play as the ESPN simulator serves it, with the true probability after it when known. */
export interface PlayRecord extends PlayEvent {
  id: string;
  homeWinProb: number | null;
  drawProb: number | null;
}

export interface ProbSample {
  /** Simulated time, epoch ms. */
  tMs: number;
  homeWinProb: number;
  drawProb: number;
}

export interface SimGameDetail {
  view: SimGameView;
  snapshot: EngineSnapshot;
  plays: readonly PlayRecord[];
  labels: { home: string; away: string };
}

interface GameSlot {
  id: string;
  sport: Sport;
  home: SimTeam;
  away: SimTeam;
  startMs: number;
  postponed: boolean;
  engine: GameEngine;
  plays: PlayRecord[];
  history: ProbSample[];
  view: SimGameView;
  finalEmitted: boolean;
}

export interface SimWorldStats {
  ticks: number;
  tickCpuMsTotal: number;
  tickCpuMsMax: number;
  updatesEmitted: number;
  liveGames: number;
  finalGames: number;
}

function invalid(problem: string): never {
  throw new ArbeesError('ARB_SIM_INVALID', `SimWorld: ${problem}`);
}

function validated(options: Partial<SimWorldOptions>): Readonly<SimWorldOptions> {
  const o: SimWorldOptions = { ...DEFAULT_SIM_WORLD_OPTIONS, startMs: Date.now(), ...options };
  if (!Number.isInteger(o.games) || o.games < 0 || o.games > 5000) invalid('games must be an integer in [0, 5000]');
  if (!(o.speed >= 1 && o.speed <= 60)) invalid('speed must be within [1, 60]');
  if (!(o.tickMs >= 10 && o.tickMs <= 60_000)) invalid('tickMs must be within [10, 60000]');
  if (o.leagues.length === 0 || o.leagues.some((l) => !SPORTS.includes(l))) invalid('leagues must be known sports');
  for (const k of ['liveShare', 'soonShare', 'postponedShare'] as const) {
    if (!(o[k] >= 0 && o[k] <= 1)) invalid(`${k} must be within [0, 1]`);
  }
  if (o.liveShare + o.soonShare > 1) invalid('liveShare + soonShare must not exceed 1');
  if (o.clock !== 'real' && o.clock !== 'manual') invalid("clock must be 'real' or 'manual'");
  return Object.freeze({ ...o, leagues: Object.freeze([...o.leagues]) });
}

/** Typical length of a game in simulated seconds, to place "live now" games mid-game. */
const TYPICAL_GAME_S: Record<Sport, number> = {
  nfl: 3 * 3600,
  ncaaf: 3.4 * 3600,
  nba: 2.4 * 3600,
  ncaab: 2.2 * 3600,
  nhl: 2.5 * 3600,
  mlb: 2.9 * 3600,
  mls: 1.9 * 3600,
  epl: 1.9 * 3600,
};

const FIVE_MIN_MS = 5 * 60_000;

/** Whether anything a listener cares about moved (a halftime tick changes nothing). */
function changed(a: SimGameView, b: SimGameView): boolean {
  return (
    a.status !== b.status ||
    a.period !== b.period ||
    a.clockS !== b.clockS ||
    a.homeScore !== b.homeScore ||
    a.awayScore !== b.awayScore ||
    a.homeWinProb !== b.homeWinProb ||
    a.drawProb !== b.drawProb
  );
}

export class SimulatedWorld extends EventEmitter<{ update: [SimGameView]; final: [SimGameView] }> implements SimWorld {
  readonly options: Readonly<SimWorldOptions>;
  private readonly slots: GameSlot[] = [];
  private readonly byId = new Map<string, GameSlot>();
  private simMs: number;
  private realAnchorMs = 0;
  private simAnchorMs = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly counters: SimWorldStats = {
    ticks: 0,
    tickCpuMsTotal: 0,
    tickCpuMsMax: 0,
    updatesEmitted: 0,
    liveGames: 0,
    finalGames: 0,
  };

  constructor(options: Partial<SimWorldOptions> = {}) {
    super();
    this.options = validated(options);
    this.simMs = this.options.startMs;
    this.schedule();
    this.advanceAll(false);
  }

  // -------------------------------------------------------------------------------- SimWorld

  games(): readonly SimGameView[] {
    return this.slots.map((s) => s.view);
  }

  game(id: string): SimGameView | undefined {
    return this.byId.get(id)?.view;
  }

  // ---------------------------------------------------------------------------------- extras

  /** Everything the ESPN simulator needs for one game. */
  detail(id: string): SimGameDetail | undefined {
    const slot = this.byId.get(id);
    if (!slot) return undefined;
    return {
      view: slot.view,
      snapshot: slot.engine.snapshot(),
      plays: slot.plays,
      labels: { home: slot.home.abbr, away: slot.away.abbr },
    };
  }

  /** True-probability samples of one game (simulated time), oldest first. */
  probHistory(id: string): readonly ProbSample[] {
    return this.byId.get(id)?.history ?? [];
  }

  /** Current simulated time. */
  now(): Date {
    return new Date(this.currentSimMs());
  }

  /** Starts the timer (real clock only). Idempotent. */
  start(): void {
    if (this.options.clock !== 'real' || this.timer) return;
    this.realAnchorMs = Date.now();
    this.simAnchorMs = this.simMs;
    this.timer = setInterval(() => this.tick(), this.options.tickMs);
    this.timer.unref?.();
  }

  /** Stops the timer; simulated time freezes where it is (step() still works). */
  stop(): void {
    if (!this.timer) return;
    this.simMs = this.currentSimMs();
    clearInterval(this.timer);
    this.timer = null;
  }

  close(): void {
    this.stop();
    this.removeAllListeners();
  }

  /** Advances simulated time by `simSeconds` at once (plays happen, events fire). */
  step(simSeconds: number): void {
    if (!(simSeconds >= 0)) invalid('step needs a non-negative number of seconds');
    this.simAnchorMs += simSeconds * 1000;
    this.simMs = this.currentSimMs() + (this.timer ? 0 : simSeconds * 1000);
    this.tick();
  }

  stats(): SimWorldStats {
    return { ...this.counters };
  }

  // -------------------------------------------------------------------------------- internals

  private currentSimMs(): number {
    if (!this.timer) return this.simMs;
    return this.simAnchorMs + (Date.now() - this.realAnchorMs) * this.options.speed;
  }

  private tick(): void {
    const t0 = performance.now();
    this.simMs = this.currentSimMs();
    this.advanceAll(true);
    const spent = performance.now() - t0;
    this.counters.ticks += 1;
    this.counters.tickCpuMsTotal += spent;
    this.counters.tickCpuMsMax = Math.max(this.counters.tickCpuMsMax, spent);
  }

  private advanceAll(emit: boolean): void {
    let live = 0;
    let final = 0;
    for (const slot of this.slots) {
      if (slot.postponed || slot.finalEmitted) {
        if (slot.finalEmitted) final += 1;
        continue;
      }
      const elapsedS = (this.simMs - slot.startMs) / 1000;
      if (elapsedS <= 0) continue;
      const plays = slot.engine.advanceTo(elapsedS);
      const before = slot.view;
      this.refresh(slot, plays);
      if (slot.engine.isFinal()) final += 1;
      else live += 1;
      if (!emit) {
        slot.finalEmitted = slot.engine.isFinal();
        continue;
      }
      if (plays.length > 0 || changed(before, slot.view)) {
        this.counters.updatesEmitted += 1;
        this.emit('update', slot.view);
      }
      if (slot.engine.isFinal()) {
        slot.finalEmitted = true;
        this.emit('final', slot.view);
      }
    }
    this.counters.liveGames = live;
    this.counters.finalGames = final;
  }

  /** Rebuilds a started game's view; the true probability is computed once per refresh. */
  private refresh(slot: GameSlot, plays: PlayEvent[]): void {
    const snap = slot.engine.snapshot();
    const homeWinProb = slot.engine.homeWinProb();
    const drawProb = slot.engine.drawProb();
    plays.forEach((p, i) => {
      const last = i === plays.length - 1;
      slot.plays.push({
        ...p,
        id: `${slot.id}${String(p.seq).padStart(4, '0')}`,
        homeWinProb: last ? homeWinProb : null,
        drawProb: last ? drawProb : null,
      });
    });
    const prev = slot.history.at(-1);
    if (!prev || prev.homeWinProb !== homeWinProb || prev.drawProb !== drawProb) {
      slot.history.push({ tMs: this.simMs, homeWinProb, drawProb });
      if (slot.history.length > this.options.historyLimit) slot.history.splice(0, slot.history.length / 2);
    }
    slot.view = this.viewOf(slot, snap, homeWinProb, drawProb);
  }

  private viewOf(slot: GameSlot, snap: EngineSnapshot, homeWinProb: number, drawProb: number): SimGameView {
    return Object.freeze({
      id: slot.id,
      sport: slot.sport,
      home: slot.home,
      away: slot.away,
      startTime: new Date(slot.startMs),
      status: slot.postponed ? 'postponed' : snap.status,
      period: snap.period,
      clockS: snap.clockS,
      homeScore: snap.homeScore,
      awayScore: snap.awayScore,
      homeWinProb,
      drawProb,
      winner: snap.winner,
    });
  }

  /** Lays out the slate: leagues round-robin, distinct teams per league and day, start times. */
  private schedule(): void {
    const o = this.options;
    const rng = new Rng(hashSeed(o.seed, 'schedule'));
    const usedTeams = new Map<string, Set<string>>();
    for (let i = 0; i < o.games; i++) {
      const sport = o.leagues[i % o.leagues.length]!;
      let startMs = this.pickStart(sport, rng);
      // A league's teams play once a day (ESPN's US-Eastern day): a full day pushes the game on.
      while (this.freeTeams(sport, usedTeams, startMs).length < 2) startMs += 86_400_000;
      const [home, away] = this.pickTeams(sport, usedTeams, startMs, rng);
      const seed = hashSeed(o.seed, 'game', i);
      const id = `4019${String(hashSeed(o.seed, 'id', i) % 100_000).padStart(5, '0')}${String(i).padStart(3, '0')}`;
      const postponed = startMs > this.simMs + 30 * 60_000 && rng.chance(o.postponedShare);
      const engine = createEngine(sport, { seed, homeLabel: home.abbr, awayLabel: away.abbr });
      const slot: GameSlot = {
        id,
        sport,
        home,
        away,
        startMs,
        postponed,
        engine,
        plays: [],
        history: [],
        view: undefined as unknown as SimGameView,
        finalEmitted: false,
      };
      const p = engine.homeWinProb();
      const d = engine.drawProb();
      slot.history.push({ tMs: this.simMs, homeWinProb: p, drawProb: d });
      slot.view = this.viewOf(slot, engine.snapshot(), p, d);
      this.slots.push(slot);
      this.byId.set(id, slot);
    }
  }

  private pickStart(sport: Sport, rng: Rng): number {
    const o = this.options;
    const r = rng.next();
    const now = this.simMs;
    if (r < o.liveShare) {
      // Under way: somewhere in the first 80% of a typical game, on a whole minute.
      const back = rng.uniform(0.02, 0.8) * TYPICAL_GAME_S[sport] * 1000;
      return Math.floor((now - back) / 60_000) * 60_000;
    }
    const ceil5 = (ms: number) => Math.ceil(ms / FIVE_MIN_MS) * FIVE_MIN_MS;
    if (r < o.liveShare + o.soonShare) return ceil5(now + rng.uniform(1, 30) * 60_000);
    const rest = (r - o.liveShare - o.soonShare) / Math.max(1e-9, 1 - o.liveShare - o.soonShare);
    if (rest < 0.55) return ceil5(now + rng.uniform(0.5, 8) * 3_600_000);
    return ceil5(now + rng.uniform(1, 3.5) * 86_400_000);
  }

  private freeTeams(sport: Sport, used: Map<string, Set<string>>, startMs: number): SimTeam[] {
    const taken = used.get(`${sport}:${easternDay(new Date(startMs))}`);
    return TEAMS[sport].filter((t) => !taken?.has(t.abbr));
  }

  private pickTeams(sport: Sport, used: Map<string, Set<string>>, startMs: number, rng: Rng): [SimTeam, SimTeam] {
    const day = `${sport}:${easternDay(new Date(startMs))}`;
    const free = this.freeTeams(sport, used, startMs);
    const home = free.splice(rng.int(0, free.length - 1), 1)[0]!;
    const away = free.splice(rng.int(0, free.length - 1), 1)[0]!;
    let taken = used.get(day);
    if (!taken) used.set(day, (taken = new Set()));
    taken.add(home.abbr).add(away.abbr);
    return [home, away];
  }
}
