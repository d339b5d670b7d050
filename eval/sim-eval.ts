/**
 * Win-probability evaluation on simulated games: seeded SimWorlds run at full speed with
 * step(), every live game's state is sampled every `sampleEveryS` simulated seconds, and each
 * model is scored against the game's result once it is final.
 *
 * The pregame prior reaches the model the way the system gets it: a market price at the start,
 * here the engine's own pregame true probability with logit noise (a market is close to, not
 * exactly, the truth). The engine's true in-game probability is scored too, as the floor no
 * model can beat on average.
 */
import { homeWinProbability, outcomeProbabilities, type WinProbInput } from '../src/core/win-probability/index.js';
import { SPORTS, type Sport } from '../src/core/topics.js';
import type { EngineSnapshot } from '../src/sim/engines/game-engine.js';
import { Rng } from '../src/sim/engines/rng.js';
import { SimulatedWorld } from '../src/sim/sim-world.js';
import { referenceWinProb, referenceWithBlend, type ReferenceState } from './reference-formulas.js';
import { ScoreCard, ThreeWayBrier } from './score-card.js';

export interface SimEvalOptions {
  /** Worlds to run; each holds `gamesPerWorld` games spread over all leagues. */
  worlds: number;
  gamesPerWorld: number;
  /** Simulated seconds per step and between two samples of a game. */
  stepS: number;
  sampleEveryS: number;
  /** SD of the logit noise on the pregame market price. */
  priorNoise: number;
  seed: number;
}

export const DEFAULT_SIM_EVAL_OPTIONS: Readonly<SimEvalOptions> = Object.freeze({
  worlds: 44,
  // Six games per league and world: the college leagues have 12 teams, one game a day each.
  gamesPerWorld: 48,
  stepS: 60,
  sampleEveryS: 120,
  priorNoise: 0.15,
  seed: 20_260_101,
});

export const SIM_MODELS = [
  'arbees (market prior)',
  'arbees (no prior)',
  'reference (as deployed, no prior)',
  'reference + its pregame blend (market prior)',
  'market prior held all game',
  'engine truth (floor)',
] as const;
export type SimModel = (typeof SIM_MODELS)[number];

export interface SportResult {
  sport: Sport;
  games: number;
  states: number;
  cards: Record<SimModel, ScoreCard>;
  /** Soccer only: three-way Brier of arbees and of the engine truth. */
  threeWay: { arbees: ThreeWayBrier; truth: ThreeWayBrier } | null;
}

export interface SimEvalResult {
  options: SimEvalOptions;
  bySport: SportResult[];
  all: Record<SimModel, ScoreCard>;
  /** Mean wall time of one homeWinProbability call over mid-game states of every sport (us). */
  modelMicrosPerCall: number;
  wallS: number;
}

interface Sample {
  input: WinProbInput;
  ref: ReferenceState;
  truth: number;
  truthDraw: number;
}

interface Prior {
  home: number;
  draw: number | null;
}

const newCards = (): Record<SimModel, ScoreCard> =>
  Object.fromEntries(SIM_MODELS.map((m) => [m, new ScoreCard()])) as Record<SimModel, ScoreCard>;

const isSoccer = (s: Sport) => s === 'mls' || s === 'epl';
const logit = (p: number) => Math.log(p / (1 - p));
const clampP = (p: number) => Math.min(1 - 1e-6, Math.max(1e-6, p));

/** The market's pregame prices: the engine's truth with log-odds noise (three-way for soccer). */
function noisyPrior(sport: Sport, home: number, draw: number, noise: number, rng: Rng): Prior {
  if (!isSoccer(sport)) {
    return { home: 1 / (1 + Math.exp(-(logit(clampP(home)) + noise * rng.normal()))), draw: null };
  }
  const away = Math.max(1e-6, 1 - home - draw);
  const w = [home, draw, away].map((p) => Math.exp(Math.log(clampP(p)) + noise * rng.normal()));
  const total = w[0]! + w[1]! + w[2]!;
  return { home: w[0]! / total, draw: w[1]! / total };
}

/** The WinProbInput a shard would build from this snapshot. */
export function inputFromSnapshot(sport: Sport, snap: EngineSnapshot, prior: Prior | null): WinProbInput {
  const input: WinProbInput = {
    sport,
    status: snap.status,
    period: snap.period,
    clockS: snap.clockS,
    homeScore: snap.homeScore,
    awayScore: snap.awayScore,
    possession: snap.possession,
    pregameHomeProb: prior?.home ?? null,
    pregameDrawProb: prior?.draw ?? null,
    soccer: isSoccer(sport) ? { clockIncludesStoppage: true } : null,
  };
  const s = snap.situation;
  if (s?.kind === 'football') {
    input.football = { down: s.down, distance: s.distance, yardsToGoal: 100 - s.yardsFromOwnGoal };
  } else if (s?.kind === 'baseball') {
    input.baseball = { half: s.half, outs: s.outs, onFirst: s.onFirst, onSecond: s.onSecond, onThird: s.onThird };
  }
  return input;
}

export function referenceStateOf(input: WinProbInput, timeouts?: { home: number; away: number }): ReferenceState {
  const f = input.football;
  return {
    sport: input.sport,
    homeScore: input.homeScore,
    awayScore: input.awayScore,
    period: input.period,
    timeRemainingS: input.clockS,
    // The reference reads the batting side from possession (bottom = home at bat).
    possession: input.baseball?.half ? (input.baseball.half === 'bottom' ? 'home' : 'away') : (input.possession ?? null),
    yardLine: f?.yardsToGoal ?? null,
    down: f?.down ?? null,
    yardsToGo: f?.distance ?? null,
    timeoutsHome: timeouts?.home ?? 3,
    timeoutsAway: timeouts?.away ?? 3,
    pregameHomeProb: input.pregameHomeProb ?? null,
  };
}

