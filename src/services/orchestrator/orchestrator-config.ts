/**
 * The orchestrator's environment, declared once with its defaults, and the Redis key names it
 * owns. ORCH_KEY_PREFIX prefixes every key (tests run side by side against one Redis; a staging
 * copy can share a production Redis); shards and monitors read the same keys with the same prefix.
 */
import { SPORTS, type Sport } from '../../core/topics.js';
import { ConfigError } from '../../core/errors.js';
import { SlowKey } from '../../core/slow-keys.js';
import { ESPN_SITE_BASE_URL } from '../../venues/espn/common.js';
import { defineVar, parse, type ConfigOf } from '../../runtime/config.js';

function leagues(raw: string, env: string): Sport[] {
  const list = parse.list(raw).map((s) => s.toLowerCase());
  const bad = list.filter((s) => !(SPORTS as readonly string[]).includes(s));
  if (bad.length > 0 || list.length === 0) {
    throw new ConfigError(env, `must list leagues among ${SPORTS.join(', ')}, got ${JSON.stringify(raw)}`);
  }
  return [...new Set(list)] as Sport[];
}

export const orchestratorConfigSpec = {
  espnBaseUrl: defineVar({ env: 'ESPN_BASE_URL', default: ESPN_SITE_BASE_URL, parse: parse.url('http', 'https') }),
  espnMinIntervalMs: defineVar({ env: 'ESPN_MIN_INTERVAL_MS', default: 700, parse: parse.int(0, 60_000) }),
  espnTimeoutMs: defineVar({ env: 'ESPN_TIMEOUT_MS', default: 8_000, parse: parse.int(100, 120_000) }),
  leagues: defineVar({ env: 'ORCH_LEAGUES', default: [...SPORTS] as Sport[], parse: leagues }),
  /**
   * The first poll waits this long, so subscribers that find the orchestrator through the
   * registry are connected before its first "discovered" burst (ZMQ drops what it sends earlier).
   */
  startDelayMs: defineVar({ env: 'ORCH_START_DELAY_MS', default: 1_500, parse: parse.int(0, 60_000) }),
  pollMs: defineVar({ env: 'ORCH_POLL_MS', default: 30_000, parse: parse.int(100, 600_000) }),
  /** Used while a game is about to start or a live game has no shard. */
  fastPollMs: defineVar({ env: 'ORCH_FAST_POLL_MS', default: 5_000, parse: parse.int(50, 600_000) }),
  /** Games starting within this window switch the poller to its fast interval. */
  fastWindowMs: defineVar({ env: 'ORCH_FAST_WINDOW_MS', default: 15 * 60_000, parse: parse.int(0, 86_400_000) }),
  /** A scheduled game this close to its start is "imminent": assigned a shard, in games:active. */
  imminentMs: defineVar({ env: 'ORCH_IMMINENT_MS', default: 60 * 60_000, parse: parse.int(0, 7 * 86_400_000) }),
  scheduleDays: defineVar({ env: 'ORCH_SCHEDULE_DAYS', default: 7, parse: parse.int(0, 31) }),
  scheduleSyncMs: defineVar({ env: 'ORCH_SCHEDULE_SYNC_MS', default: 30 * 60_000, parse: parse.int(1_000, 86_400_000) }),
  /** How long a final (or cancelled) game stays in games:active before it is removed. */
  finalRetentionMs: defineVar({ env: 'ORCH_FINAL_RETENTION_MS', default: 30 * 60_000, parse: parse.int(0, 7 * 86_400_000) }),
  /** A scheduled game whose start is this far in the past and that never went live is dropped. */
  staleScheduledMs: defineVar({ env: 'ORCH_STALE_SCHEDULED_MS', default: 12 * 3_600_000, parse: parse.int(60_000, 7 * 86_400_000) }),

  discoveryQueue: defineVar({ env: 'ORCH_DISCOVERY_QUEUE', default: 'market_discovery', parse: parse.string }),
  discoveryTimeoutMs: defineVar({ env: 'ORCH_DISCOVERY_TIMEOUT_MS', default: 15_000, parse: parse.int(50, 300_000) }),
  /** First wait after a failed lookup; doubles per failure up to the max. */
  discoveryRetryMs: defineVar({ env: 'ORCH_DISCOVERY_RETRY_MS', default: 5_000, parse: parse.int(10, 3_600_000) }),
  discoveryMaxBackoffMs: defineVar({ env: 'ORCH_DISCOVERY_MAX_BACKOFF_MS', default: 5 * 60_000, parse: parse.int(10, 86_400_000) }),
  /** A game with no markets found yet is asked again this often (venues list markets late). */
  discoveryRecheckMs: defineVar({ env: 'ORCH_DISCOVERY_RECHECK_MS', default: 10 * 60_000, parse: parse.int(10, 86_400_000) }),
  /** Only games starting within this horizon (or live) are looked up. */
  discoveryHorizonMs: defineVar({ env: 'ORCH_DISCOVERY_HORIZON_MS', default: 24 * 3_600_000, parse: parse.int(0, 31 * 86_400_000) }),
  discoveryConcurrency: defineVar({ env: 'ORCH_DISCOVERY_CONCURRENCY', default: 4, parse: parse.int(1, 64) }),

  assignMs: defineVar({ env: 'ORCH_ASSIGN_MS', default: 2_000, parse: parse.int(50, 60_000) }),
  shardService: defineVar({ env: 'ORCH_SHARD_SERVICE', default: 'game_shard', parse: parse.string }),
  /** Capacity of a shard that does not report metrics.capacity. */
  shardDefaultCapacity: defineVar({ env: 'ORCH_SHARD_DEFAULT_CAPACITY', default: 20, parse: parse.int(1, 100_000) }),
  /** A shard degraded this long loses its games to healthy shards. */
  degradedGraceMs: defineVar({ env: 'ORCH_DEGRADED_GRACE_MS', default: 30_000, parse: parse.int(0, 3_600_000) }),
  rebalance: defineVar({ env: 'ORCH_REBALANCE', default: true, parse: parse.bool }),
  rebalanceMaxMoves: defineVar({ env: 'ORCH_REBALANCE_MAX_MOVES', default: 2, parse: parse.int(0, 1_000) }),

  healthMs: defineVar({ env: 'ORCH_HEALTH_MS', default: 10_000, parse: parse.int(50, 600_000) }),
  alertsMaxLen: defineVar({ env: 'ORCH_ALERTS_MAXLEN', default: 10_000, parse: parse.int(10, 10_000_000) }),
  /** Health monitoring and shard discovery see only registry instances whose name starts so. */
  watchInstancePrefix: defineVar({ env: 'ORCH_WATCH_INSTANCE_PREFIX', default: '', parse: parse.string }),
  keyPrefix: defineVar({ env: 'ORCH_KEY_PREFIX', default: '', parse: parse.keyPrefix }),

  breakerFailures: defineVar({ env: 'ORCH_BREAKER_FAILURES', default: 3, parse: parse.int(1, 1_000) }),
  breakerOpenMs: defineVar({ env: 'ORCH_BREAKER_OPEN_MS', default: 60_000, parse: parse.int(10, 3_600_000) }),
};

export type OrchestratorConfig = ConfigOf<typeof orchestratorConfigSpec>;

/** Every Redis key the orchestrator writes, under one prefix. */
export interface OrchestratorKeys {
  activeGames: string;
  assignGames: string;
  assignShard: (shardId: string) => string;
  healthAlerts: string;
  /** Hash game_id -> TrackedGame JSON: every game followed, including the 7-day schedule. */
  trackedGames: string;
  /** Hash `<service>.<instance>` -> what the health monitor last knew of it. */
  healthState: string;
}

export function orchestratorKeys(prefix: string): Readonly<OrchestratorKeys> {
  return Object.freeze({
    activeGames: prefix + SlowKey.activeGames,
    assignGames: prefix + SlowKey.assignGames,
    assignShard: (shardId: string) => prefix + SlowKey.assignShard(shardId),
    healthAlerts: prefix + SlowKey.healthAlerts,
    trackedGames: `${prefix}orch:games`,
    healthState: `${prefix}orch:health`,
  });
}
