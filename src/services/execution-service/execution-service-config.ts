/**
 * execution_service configuration: read from the environment once, validated, frozen.
 *
 * Modes: `paper` (default) fills against the monitors' books; `sim` sends real orders to the
 * simulated venues through the real clients; `live` sends them to the real venues and needs TWO
 * explicit opt-ins (ARBEES_LIVE_TRADING=true and ARBEES_LIVE_CONFIRM=I_UNDERSTAND_REAL_MONEY),
 * otherwise the service refuses to start with a config error. EXEC_DRY_RUN stops every venue
 * order before it is signed (the order is logged, never the keys).
 */
import { ConfigError } from '../../core/errors.js';
import { DEFAULT_FEES, type FeeSchedule } from '../../core/fees.js';
import { resolveKellyOptions, type KellyOptions } from '../../core/sizing/kelly.js';
import { resolveRiskLimits, type RiskLimits } from '../../core/risk/risk-limits.js';
import { SlowKey } from '../../core/slow-keys.js';
import { defineVar, parse, type ConfigOf } from '../../runtime/config.js';
import { ledgerGuardConfigSpec } from '../../runtime/ledger-guard-config.js';
import { kalshiCredentialSpec, polymarketCredentialSpec } from '../../runtime/venue-credentials.js';
import { venueEndpointSpec } from '../../runtime/venue-endpoints.js';

const LIVE_CONFIRM_PHRASE = 'I_UNDERSTAND_REAL_MONEY';
export type ExecutionMode = 'paper' | 'sim' | 'live';

const usd = (env: string, dflt: number, describe: string) => defineVar({ env, default: dflt, parse: parse.number(0, 1e9), describe });

export type MarketSubscription = 'quotes' | 'follow' | 'all';

