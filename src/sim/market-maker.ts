/**
 * A simulated market maker for one YES contract. Its fair value follows the game's true
 * probability with a lag (the market learns of a score late), plus slowly varying noise, plus
 * now and then an out-of-line episode (a stale or mispriced book) so two venues quoting the same
 * game disagree and arbitrage appears. Around the fair value it shows a ladder of several
 * levels on the 0.01 tick, clipped to [0.01, 0.99].
 *
 * Pure and seeded: `quote(tMs, history)` depends only on its inputs and the seed, so a venue
 * simulator can call it on any schedule and tests can replay it exactly. Time is whatever
 * clock the caller keeps its history in (simulated or wall), in milliseconds.
 */
import { ArbeesError } from '../core/errors.js';
import { hashSeed, Rng } from './engines/rng.js';
import type { Ladder, QuoteLadder } from './world.js';

export interface MarketMakerOptions {
  seed: number;
  /** How far behind the true probability the fair value runs. */
  lagMs: number;
  /** SD of the fair-value noise in probability points; it drifts between knots. */
  noiseSd: number;
  noiseIntervalMs: number;
  /** Distance from fair to the best bid and best ask, in probability points. */
  halfSpread: number;
  levels: number;
  /** Ticks between consecutive levels. */
  levelStepTicks: number;
  /** Contracts at the best level; each deeper level multiplies by sizeGrowth. */
  baseSize: number;
  sizeGrowth: number;
  tick: number;
  /** Chance that a given episode window holds an out-of-line episode. */
  episodeProb: number;
  episodeWindowMs: number;
  episodeDurationMs: number;
  /** Size of the mispricing during an episode, in probability points. */
  episodeSize: number;
}

export const DEFAULT_MARKET_MAKER_OPTIONS: Readonly<MarketMakerOptions> = Object.freeze({
  seed: 1,
  lagMs: 4_000,
  noiseSd: 0.008,
  noiseIntervalMs: 15_000,
  halfSpread: 0.015,
  levels: 5,
  levelStepTicks: 1,
  baseSize: 100,
  sizeGrowth: 1.6,
  tick: 0.01,
  episodeProb: 0.1,
  episodeWindowMs: 120_000,
  episodeDurationMs: 25_000,
  episodeSize: 0.06,
});

/** One point of the contract's true YES probability over time. */
export interface ProbPoint {
  tMs: number;
  p: number;
}

const MIN_PRICE = 0.01;
const MAX_PRICE = 0.99;

function invalid(problem: string): never {
  throw new ArbeesError('ARB_SIM_INVALID', `MarketMaker: ${problem}`);
}

function validated(options: Partial<MarketMakerOptions>): Readonly<MarketMakerOptions> {
  const o = { ...DEFAULT_MARKET_MAKER_OPTIONS, ...options };
  const nonNeg = ['lagMs', 'noiseSd', 'halfSpread', 'episodeSize', 'episodeDurationMs'] as const;
  for (const k of nonNeg) if (!(o[k] >= 0)) invalid(`${k} must be >= 0`);
  for (const k of ['noiseIntervalMs', 'episodeWindowMs', 'baseSize', 'sizeGrowth'] as const) {
    if (!(o[k] > 0)) invalid(`${k} must be > 0`);
  }
  if (!(o.episodeProb >= 0 && o.episodeProb <= 1)) invalid('episodeProb must be within [0, 1]');
  if (o.episodeDurationMs > o.episodeWindowMs) invalid('episodeDurationMs must fit in episodeWindowMs');
  if (!Number.isInteger(o.levels) || o.levels < 1 || o.levels > 50) invalid('levels must be an integer in [1, 50]');
  if (!Number.isInteger(o.levelStepTicks) || o.levelStepTicks < 1) invalid('levelStepTicks must be a positive integer');
  const perUnit = 1 / o.tick;
  if (!(o.tick > 0 && o.tick <= 0.01 && Math.abs(perUnit - Math.round(perUnit)) < 1e-9)) {
    invalid('tick must divide 1 and be at most 0.01');
  }
  return Object.freeze(o);
}

/** Maps world probability samples to the YES probability of one contract. */
export function yesHistory(
  samples: readonly { tMs: number; homeWinProb: number; drawProb: number }[],
  outcome: 'home' | 'away' | 'draw',
): ProbPoint[] {
  return samples.map((s) => ({
    tMs: s.tMs,
    p: outcome === 'home' ? s.homeWinProb : outcome === 'draw' ? s.drawProb : Math.max(0, 1 - s.homeWinProb - s.drawProb),
  }));
}

