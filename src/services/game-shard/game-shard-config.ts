/**
 * The game_shard's environment, declared once with its defaults, and the signal options derived
 * from it. ESPN_BASE_URL is shared with the orchestrator (`arbees up` points both at the
 * simulator); everything else is the shard's own.
 */
import { ConfigError } from '../../core/errors.js';
import { SlowKey } from '../../core/slow-keys.js';
import { resolveSignalOptions, type SignalOptions } from '../../core/signals/index.js';
import { defineVar, parse, type ConfigOf } from '../../runtime/config.js';
import { ESPN_SITE_BASE_URL } from '../../venues/espn/common.js';
import { MONITOR_SERVICES } from '../../venues/index.js';

/** A comma list of service names, or `*` for every publisher in the registry. */
const services = (raw: string, env: string): readonly string[] | null => {
  if (raw.trim() === '*') return null;
  const list = parse.list(raw);
  if (list.length === 0) throw new ConfigError(env, 'must name at least one service, or be *');
  return list;
};

export const gameShardConfigSpec = {
  /** What the orchestrator reads as metrics.capacity: how many games this shard should be given. */
  capacity: defineVar({ env: 'SHARD_CAPACITY', default: 20, parse: parse.int(1, 10_000) }),
  activeGamesKey: defineVar({
    env: 'SHARD_ACTIVE_GAMES_KEY',
    default: SlowKey.activeGames as string,
    parse: parse.string,
    describe: 'Redis hash game_id -> GameInfo JSON written by the orchestrator',
  }),
  /** Prefix of the keys the shard writes itself (the pregame priors). */
  keyPrefix: defineVar({ env: 'SHARD_KEY_PREFIX', default: '', parse: parse.keyPrefix }),
  gamesServices: defineVar({ env: 'SHARD_GAMES_SERVICES', default: ['orchestrator'] as readonly string[] | null, parse: services }),
  priceServices: defineVar({
    env: 'SHARD_PRICE_SERVICES',
    default: Object.keys(MONITOR_SERVICES) as readonly string[] | null,
    parse: services,
  }),
  /**
   * exact: one transport subscription per market of this shard, so the publisher filters other
   * shards' markets away before they are decoded; prefix: all of `prices.`, filtered here by a
   * Map lookup. bench:shard measures both; exact is cheaper once a shard owns a fraction.
   */
  priceSubscription: defineVar({ env: 'SHARD_PRICE_SUBSCRIPTION', default: 'exact' as const, parse: parse.oneOf('exact', 'prefix') }),
  /** Re-read games:active this often (and at once after a gap on games.*). */
  healMs: defineVar({ env: 'SHARD_HEAL_MS', default: 10_000, parse: parse.int(50, 3_600_000) }),

  espnBaseUrl: defineVar({ env: 'ESPN_BASE_URL', default: ESPN_SITE_BASE_URL, parse: parse.url('http', 'https') }),
  /** One scoreboard per league per tick, shared by every game of that league. */
  pollMs: defineVar({ env: 'SHARD_POLL_MS', default: 1_000, parse: parse.int(100, 10_000) }),
  espnTimeoutMs: defineVar({ env: 'SHARD_ESPN_TIMEOUT_MS', default: 4_000, parse: parse.int(100, 60_000) }),
  espnMinIntervalMs: defineVar({ env: 'SHARD_ESPN_MIN_INTERVAL_MS', default: 200, parse: parse.int(0, 10_000) }),
  breakerFailures: defineVar({ env: 'SHARD_ESPN_BREAKER_FAILURES', default: 5, parse: parse.int(1, 1_000) }),
  breakerOpenMs: defineVar({ env: 'SHARD_ESPN_BREAKER_OPEN_MS', default: 30_000, parse: parse.int(10, 3_600_000) }),
  /** A live state ESPN has not confirmed for this long is not used for model signals. */
  stateTtlMs: defineVar({ env: 'SHARD_STATE_TTL_MS', default: 15_000, parse: parse.int(100, 3_600_000) }),
  /** A backwards ESPN state seen this many polls in a row is a correction, and accepted. */
  correctionConfirmations: defineVar({ env: 'SHARD_STATE_CONFIRMATIONS', default: 3, parse: parse.int(1, 100) }),

  /** A price whose origin_ts is older than this when it arrives is late: kept, never traded on. */
  priceMaxDelayMs: defineVar({ env: 'SHARD_PRICE_MAX_DELAY_MS', default: 1_000, parse: parse.int(1, 600_000) }),
  /** A book not refreshed for this long is stale: not a leg of any signal. */
  priceTtlMs: defineVar({ env: 'SHARD_PRICE_TTL_MS', default: 30_000, parse: parse.int(1, 3_600_000) }),
  /** game_state of one game at most this often (a change inside the window goes out at its end). */
  stateMinIntervalMs: defineVar({ env: 'SHARD_STATE_MIN_INTERVAL_MS', default: 250, parse: parse.int(10, 60_000) }),
  /** An unchanged game_state is published again this often (heals subscribers that missed it). */
  stateRefreshMs: defineVar({ env: 'SHARD_STATE_REFRESH_MS', default: 30_000, parse: parse.int(100, 3_600_000) }),
  /**
   * The first ESPN poll and game_state wait this long, so subscribers that find the shard through
   * the registry (zmq_listener, the API) are connected before its first states (ZMQ drops what it
   * sends earlier, and an unchanged state is only repeated every stateRefreshMs).
   */
  startDelayMs: defineVar({ env: 'SHARD_START_DELAY_MS', default: 1_500, parse: parse.int(0, 60_000) }),
  /** A book wider than this does not set the pregame prior. */
  priorMaxSpread: defineVar({ env: 'SHARD_PRIOR_MAX_SPREAD', default: 0.2, parse: parse.number(0.0001, 1) }),
  priorTtlS: defineVar({ env: 'SHARD_PRIOR_TTL_S', default: 3 * 86_400, parse: parse.int(60, 30 * 86_400) }),

  modelSignals: defineVar({ env: 'SHARD_MODEL_SIGNALS', default: true, parse: parse.bool }),
  scoreChangeSignals: defineVar({ env: 'SHARD_SCORE_CHANGE_SIGNALS', default: false, parse: parse.bool }),
  highEdge: defineVar({ env: 'SHARD_HIGH_EDGE', default: 0.1, parse: parse.number(0, 1) }),
  /** Minimum model edge after fees, in centi-cents per contract (400 = 4 cents). */
  modelMinEdgeCc: defineVar({ env: 'SHARD_MODEL_MIN_EDGE_CC', default: 400, parse: parse.int(1, 10_000) }),
  arbMinProfitCc: defineVar({ env: 'SHARD_ARB_MIN_PROFIT_CC', default: 100, parse: parse.int(1, 100_000_000) }),
  debounceMs: defineVar({ env: 'SHARD_DEBOUNCE_MS', default: 5_000, parse: parse.int(0, 3_600_000) }),
};

export type GameShardConfig = ConfigOf<typeof gameShardConfigSpec>;

/** The detectors' options from the shard's config (validated and frozen by core/signals). */
export function signalOptionsOf(cfg: GameShardConfig): Readonly<SignalOptions> {
  return resolveSignalOptions({
    model: { enabled: cfg.modelSignals, minNetEdgeCc: cfg.modelMinEdgeCc },
    scoreChange: { enabled: cfg.scoreChangeSignals },
    arbitrage: { minProfitCc: cfg.arbMinProfitCc },
    debounce: { windowUs: cfg.debounceMs * 1000 },
    highEdgeThreshold: cfg.highEdge,
  });
}

/** The shard's own keys. */
export const shardKeys = (prefix: string) =>
  Object.freeze({
    /** JSON of the pregame prior of one game (survives a restart; TTL'd). */
    prior: (gameId: string) => `${prefix}shard:prior:${gameId}`,
  });
