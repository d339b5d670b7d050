/**
 * The position tracker's environment, declared once with its defaults, and the Redis key names
 * it reads and owns. PT_KEY_PREFIX prefixes every key, so tests (and a staging copy) can run side
 * by side against one Redis without touching each other's streams.
 */
import { ConfigError } from '../../core/errors.js';
import { DEFAULT_FEES, type FeeSchedule, type VenueFeeRule } from '../../core/fees.js';
import { resolveExitOptions, type ExitRuleOptions, type ExitRulesBySport } from '../../core/positions/exit-options.js';
import { dollarsToCc } from '../../core/money.js';
import { SlowKey } from '../../core/slow-keys.js';
import { SPORTS, VENUES, type Sport, type Venue } from '../../core/topics.js';
import { defineVar, parse, type ConfigOf, type VarSpec } from '../../runtime/config.js';
import { ledgerGuardConfigSpec } from '../../runtime/ledger-guard-config.js';
import type { MarkSource } from './mark-feed.js';

/** `nba=0.03,nfl=0.05`: stop loss in price points per sport, over the exit rules' sport table. */
function stopLossTable(raw: string, env: string): Partial<Record<Sport, number>> {
  const table: Partial<Record<Sport, number>> = {};
  for (const item of parse.list(raw)) {
    const [sport, value, extra] = item.split('=').map((s) => s.trim().toLowerCase());
    const n = Number(value);
    if (extra !== undefined || !(SPORTS as readonly string[]).includes(sport ?? '') || !(n > 0 && n <= 1)) {
      throw new ConfigError(env, `must list sport=points with points in (0,1], got ${JSON.stringify(item)}`);
    }
    table[sport as Sport] = n;
  }
  return Object.freeze(table);
}

/** Optional numbers: unset keeps the exit rules' own default (src/core/positions/exit-options.ts). */
const optional =
  (min: number, max: number) =>
  (raw: string, env: string): number | null =>
    parse.number(min, max)(raw, env);

const dollars = (raw: string, env: string): number => dollarsToCc(parse.number(0, 1e12)(raw, env));

/** `PT_<VENUE>_TAKER_BP` for every venue (PT_KALSHI_TAKER_BP, PT_POLY_TAKER_BP, ...). */
function takerFeeSpec(): Record<`${Venue}TakerBp`, VarSpec<number>> {
  const entries = VENUES.map((v) => [
    `${v}TakerBp`,
    defineVar({ env: `PT_${v.toUpperCase()}_TAKER_BP`, default: DEFAULT_FEES[v].takerRateBp, parse: parse.int(0, 10_000) }),
  ]);
  return Object.fromEntries(entries) as Record<`${Venue}TakerBp`, VarSpec<number>>;
}

