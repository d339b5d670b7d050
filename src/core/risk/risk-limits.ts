/**
 * Every risk option with its default, in one place. Money is integer centi-cents (cc, 1/10000
 * dollar); prices are cc per contract of the traded side; times are microseconds.
 * resolveRiskLimits validates once and freezes; everything downstream trusts the result.
 */
import { ConfigError } from '../errors.js';
import { DEFAULT_FEES, MAX_CONTRACTS_PER_FILL, type FeeSchedule } from '../fees.js';

export interface RiskLimitsOptions {
  /** Largest order, in contracts (per leg). */
  maxContractsPerOrder?: number;
  /** Largest order notional (contracts x side limit price), per leg. */
  maxOrderNotionalCc?: number;
  /** Exposure (cost of contracts held plus worst cost of orders in flight) per market... */
  maxMarketExposureCc?: number;
  /** ...per game (all its markets, both venues)... */
  maxGameExposureCc?: number;
  /** ...per sport... */
  maxSportExposureCc?: number;
  /** ...and in total. */
  maxTotalExposureCc?: number;
  /** New entries stop when today's realised P&L plus marked unrealised P&L is at or below -this. */
  maxDailyLossCc?: number;
  /** At most this many orders (legs) in any sliding window of orderRateWindowUs. */
  maxOrdersPerWindow?: number;
  orderRateWindowUs?: number;
  /** Side price of a limit must lie in [min, max] (1 cent .. 99 cents by default). */
  minSidePriceCc?: number;
  maxSidePriceCc?: number;
  /** Widest bid-ask spread an order may trade into. */
  maxSpreadCc?: number;
  /** How far a limit may sit beyond the best price it trades against (fat-finger guard). */
  maxLimitThroughBookCc?: number;
  /** When true, sells that reduce a held position pass the kill switch (flattening stays possible). */
  killSwitchAllowsExits?: boolean;
  /** Venue fees, for the worst-case cost of an order. */
  fees?: FeeSchedule;
  /** The trading day for the daily loss limit starts at midnight in this IANA time zone. */
  dayTimeZone?: string;
  /** How long an accepted request id is remembered, and how many are kept at most. */
  idempotencyTtlUs?: number;
  idempotencyCapacity?: number;
}

export type RiskLimits = Readonly<Required<RiskLimitsOptions>>;

const DOLLAR = 10_000;

const RISK_LIMIT_DEFAULTS: RiskLimits = Object.freeze({
  maxContractsPerOrder: 500,
  maxOrderNotionalCc: 100 * DOLLAR,
  maxMarketExposureCc: 200 * DOLLAR,
  maxGameExposureCc: 300 * DOLLAR,
  maxSportExposureCc: 1_000 * DOLLAR,
  maxTotalExposureCc: 2_500 * DOLLAR,
  maxDailyLossCc: 100 * DOLLAR,
  maxOrdersPerWindow: 20,
  orderRateWindowUs: 60_000_000,
  minSidePriceCc: 100,
  maxSidePriceCc: 9_900,
  maxSpreadCc: 1_000,
  maxLimitThroughBookCc: 300,
  killSwitchAllowsExits: false,
  fees: DEFAULT_FEES,
  dayTimeZone: 'America/New_York',
  idempotencyTtlUs: 24 * 3600 * 1_000_000,
  idempotencyCapacity: 100_000,
});

const NON_NEGATIVE_INTEGERS = [
  'maxOrderNotionalCc',
  'maxMarketExposureCc',
  'maxGameExposureCc',
  'maxSportExposureCc',
  'maxTotalExposureCc',
  'maxDailyLossCc',
  'maxSpreadCc',
  'maxLimitThroughBookCc',
] as const;

const POSITIVE_INTEGERS = ['maxContractsPerOrder', 'maxOrdersPerWindow', 'orderRateWindowUs', 'idempotencyTtlUs', 'idempotencyCapacity'] as const;

export function resolveRiskLimits(options: RiskLimitsOptions = {}): RiskLimits {
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const limits = { ...RISK_LIMIT_DEFAULTS, ...defined } as Required<RiskLimitsOptions>;
  for (const key of NON_NEGATIVE_INTEGERS) {
    if (!Number.isSafeInteger(limits[key]) || limits[key] < 0) throw new ConfigError(`risk.${key}`, 'must be a non-negative integer');
  }
  for (const key of POSITIVE_INTEGERS) {
    if (!Number.isSafeInteger(limits[key]) || limits[key] <= 0) throw new ConfigError(`risk.${key}`, 'must be a positive integer');
  }
  if (limits.maxContractsPerOrder > MAX_CONTRACTS_PER_FILL) {
    throw new ConfigError('risk.maxContractsPerOrder', `must be at most ${MAX_CONTRACTS_PER_FILL}`);
  }
  const { minSidePriceCc: lo, maxSidePriceCc: hi } = limits;
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 1 || hi > 9_999 || lo > hi) {
    throw new ConfigError('risk.minSidePriceCc/maxSidePriceCc', 'must be integers with 1 <= min <= max <= 9999 (prices strictly inside (0,1))');
  }
  if (typeof limits.killSwitchAllowsExits !== 'boolean') throw new ConfigError('risk.killSwitchAllowsExits', 'must be a boolean');
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: limits.dayTimeZone });
  } catch {
    throw new ConfigError('risk.dayTimeZone', `${JSON.stringify(limits.dayTimeZone)} is not an IANA time zone`);
  }
  return Object.freeze(limits);
}