export const executionConfigSpec = {
  mode: defineVar({ env: 'EXEC_MODE', default: 'paper' as ExecutionMode, parse: parse.oneOf('paper', 'sim', 'live') }),
  liveTrading: defineVar({ env: 'ARBEES_LIVE_TRADING', default: false, parse: parse.bool, describe: 'first opt-in for live orders' }),
  liveConfirm: defineVar({ env: 'ARBEES_LIVE_CONFIRM', default: '', parse: parse.string, describe: `second opt-in: ${LIVE_CONFIRM_PHRASE}` }),
  dryRun: defineVar({ env: 'EXEC_DRY_RUN', default: false, parse: parse.bool }),
  /** Prepended to every Redis key this service owns (tests isolate themselves with it). */
  keyPrefix: defineVar({ env: 'EXEC_KEY_PREFIX', default: '', parse: parse.string }),
  /**
   * Roles (service names) whose trade / exit signals are acted on; a signal from any other
   * publisher is rejected, counted and audited (signal-gate.ts). Exits also come from the api's
   * flatten control.
   */
  tradeSignalSources: defineVar({ env: 'EXEC_TRADE_SIGNAL_SOURCES', default: ['game_shard'] as string[], parse: parse.list }),
  exitSignalSources: defineVar({ env: 'EXEC_EXIT_SIGNAL_SOURCES', default: ['position_tracker', 'api'] as string[], parse: parse.list }),
  /**
   * `required`: only signals carrying a valid MAC under the system's bus key are acted on.
   * `off` (debugging only, refused in live mode): the role check alone.
   */
  signalAuth: defineVar({ env: 'EXEC_SIGNAL_AUTH', default: 'required' as 'required' | 'off', parse: parse.oneOf('required', 'off') }),
  /**
   * Publishers to hear signals / books from. Empty: books from every publisher in the registry,
   * signals from those registered under the roles above only.
   */
  sourceServices: defineVar({ env: 'EXEC_SOURCE_SERVICES', default: [] as string[], parse: parse.list }),
  bankrollUsd: usd('EXEC_BANKROLL_USD', 1_000, 'cash the service may trade with'),
  kellyFraction: defineVar({ env: 'EXEC_KELLY_FRACTION', default: 0.25, parse: parse.number(0.0001, 1) }),
  maxContractsPerOrder: defineVar({ env: 'EXEC_MAX_CONTRACTS_PER_ORDER', default: 500, parse: parse.int(1, 100_000) }),
  maxOrderUsd: usd('EXEC_MAX_ORDER_USD', 100, 'per-order notional'),
  maxMarketUsd: usd('EXEC_MAX_MARKET_USD', 200, 'exposure per market'),
  maxGameUsd: usd('EXEC_MAX_GAME_USD', 300, 'exposure per game'),
  maxSportUsd: usd('EXEC_MAX_SPORT_USD', 1_000, 'exposure per sport'),
  maxTotalUsd: usd('EXEC_MAX_TOTAL_USD', 2_500, 'total exposure'),
  maxDailyLossUsd: usd('EXEC_MAX_DAILY_LOSS_USD', 100, 'daily loss limit'),
  maxOrdersPerWindow: defineVar({ env: 'EXEC_MAX_ORDERS_PER_WINDOW', default: 20, parse: parse.int(1, 1_000_000) }),
  orderRateWindowMs: defineVar({ env: 'EXEC_ORDER_RATE_WINDOW_MS', default: 60_000, parse: parse.int(1, 86_400_000) }),
  minSidePrice: defineVar({ env: 'EXEC_MIN_SIDE_PRICE', default: 0.01, parse: parse.number(0.0001, 0.9999) }),
  maxSidePrice: defineVar({ env: 'EXEC_MAX_SIDE_PRICE', default: 0.99, parse: parse.number(0.0001, 0.9999) }),
  maxSpread: defineVar({ env: 'EXEC_MAX_SPREAD', default: 0.1, parse: parse.number(0, 1) }),
  killSwitchAllowsExits: defineVar({ env: 'EXEC_KILL_SWITCH_ALLOWS_EXITS', default: false, parse: parse.bool }),
  dayTimeZone: defineVar({ env: 'EXEC_DAY_TIME_ZONE', default: 'America/New_York', parse: parse.string }),
  /** The kill switch key is read this often (takes effect within poll + one Redis round trip). */
  killSwitchPollMs: defineVar({ env: 'EXEC_KILL_SWITCH_POLL_MS', default: 25, parse: parse.int(5, 1_000) }),
  /** When the kill switch cannot be read for this long, it counts as ON (fail safe). */
  killSwitchStaleMs: defineVar({ env: 'EXEC_KILL_SWITCH_STALE_MS', default: 2_000, parse: parse.int(50, 60_000) }),
  /** A venue order without an answer in this time has an unknown outcome. */
  orderTimeoutMs: defineVar({ env: 'EXEC_ORDER_TIMEOUT_MS', default: 5_000, parse: parse.int(50, 120_000) }),
  reconcileIntervalMs: defineVar({ env: 'EXEC_RECONCILE_INTERVAL_MS', default: 1_000, parse: parse.int(20, 600_000) }),
  /** An order not found at the venue counts as never placed only after this long. */
  reconcileGraceMs: defineVar({ env: 'EXEC_RECONCILE_GRACE_MS', default: 10_000, parse: parse.int(0, 3_600_000) }),
  /** A book older than this is not traded on (0: no age limit). */
  bookMaxAgeMs: defineVar({ env: 'EXEC_BOOK_MAX_AGE_MS', default: 60_000, parse: parse.int(0, 86_400_000) }),
  /**
   * `quotes`: the monitors' quote snapshots (`quotes.`: every changed market's top, latest only,
   * one message per monitor and MONITOR_QUOTES_INTERVAL_MS; at once on a halt or settlement).
   * Books come from the signal's carried levels, replaced by a newer quote's top.
   * `follow`: every price of the markets held, in doubt or with a live signal (exact topics).
   * `all`: every `prices.` and `orderbook.` message (full depth of every book; costs CPU per
   * update of every market).
   */
  marketSubscription: defineVar({
    env: 'EXEC_MARKET_SUBSCRIPTION',
    default: 'quotes' as MarketSubscription,
    parse: parse.oneOf<MarketSubscription>('quotes', 'follow', 'all'),
  }),
  /** A signalled market stays followed (EXEC_MARKET_SUBSCRIPTION=follow) this long after the signal expires. */
  followGraceMs: defineVar({ env: 'EXEC_FOLLOW_GRACE_MS', default: 10_000, parse: parse.int(0, 3_600_000) }),
  /** How often the followed markets are brought in line with positions and live signals. */
  followSyncMs: defineVar({ env: 'EXEC_FOLLOW_SYNC_MS', default: 1_000, parse: parse.int(20, 60_000) }),
  /** Decision records (idempotency) are kept this long after the outcome. */
  recordTtlS: defineVar({ env: 'EXEC_RECORD_TTL_S', default: 7 * 86_400, parse: parse.int(60, 365 * 86_400) }),
  /** 0 keeps every audit record (trim it with the recorder); otherwise MAXLEN ~. */
  auditMaxLen: defineVar({ env: 'EXEC_AUDIT_MAXLEN', default: 0, parse: parse.int(0, 100_000_000) }),
  kalshiRestUrl: venueEndpointSpec.kalshiRestUrl,
  polyClobUrl: venueEndpointSpec.polyClobUrl,
  ...kalshiCredentialSpec,
  ...polymarketCredentialSpec,
  ...ledgerGuardConfigSpec,
};

