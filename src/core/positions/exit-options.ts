/**
 * Exit rule options with their defaults, per sport. Price thresholds are in cc per contract of
 * the held side (100 cc = 1 cent = 1 probability point); times in microseconds or game seconds.
 * Stop losses per sport follow the reference system's table (NBA/NCAAB 3, NFL/NCAAF 5, NHL 7,
 * MLB 6, soccer 7 points); every value can be overridden for all sports or for one.
 */
import { ConfigError } from '../errors.js';
import { SPORTS, type Sport } from '../topics.js';

export interface ExitRuleOptions {
  /** Take profit when the exit price is this far above the average entry. */
  takeProfitCc?: number;
  /** Stop loss when the exit price is this far below the average entry. */
  stopLossCc?: number;
  /** No rule fires before a position is this old (lets a fresh fill settle in). */
  minHoldUs?: number;
  /** Quotes older than this are not acted on... */
  staleQuoteUs?: number;
  /** ...and when no usable quote arrives for this long, the position is exited (stale_market). */
  staleExitUs?: number;
  /** Spreads wider than this make the quote unusable for decisions. */
  maxSpreadCc?: number;
  /** Hold to settlement when the held side's exit price is at least this (near certainty: fees and spread outweigh the rest). */
  holdToSettleSideCc?: number;
  /** Edge gone: exit when the model's probability of the held side is at most the exit price plus this. */
  edgeGoneMarginCc?: number;
  /** Exit when at most this many game seconds remain (null: off). */
  exitBeforeEndS?: number | null;
  /** Exit positions held longer than this (null: off). */
  maxHoldUs?: number | null;
  /** The exit order's limit sits this far beyond the current exit price, so it fills. */
  exitSlippageCc?: number;
}

export type ExitRules = Readonly<Required<ExitRuleOptions>>;

const EXIT_RULE_DEFAULTS: ExitRules = Object.freeze({
  takeProfitCc: 500,
  stopLossCc: 500,
  minHoldUs: 10_000_000,
  staleQuoteUs: 30_000_000,
  staleExitUs: 300_000_000,
  maxSpreadCc: 2_000,
  holdToSettleSideCc: 9_000,
  edgeGoneMarginCc: 0,
  exitBeforeEndS: null,
  maxHoldUs: null,
  exitSlippageCc: 100,
});

const SPORT_STOP_LOSS_CC: Readonly<Record<Sport, number>> = Object.freeze({
  nba: 300,
  ncaab: 300,
  nfl: 500,
  ncaaf: 500,
  nhl: 700,
  mlb: 600,
  mls: 700,
  epl: 700,
});

export interface ExitOptions {
  all?: ExitRuleOptions;
  sports?: Partial<Record<Sport, ExitRuleOptions>>;
}

export type ExitRulesBySport = Readonly<Record<Sport, ExitRules>>;

const defined = (o: object | undefined) => Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined));

/** Defaults, then the sport's stop loss, then overrides for all sports, then the sport's own overrides. */
export function resolveExitOptions(options: ExitOptions = {}): ExitRulesBySport {
  const out = {} as Record<Sport, ExitRules>;
  for (const sport of SPORTS) {
    const rules = { ...EXIT_RULE_DEFAULTS, stopLossCc: SPORT_STOP_LOSS_CC[sport], ...defined(options.all), ...defined(options.sports?.[sport]) } as Required<ExitRuleOptions>;
    validate(sport, rules);
    out[sport] = Object.freeze(rules);
  }
  return Object.freeze(out);
}

function validate(sport: Sport, r: Required<ExitRuleOptions>): void {
  const cc = ['takeProfitCc', 'stopLossCc', 'maxSpreadCc', 'holdToSettleSideCc', 'exitSlippageCc'] as const;
  for (const key of cc) {
    if (!Number.isInteger(r[key]) || r[key] < 0 || r[key] > 10_000) throw new ConfigError(`exit.${sport}.${key}`, 'must be an integer in [0, 10000] cc');
  }
  if (!Number.isInteger(r.edgeGoneMarginCc) || Math.abs(r.edgeGoneMarginCc) > 10_000) throw new ConfigError(`exit.${sport}.edgeGoneMarginCc`, 'must be an integer in [-10000, 10000] cc');
  for (const key of ['minHoldUs', 'staleQuoteUs', 'staleExitUs'] as const) {
    if (!Number.isSafeInteger(r[key]) || r[key] < 0) throw new ConfigError(`exit.${sport}.${key}`, 'must be a non-negative integer of microseconds');
  }
  if (r.staleExitUs < r.staleQuoteUs) throw new ConfigError(`exit.${sport}.staleExitUs`, 'must not be shorter than staleQuoteUs');
  if (r.exitBeforeEndS !== null && !(Number.isFinite(r.exitBeforeEndS) && r.exitBeforeEndS >= 0)) throw new ConfigError(`exit.${sport}.exitBeforeEndS`, 'must be null or >= 0');
  if (r.maxHoldUs !== null && !(Number.isSafeInteger(r.maxHoldUs) && r.maxHoldUs > 0)) throw new ConfigError(`exit.${sport}.maxHoldUs`, 'must be null or a positive integer');
}