export class MarketMaker {
  readonly options: Readonly<MarketMakerOptions>;
  private readonly ticksPerUnit: number;

  constructor(options: Partial<MarketMakerOptions> = {}) {
    this.options = validated(options);
    this.ticksPerUnit = Math.round(1 / this.options.tick);
  }

  /** The ladder at `tMs` given the contract's true-probability history (oldest first). */
  quote(tMs: number, history: readonly ProbPoint[]): QuoteLadder {
    const fair = this.fairValue(tMs, history);
    if (fair === null) return { yesBids: [], yesAsks: [] };
    return this.ladderAround(fair, tMs);
  }

  /** Fair value at `tMs`: lagged truth + drifting noise + any episode, unclipped. */
  fairValue(tMs: number, history: readonly ProbPoint[]): number | null {
    const truth = this.laggedTruth(tMs, history);
    if (truth === null) return null;
    return truth + this.noise(tMs) + this.episodeOffset(tMs);
  }

  /** The true probability as of `tMs - lag` (the last sample at or before it). */
  laggedTruth(tMs: number, history: readonly ProbPoint[]): number | null {
    if (history.length === 0) return null;
    const at = tMs - this.options.lagMs;
    let lo = 0;
    let hi = history.length - 1;
    if (history[0]!.tMs > at) return history[0]!.p;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (history[mid]!.tMs <= at) lo = mid;
      else hi = mid - 1;
    }
    const p = history[lo]!.p;
    return Number.isFinite(p) ? Math.min(1, Math.max(0, p)) : null;
  }

  /** Offset of an out-of-line episode active at `tMs`, else 0. */
  episodeOffset(tMs: number): number {
    const o = this.options;
    if (o.episodeProb === 0 || o.episodeSize === 0) return 0;
    const window = Math.floor(tMs / o.episodeWindowMs);
    const rng = new Rng(hashSeed(o.seed, 'episode', window));
    if (!rng.chance(o.episodeProb)) return 0;
    const start = window * o.episodeWindowMs + rng.uniform(0, o.episodeWindowMs - o.episodeDurationMs);
    const sign = rng.chance(0.5) ? 1 : -1;
    const size = o.episodeSize * rng.uniform(0.7, 1.3);
    return tMs >= start && tMs < start + o.episodeDurationMs ? sign * size : 0;
  }

  /** Smooth noise: seeded normal knots every noiseIntervalMs, linear in between. */
  private noise(tMs: number): number {
    const o = this.options;
    if (o.noiseSd === 0) return 0;
    const x = tMs / o.noiseIntervalMs;
    const k = Math.floor(x);
    const knot = (i: number) => new Rng(hashSeed(o.seed, 'noise', i)).normal() * o.noiseSd;
    const f = x - k;
    return knot(k) * (1 - f) + knot(k + 1) * f;
  }

  private ladderAround(fair: number, tMs: number): QuoteLadder {
    const o = this.options;
    const n = this.ticksPerUnit;
    const min = Math.round(MIN_PRICE * n);
    const max = Math.round(MAX_PRICE * n);
    // Work in integer ticks so prices are exact multiples of the tick.
    let bid = Math.floor((fair - o.halfSpread) * n + 1e-9);
    let ask = Math.ceil((fair + o.halfSpread) * n - 1e-9);
    bid = Math.min(Math.max(bid, min), max - 1);
    ask = Math.max(Math.min(ask, max), bid + 1);
    const sizeRng = new Rng(hashSeed(o.seed, 'size', Math.floor(tMs / o.noiseIntervalMs)));
    const yesBids: Ladder = [];
    const yesAsks: Ladder = [];
    for (let i = 0; i < o.levels; i++) {
      const b = bid - i * o.levelStepTicks;
      const a = ask + i * o.levelStepTicks;
      const size = () => Math.max(1, Math.round(o.baseSize * o.sizeGrowth ** i * sizeRng.uniform(0.75, 1.25)));
      const bidSize = size();
      const askSize = size();
      if (b >= min) yesBids.push([b / n, bidSize]);
      if (a <= max) yesAsks.push([a / n, askSize]);
    }
    return { yesBids, yesAsks };
  }
}
