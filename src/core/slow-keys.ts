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
  /**
   * Hash `id, created_us, origin, note`: the identity of the durable ledger (trades:completed,
   * positions:settlements...). Written once per ledger, replaced only by `arbees ledger confirm`;
   * services that rebuild from the ledger compare it (and the streams' ends) with their own
   * record outside Redis, so a Redis that lost data is detected (src/runtime/ledger-guard.ts).
   */
  ledgerEpoch: 'ledger:epoch',
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
  /**
   * The bridge's dedupe marks of one mirrored stream: hash `<src>|<seq key>` -> `<seq> <boot>`
   * of the last entry appended from that publisher stream, so a retried append is skipped.
   * `bridgeSeenPrevious` is the generation before (rotated by size; see mirror-scripts.ts).
   */
  bridgeSeen: (stream: string) => `bridge:seen:${stream}`,
  bridgeSeenPrevious: (stream: string) => `bridge:seen_prev:${stream}`,
  /**
   * Reduce-only mode: when set (same ON values as the kill switch), execution_service rejects new
   * entries and still takes exits. Written by the api's pause/resume control.
   */
  entriesPaused: 'control:entries_paused',
  /** The api's audit trail: one entry per control request (who, what, when, result). */
  auditApi: 'audit:api',
  /** execution_service: the id of the last batch its outbox wrote (redis-outbox.ts), per instance. */
  execOutboxMarker: (instance: string) => `exec:outbox:${instance}`,
  /** Hash venue:market -> why execution blocked it (an order of unknown outcome); read by the notifier. */
  execBlocked: 'exec:blocked',
  /** notification_service: one event id accepted (SET NX with a TTL), the dedupe window. */
  notifySeen: (eventId: string) => `notify:seen:${eventId}`,
  /** notification_service: sorted set item id -> due time (ms) of one channel's outbox. */
  notifyQueue: (channel: string) => `notify:queue:${channel}`,
  /** notification_service: hash item id -> item JSON of one channel's outbox (the durable part). */
  notifyItems: (channel: string) => `notify:items:${channel}`,
  /** notification_service: hash item id -> item JSON of messages that failed for good. */
  notifyDead: 'notify:dead',
  /** notification_service: stream of delivery status (delivered, retry, dead, held), capped. */
  notifyLog: 'notifications:log',
  /** notification_service: hash of what it last saw of watched state (kill switch, blocked markets). */
  notifyWatch: 'notify:watch',
  /** Capped stream of reports analytics_service stored (id, kind, period, summary, Markdown). */
  reportsStream: 'reports:events',
} as const;

export const GAME_LATEST_TTL_S = 86_400;
