/**
 * Every threshold and default of the signal detectors, in one place. Edges and profits are
 * integer centi-cents (`cc`, 1/10000 dollar; 100 cc = 1 cent) so the comparisons that decide
 * whether to trade are exact; times are microseconds, like every `_ts` on the bus.
 *
 * Why these defaults (a trader may override all of them):
 * - The reference filtered every signal at 15 percentage points, arbitrage included, so its arbs
 *   never passed; here an arbitrage only needs to be positive after both venues' fees
 *   (1 cent in total, half a cent per contract), and model edges need 4 cents net per contract.
 * - Expiries are short: an arbitrage is gone within a second or two of being seen, and a
 *   score-change edge lives only until the market reprices the play.
 * - The debounce window is 5 s, not the reference's 30 s, which its own notes say misses fast
 *   edges; a stronger edge passes the debounce at once.
 */
import { ConfigError } from '../errors.js';
import { DEFAULT_FEES, MAX_CONTRACTS_PER_FILL, type FeeSchedule, type VenueFeeRule } from '../fees.js';
import { SPORTS, VENUES, type Sport } from '../topics.js';

export interface ArbitrageOptions {
  /** Minimum total profit after both venues' fees at the signalled size; at least 1 cc. */
  minProfitCc: number;
  /** Minimum profit per contract after fees, at the signalled size. */
  minEdgeCcPerContract: number;
  maxContracts: number;
  ttlUs: number;
  /** Pair two markets of one venue (e.g. both Kalshi team markets). Off: the task is cross-venue. */
  allowSameVenue: boolean;
}

export interface ModelEdgeOptions {
  enabled: boolean;
  /** Minimum expected profit per contract after the entry fee and the expected exit fee. */
  minNetEdgeCc: number;
  /** No trade on an outcome whose model probability is outside [min, max]: the model is extrapolating. */
  minModelProb: number;
  maxModelProb: number;
  /** Contracts that must be available at prices that still clear the edge threshold. */
  minLiquidityContracts: number;
  maxContracts: number;
  ttlUs: number;
}

export interface ScoreChangeOptions {
  enabled: boolean;
  /** The bet's model probability must have risen by at least this much with the play. */
  minModelMove: number;
  minNetEdgeCc: number;
  minLiquidityContracts: number;
  maxContracts: number;
  /** A play older than this is assumed priced in, whatever the book's timestamp says. */
  maxPlayAgeUs: number;
  ttlUs: number;
}

export interface DebounceOptions {
  /** No repeat signal for the same game and side within this window... */
  windowUs: number;
  /** ...unless its net edge (probability points) grew by at least this much. */
  minEdgeGrowth: number;
}

export interface SignalOptions {
  fees: FeeSchedule;
  arbitrage: ArbitrageOptions;
  model: ModelEdgeOptions;
  scoreChange: ScoreChangeOptions;
  debounce: DebounceOptions;
  /** Net edge (probability points) at or above which a signal also goes to signals.high_edge. */
  highEdgeThreshold: number;
  /** Sports with a draw contract: home, draw and away are the outcomes. */
  threeOutcomeSports: readonly Sport[];
  /**
   * Two-outcome sports where a tie can still happen (a regular-season NFL game). Venues settle a
   * tie differently (Polymarket resolves a two-way market 50-50), so no pair of contracts pays
   * exactly $1 in every outcome: arbitrage is skipped there. Set to [] to accept the tie risk.
   */
  tieRiskSports: readonly Sport[];
}

const MS = 1000;
const S = 1_000_000;

export const DEFAULT_SIGNAL_OPTIONS: Readonly<SignalOptions> = deepFreeze({
  fees: DEFAULT_FEES,
  arbitrage: {
    minProfitCc: 100,
    minEdgeCcPerContract: 50,
    maxContracts: 1000,
    ttlUs: 2 * S,
    allowSameVenue: false,
  },
  model: {
    enabled: true,
    minNetEdgeCc: 400,
    minModelProb: 0.03,
    maxModelProb: 0.97,
    minLiquidityContracts: 10,
    maxContracts: 500,
    ttlUs: 10 * S,
  },
  scoreChange: {
    enabled: false,
    minModelMove: 0.05,
    minNetEdgeCc: 300,
    minLiquidityContracts: 5,
    maxContracts: 300,
    maxPlayAgeUs: 5 * S,
    ttlUs: 1500 * MS,
  },
  debounce: { windowUs: 5 * S, minEdgeGrowth: 0.02 },
  highEdgeThreshold: 0.1,
  threeOutcomeSports: ['mls', 'epl'],
  tieRiskSports: ['nfl'],
});

export interface SignalOptionsOverrides {
  fees?: FeeSchedule;
  arbitrage?: Partial<ArbitrageOptions>;
  model?: Partial<ModelEdgeOptions>;
  scoreChange?: Partial<ScoreChangeOptions>;
  debounce?: Partial<DebounceOptions>;
  highEdgeThreshold?: number;
  threeOutcomeSports?: readonly Sport[];
  tieRiskSports?: readonly Sport[];
}

