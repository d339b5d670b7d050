/**
 * Names of everything on the Redis slow track (docs/architecture.md section 3), in one place so the bridge
 * that writes them and the services that read them can never disagree.
 */
import type { Sport, Venue } from './topics.js';

export const SlowKey = {
  /** Stream of every price update of a venue (capped). */
  pricesStream: (venue: Venue) => `prices:${venue}`,
  /** Hash with the latest price of one market. */
  latestPrice: (venue: Venue, marketId: string) => `price:${venue}:${marketId}`,
  /** Latest game message (info or state), SETEX 86400. */
  gameLatest: (sport: Sport, gameId: string) => `games:${sport}:${gameId}`,
  gameEvents: 'games:events',
  signalsStream: 'signals:trades',
  /** Any other hot topic family, e.g. `orderbook.kalshi.X` -> `mirror:orderbook:kalshi`. */
  mirrorStream: (family: string) => `mirror:${family.replace(/\./g, ':')}`,
  /** Written by their owners, never by the bridge, never trimmed before the recorder has them. */
  tradesCompleted: 'trades:completed',
  positionsOpen: 'positions:open',
  positionsClosed: 'positions:closed',
  /**
   * Settlements the position tracker applied, each with the trades:completed id it was applied
   * after: with trades:completed, the ordered log positions are rebuilt from after a restart.
   */
  positionsSettlements: 'positions:settlements',
  /** Hash: the tracker's last committed stream ids (trades, settlements) and bankroll totals. */
  positionsCheckpoint: 'positions:checkpoint',
  killSwitch: 'control:kill_switch',
  /** execution_service's audit trail: one entry per decision (accepted, rejected, filled, unknown...). */
  auditExecution: 'audit:execution',
  /**
   * Hash game_id -> GameInfo JSON of every game the orchestrator tracks, with its markets and
   * shard: the authority a monitor or shard reads to recover its assignments after a restart
   * (the bridge's latest `games:<sport>:<id>` may hold a shard's game_state instead).
   */
  activeGames: 'games:active',
  /** Hash game_id -> shard id (`<service>.<instance>`): the one owner of each tracked game. */
  assignGames: 'assign:games',
  /** Set of the game ids one shard owns, kept atomically in step with assignGames. */
  assignShard: (shardId: string) => `assign:shard:${shardId}`,
  /** Capped stream of HealthAlert (dead, restarted, degraded, recovered, feed down/up). */
  healthAlerts: 'alerts:health',
  /** The bridge's own status and counters. */
  bridgeStatus: 'bridge:status',
  /** Capped stream of reports analytics_service stored (id, kind, period, summary, Markdown). */
  reportsStream: 'reports:events',
} as const;

export const GAME_LATEST_TTL_S = 86_400;