export type ExecutionConfig = ConfigOf<typeof executionConfigSpec>;

export interface ExecutionKeys {
  readonly tradesCompleted: string;
  readonly killSwitch: string;
  /** Reduce-only mode (entry-pause.ts). */
  readonly entriesPaused: string;
  readonly audit: string;
  /** Prefix of one decision record per signal / exit: `<prefix><source>:<id>`. */
  readonly record: string;
  /** Set of source ids whose outcome is not final yet (orders in flight or unknown). */
  readonly inFlight: string;
  /** Hash venue:market -> why it is blocked (an order with an unknown outcome). */
  readonly blocked: string;
  /** Hash venue:market -> settlement YES value, so a restart does not reopen settled positions. */
  readonly settlements: string;
}

export interface ExecutionSettings {
  readonly mode: ExecutionMode;
  readonly dryRun: boolean;
  readonly keys: ExecutionKeys;
  readonly bankrollCc: number;
  readonly limits: RiskLimits;
  readonly kelly: Readonly<Required<KellyOptions>>;
  readonly fees: FeeSchedule;
}

const cc = (dollars: number) => Math.round(dollars * 10_000);

export function executionKeys(prefix: string): ExecutionKeys {
  return Object.freeze({
    tradesCompleted: prefix + SlowKey.tradesCompleted,
    killSwitch: prefix + SlowKey.killSwitch,
    entriesPaused: prefix + SlowKey.entriesPaused,
    audit: prefix + SlowKey.auditExecution,
    record: `${prefix}exec:decision:`,
    inFlight: `${prefix}exec:in_flight`,
    blocked: `${prefix}${SlowKey.execBlocked}`,
    settlements: `${prefix}exec:settlements`,
  });
}

/** Refuses live mode without both opt-ins: a config error naming the missing one. */
export function checkLiveOptIns(config: Pick<ExecutionConfig, 'mode' | 'liveTrading' | 'liveConfirm'>): void {
  if (config.mode !== 'live') return;
  if (!config.liveTrading) {
    throw new ConfigError('ARBEES_LIVE_TRADING', 'must be true for EXEC_MODE=live (real money needs two explicit opt-ins; paper is the default)');
  }
  if (config.liveConfirm !== LIVE_CONFIRM_PHRASE) {
    throw new ConfigError('ARBEES_LIVE_CONFIRM', `must be exactly ${LIVE_CONFIRM_PHRASE} for EXEC_MODE=live (real money needs two explicit opt-ins)`);
  }
}

/** Live orders only on authenticated signals: EXEC_SIGNAL_AUTH=off is for paper and sim debugging. */
export function checkSignalAuth(config: Pick<ExecutionConfig, 'mode' | 'signalAuth'>): void {
  if (config.mode === 'live' && config.signalAuth !== 'required') {
    throw new ConfigError('EXEC_SIGNAL_AUTH', 'must be required for EXEC_MODE=live (live orders are placed only on signals signed with the bus key)');
  }
}

export function resolveExecutionSettings(config: ExecutionConfig): ExecutionSettings {
  checkLiveOptIns(config);
  checkSignalAuth(config);
  if (config.minSidePrice > config.maxSidePrice) throw new ConfigError('EXEC_MIN_SIDE_PRICE', 'must not exceed EXEC_MAX_SIDE_PRICE');
  const limits = resolveRiskLimits({
    maxContractsPerOrder: config.maxContractsPerOrder,
    maxOrderNotionalCc: cc(config.maxOrderUsd),
    maxMarketExposureCc: cc(config.maxMarketUsd),
    maxGameExposureCc: cc(config.maxGameUsd),
    maxSportExposureCc: cc(config.maxSportUsd),
    maxTotalExposureCc: cc(config.maxTotalUsd),
    maxDailyLossCc: cc(config.maxDailyLossUsd),
    maxOrdersPerWindow: config.maxOrdersPerWindow,
    orderRateWindowUs: config.orderRateWindowMs * 1_000,
    minSidePriceCc: cc(config.minSidePrice),
    maxSidePriceCc: cc(config.maxSidePrice),
    maxSpreadCc: cc(config.maxSpread),
    killSwitchAllowsExits: config.killSwitchAllowsExits,
    dayTimeZone: config.dayTimeZone,
    fees: DEFAULT_FEES,
  });
  return Object.freeze({
    mode: config.mode,
    dryRun: config.dryRun,
    keys: executionKeys(config.keyPrefix),
    bankrollCc: cc(config.bankrollUsd),
    limits,
    kelly: resolveKellyOptions({ fraction: config.kellyFraction }),
    fees: limits.fees,
  });
}