/** Merges overrides over the defaults, validates every value once, and freezes the result. */
export function resolveSignalOptions(overrides: SignalOptionsOverrides = {}): Readonly<SignalOptions> {
  const d = DEFAULT_SIGNAL_OPTIONS;
  const o = overrides;
  const merged: SignalOptions = {
    fees: o.fees ?? d.fees,
    arbitrage: { ...d.arbitrage, ...o.arbitrage },
    model: { ...d.model, ...o.model },
    scoreChange: { ...d.scoreChange, ...o.scoreChange },
    debounce: { ...d.debounce, ...o.debounce },
    highEdgeThreshold: o.highEdgeThreshold ?? d.highEdgeThreshold,
    threeOutcomeSports: [...(o.threeOutcomeSports ?? d.threeOutcomeSports)],
    tieRiskSports: [...(o.tieRiskSports ?? d.tieRiskSports)],
  };
  validate(merged);
  return deepFreeze(merged);
}

function validate(o: SignalOptions): void {
  for (const venue of VENUES) validateFeeRule(`fees.${venue}`, o.fees[venue]);
  const a = o.arbitrage;
  intIn('arbitrage.minProfitCc', a.minProfitCc, 1, Number.MAX_SAFE_INTEGER);
  intIn('arbitrage.minEdgeCcPerContract', a.minEdgeCcPerContract, 0, 10_000);
  intIn('arbitrage.maxContracts', a.maxContracts, 1, MAX_CONTRACTS_PER_FILL);
  intIn('arbitrage.ttlUs', a.ttlUs, 1, Number.MAX_SAFE_INTEGER);
  bool('arbitrage.allowSameVenue', a.allowSameVenue);

  const m = o.model;
  bool('model.enabled', m.enabled);
  intIn('model.minNetEdgeCc', m.minNetEdgeCc, 1, 10_000);
  probabilityBounds('model', m.minModelProb, m.maxModelProb);
  intIn('model.minLiquidityContracts', m.minLiquidityContracts, 1, MAX_CONTRACTS_PER_FILL);
  intIn('model.maxContracts', m.maxContracts, m.minLiquidityContracts, MAX_CONTRACTS_PER_FILL);
  intIn('model.ttlUs', m.ttlUs, 1, Number.MAX_SAFE_INTEGER);

  const s = o.scoreChange;
  bool('scoreChange.enabled', s.enabled);
  numIn('scoreChange.minModelMove', s.minModelMove, 0, 1);
  intIn('scoreChange.minNetEdgeCc', s.minNetEdgeCc, 1, 10_000);
  intIn('scoreChange.minLiquidityContracts', s.minLiquidityContracts, 1, MAX_CONTRACTS_PER_FILL);
  intIn('scoreChange.maxContracts', s.maxContracts, s.minLiquidityContracts, MAX_CONTRACTS_PER_FILL);
  intIn('scoreChange.maxPlayAgeUs', s.maxPlayAgeUs, 1, Number.MAX_SAFE_INTEGER);
  intIn('scoreChange.ttlUs', s.ttlUs, 1, Number.MAX_SAFE_INTEGER);

  intIn('debounce.windowUs', o.debounce.windowUs, 0, Number.MAX_SAFE_INTEGER);
  numIn('debounce.minEdgeGrowth', o.debounce.minEdgeGrowth, 0, 1);
  numIn('highEdgeThreshold', o.highEdgeThreshold, 0, 1);
  sports('threeOutcomeSports', o.threeOutcomeSports);
  sports('tieRiskSports', o.tieRiskSports);
}

function validateFeeRule(name: string, rule: VenueFeeRule | undefined): void {
  if (rule === undefined || typeof rule !== 'object') throw new ConfigError(name, 'is missing');
  intIn(`${name}.takerRateBp`, rule.takerRateBp, 0, 10_000);
  intIn(`${name}.makerRateBp`, rule.makerRateBp, 0, 10_000);
  intIn(`${name}.roundingCc`, rule.roundingCc, 1, 10_000);
}

function probabilityBounds(prefix: string, min: number, max: number): void {
  numIn(`${prefix}.minModelProb`, min, 0, 1);
  numIn(`${prefix}.maxModelProb`, max, 0, 1);
  if (!(min < max)) throw new ConfigError(`${prefix}.minModelProb`, `must be below maxModelProb (${min} >= ${max})`);
}

function intIn(name: string, v: unknown, min: number, max: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ConfigError(name, `must be an integer in [${min}, ${max}], got ${String(v)}`);
  }
}

function numIn(name: string, v: unknown, min: number, max: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new ConfigError(name, `must be a number in [${min}, ${max}], got ${String(v)}`);
  }
}

function bool(name: string, v: unknown): void {
  if (typeof v !== 'boolean') throw new ConfigError(name, `must be true or false, got ${String(v)}`);
}

function sports(name: string, list: readonly unknown[]): void {
  for (const s of list) {
    if (!(SPORTS as readonly unknown[]).includes(s)) throw new ConfigError(name, `has an unknown sport ${String(s)}`);
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value as object)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