export const trackerConfigSpec = {
  keyPrefix: defineVar({ env: 'PT_KEY_PREFIX', default: '', parse: parse.keyPrefix }),
  /** Starting cash, in dollars (held as integer centi-cents). */
  initialBankrollCc: defineVar({ env: 'PT_INITIAL_BANKROLL_USD', default: dollarsToCc(1_000), parse: dollars }),
  /** Only hear hot-path publishers of these services (all when empty). */
  sourceServices: defineVar({ env: 'PT_SOURCE_SERVICES', default: [] as string[], parse: parse.list }),
  /** Trading day of the daily P&L (US sports trade on Eastern evenings). */
  timeZone: defineVar({ env: 'PT_TIME_ZONE', default: 'America/New_York', parse: parse.timeZone }),

  // Exit rules, in price points and milliseconds; unset values keep the rules' defaults.
  takeProfit: defineVar({ env: 'PT_TAKE_PROFIT', default: null, parse: optional(0, 1) }),
  stopLoss: defineVar({ env: 'PT_STOP_LOSS', default: {} as Partial<Record<Sport, number>>, parse: stopLossTable }),
  edgeGoneMargin: defineVar({ env: 'PT_EDGE_GONE_MARGIN', default: null, parse: optional(-1, 1) }),
  /** Off: the model's probability is not used to exit (e.g. while the model is being validated). */
  edgeGoneEnabled: defineVar({ env: 'PT_EDGE_GONE', default: true, parse: parse.bool }),
  holdAbove: defineVar({ env: 'PT_HOLD_ABOVE', default: null, parse: optional(0, 1) }),
  minHoldMs: defineVar({ env: 'PT_MIN_HOLD_MS', default: null, parse: optional(0, 86_400_000) }),
  /** 0: off. */
  maxHoldMs: defineVar({ env: 'PT_MAX_HOLD_MS', default: null, parse: optional(0, 365 * 86_400_000) }),
  staleQuoteMs: defineVar({ env: 'PT_STALE_QUOTE_MS', default: null, parse: optional(0, 86_400_000) }),
  staleExitMs: defineVar({ env: 'PT_STALE_EXIT_MS', default: null, parse: optional(0, 86_400_000) }),
  maxSpread: defineVar({ env: 'PT_MAX_SPREAD', default: null, parse: optional(0, 1) }),
  /** Exit with this many game seconds left (negative: off). */
  exitBeforeEndS: defineVar({ env: 'PT_EXIT_BEFORE_END_S', default: null, parse: optional(-1, 100_000) }),
  exitSlippage: defineVar({ env: 'PT_EXIT_SLIPPAGE', default: null, parse: optional(0, 1) }),
  /** An exit signal expires after this; until then no second exit of the same position is sent. */
  exitTtlMs: defineVar({ env: 'PT_EXIT_TTL_MS', default: 5_000, parse: parse.int(100, 600_000) }),
  /** Exit conditions must hold on this many consecutive checks (1: fire at once). */
  exitConfirmChecks: defineVar({ env: 'PT_EXIT_CONFIRM_CHECKS', default: 1, parse: parse.int(1, 100) }),
  exitCheckMs: defineVar({ env: 'PT_EXIT_CHECK_MS', default: 1_000, parse: parse.int(20, 60_000) }),
  /** A game_info final waits this long for the final game_state's score before using the last one. */
  finalGraceMs: defineVar({ env: 'PT_FINAL_GRACE_MS', default: 30_000, parse: parse.int(0, 3_600_000) }),

  /**
   * Held games are re-read from the slow track this often, so a final the hot path dropped
   * (ZMQ does not promise delivery) still settles.
   */
  gameRefreshMs: defineVar({ env: 'PT_GAME_REFRESH_MS', default: 30_000, parse: parse.int(100, 3_600_000) }),
  /**
   * Where marks come from: `quotes`, the monitors' quote snapshots (one message per monitor and
   * MONITOR_QUOTES_INTERVAL_MS), or `prices`, every price of each held market (exact topics).
   */
  markSource: defineVar({ env: 'PT_MARK_SOURCE', default: 'quotes' as MarkSource, parse: parse.oneOf<MarkSource>('quotes', 'prices') }),
  /** positions.<id> for mark changes at most this often per position (trades publish at once). */
  markPublishMs: defineVar({ env: 'PT_MARK_PUBLISH_MS', default: 250, parse: parse.int(0, 60_000) }),
  /** positions:open is refreshed with marks this often (trade changes are written at once). */
  snapshotMs: defineVar({ env: 'PT_SNAPSHOT_MS', default: 1_000, parse: parse.int(50, 600_000) }),
  /** A trade heard on the hot path but absent from trades:completed this long is alerted. */
  durableWaitMs: defineVar({ env: 'PT_DURABLE_WAIT_MS', default: 5_000, parse: parse.int(100, 600_000) }),
  readBatch: defineVar({ env: 'PT_READ_BATCH', default: 500, parse: parse.int(1, 100_000) }),
  readBlockMs: defineVar({ env: 'PT_READ_BLOCK_MS', default: 1_000, parse: parse.int(10, 60_000) }),
  /** 0: never trimmed here; the recorder trims positions:closed below what it has committed. */
  closedMaxLen: defineVar({ env: 'PT_CLOSED_MAXLEN', default: 0, parse: parse.int(0, 100_000_000) }),
  ...takerFeeSpec(),
  ...ledgerGuardConfigSpec,
};