/** One finished simulated game, for evaluations beyond the score cards (eval/eval-prior-sizing.ts). */
export interface FinishedGame {
  sport: Sport;
  id: string;
  /** 1 when home won. */
  y: 0 | 1;
  /** The market prior given to the model (engine truth with logit noise). */
  prior: { home: number; draw: number | null };
  /** The engine's pregame true home-win probability. */
  truePregame: number;
  samples: readonly { input: WinProbInput; truth: number }[];
}

export function runSimEval(
  options: Partial<SimEvalOptions> = {},
  log: (line: string) => void = () => {},
  onGame?: (game: FinishedGame) => void,
): SimEvalResult {
  const o: SimEvalOptions = { ...DEFAULT_SIM_EVAL_OPTIONS, ...options };
  const started = performance.now();
  const bySport = new Map<Sport, SportResult>(
    SPORTS.map((sport) => [
      sport,
      {
        sport,
        games: 0,
        states: 0,
        cards: newCards(),
        threeWay: isSoccer(sport) ? { arbees: new ThreeWayBrier(), truth: new ThreeWayBrier() } : null,
      },
    ]),
  );
  const all = newCards();
  const timingInputs: WinProbInput[] = [];
  const three = { home: 0, draw: 0, away: 0 };
  // Noon US-Eastern on a fixed day: every game of a world starts within the next 30 minutes.
  const startMs = Date.UTC(2026, 0, 15, 17, 0, 0);

  for (let w = 0; w < o.worlds; w++) {
    const rng = new Rng(o.seed + w * 7919);
    const world = new SimulatedWorld({
      seed: o.seed + w,
      games: o.gamesPerWorld,
      leagues: SPORTS,
      clock: 'manual',
      liveShare: 0,
      soonShare: 1,
      postponedShare: 0,
      startMs,
      historyLimit: 16,
    });
    const priors = new Map<string, Prior>();
    const truePregame = new Map<string, number>();
    const samples = new Map<string, Sample[]>();
    const lastSampleMs = new Map<string, number>();
    for (const g of world.games()) {
      priors.set(g.id, noisyPrior(g.sport, g.homeWinProb, g.drawProb, o.priorNoise, rng));
      truePregame.set(g.id, g.homeWinProb);
      samples.set(g.id, []);
    }
    const open = new Set(world.games().map((g) => g.id));
    let guard = 0;
    while (open.size > 0 && guard++ < 20_000) {
      world.step(o.stepS);
      const now = world.now().getTime();
      for (const id of [...open]) {
        const view = world.game(id)!;
        if (view.status === 'scheduled') continue;
        const sport = view.sport;
        const list = samples.get(id)!;
        if (view.status === 'final') {
          open.delete(id);
          const result = view.winner === 'home' ? 'home' : view.winner === 'away' ? 'away' : 'draw';
          const y = result === 'home' ? 1 : 0;
          const sr = bySport.get(sport)!;
          sr.games += 1;
          sr.states += list.length;
          const prior = priors.get(id)!;
          onGame?.({ sport, id, y, prior, truePregame: truePregame.get(id)!, samples: list });
          if (list.length > 0) timingInputs.push(list[Math.floor(list.length / 2)]!.input);
          for (const s of list) {
            const pMarket = homeWinProbability(s.input);
            const noPrior = homeWinProbability({ ...s.input, pregameHomeProb: null, pregameDrawProb: null });
            const scores: Record<SimModel, number> = {
              'arbees (market prior)': pMarket,
              'arbees (no prior)': noPrior,
              'reference (as deployed, no prior)': referenceWinProb(s.ref),
              'reference + its pregame blend (market prior)': referenceWithBlend(s.ref),
              'market prior held all game': prior.home,
              'engine truth (floor)': s.truth,
            };
            for (const m of SIM_MODELS) {
              sr.cards[m].add(scores[m], y);
              all[m].add(scores[m], y);
            }
            if (sr.threeWay) {
              outcomeProbabilities(s.input, three);
              sr.threeWay.arbees.add(three.home, three.draw, three.away, result);
              sr.threeWay.truth.add(s.truth, s.truthDraw, Math.max(0, 1 - s.truth - s.truthDraw), result);
            }
          }
          continue;
        }
        const last = lastSampleMs.get(id);
        if (last !== undefined && now - last < o.sampleEveryS * 1000) continue;
        lastSampleMs.set(id, now);
        const snap = world.detail(id)!.snapshot;
        const input = inputFromSnapshot(sport, snap, priors.get(id)!);
        list.push({ input, ref: referenceStateOf(input), truth: view.homeWinProb, truthDraw: view.drawProb });
      }
    }
    world.close();
    log(`world ${w + 1}/${o.worlds}: ${o.gamesPerWorld} games, ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  return {
    options: o,
    bySport: [...bySport.values()],
    all,
    modelMicrosPerCall: microsPerCall(timingInputs),
    wallS: (performance.now() - started) / 1000,
  };
}

/** Mean microseconds per homeWinProbability call, over many passes of `inputs`. */
export function microsPerCall(inputs: readonly WinProbInput[]): number {
  if (inputs.length === 0) return NaN;
  let sink = 0;
  for (const input of inputs) sink += homeWinProbability(input);
  const passes = Math.max(1, Math.ceil(200_000 / inputs.length));
  const t0 = performance.now();
  for (let k = 0; k < passes; k++) for (const input of inputs) sink += homeWinProbability(input);
  const us = ((performance.now() - t0) * 1000) / (passes * inputs.length);
  return sink > -1 ? us : NaN;
}