export type TrackerConfig = ConfigOf<typeof trackerConfigSpec>;

const cc = (points: number | null) => (points === null ? undefined : Math.round(points * 10_000));
const us = (ms: number | null) => (ms === null ? undefined : Math.round(ms * 1_000));

/** The exit rules per sport from the PT_* variables; throws ConfigError on inconsistent values. */
export function trackerExitRules(config: TrackerConfig): ExitRulesBySport {
  const all: ExitRuleOptions = {
    takeProfitCc: cc(config.takeProfit),
    edgeGoneMarginCc: cc(config.edgeGoneMargin),
    holdToSettleSideCc: cc(config.holdAbove),
    minHoldUs: us(config.minHoldMs),
    maxHoldUs: config.maxHoldMs === null ? undefined : config.maxHoldMs === 0 ? null : us(config.maxHoldMs),
    staleQuoteUs: us(config.staleQuoteMs),
    staleExitUs: us(config.staleExitMs),
    maxSpreadCc: cc(config.maxSpread),
    exitBeforeEndS: config.exitBeforeEndS === null ? undefined : config.exitBeforeEndS < 0 ? null : config.exitBeforeEndS,
    exitSlippageCc: cc(config.exitSlippage),
  };
  const sports: Partial<Record<Sport, ExitRuleOptions>> = {};
  for (const [sport, points] of Object.entries(config.stopLoss)) sports[sport as Sport] = { stopLossCc: cc(points ?? null) };
  return resolveExitOptions({ all, sports });
}

/** Fees used to mark positions (the exit fee comes off the liquidation value). */
export function trackerFees(config: Pick<TrackerConfig, `${Venue}TakerBp`>): FeeSchedule {
  const rules = VENUES.map((v) => [v, Object.freeze({ ...DEFAULT_FEES[v], takerRateBp: config[`${v}TakerBp`] })]);
  return Object.freeze(Object.fromEntries(rules) as Record<Venue, VenueFeeRule>);
}

export interface TrackerKeys {
  /** Input, the truth: every TradeCompleted in execution order (written by execution_service). */
  readonly tradesCompleted: string;
  /** Output, the truth for settlements: each one with the trade cursor it was applied after. */
  readonly settlements: string;
  /** Cache: open positions by position id. */
  readonly positionsOpen: string;
  /** Closed and settled positions, each appended exactly once. */
  readonly positionsClosed: string;
  /** Cursor of the last committed log entries plus bankroll totals (hash). */
  readonly checkpoint: string;
  /** The orchestrator's tracked games (market refs, finals after a restart). */
  readonly activeGames: string;
  gameLatest(sport: Sport, gameId: string): string;
  latestPrice(venue: Venue, marketId: string): string;
}

export function trackerKeys(prefix: string): Readonly<TrackerKeys> {
  return Object.freeze({
    tradesCompleted: prefix + SlowKey.tradesCompleted,
    settlements: prefix + SlowKey.positionsSettlements,
    positionsOpen: prefix + SlowKey.positionsOpen,
    positionsClosed: prefix + SlowKey.positionsClosed,
    checkpoint: prefix + SlowKey.positionsCheckpoint,
    activeGames: prefix + SlowKey.activeGames,
    gameLatest: (sport: Sport, gameId: string) => prefix + SlowKey.gameLatest(sport, gameId),
    latestPrice: (venue: Venue, marketId: string) => prefix + SlowKey.latestPrice(venue, marketId),
  });
}
