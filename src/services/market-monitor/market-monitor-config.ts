/**
 * Settings both market monitors share: where assignments come from and how the books are
 * published. The venue-specific ones (URLs, keys, reconnect timing) live beside each service.
 */
import { ConfigError } from '../../core/errors.js';
import { SlowKey } from '../../core/slow-keys.js';
import { defineVar, parse, type ConfigOf } from '../../runtime/config.js';

export const monitorConfigSpec = {
  activeGamesKey: defineVar({
    env: 'MONITOR_ACTIVE_GAMES_KEY',
    default: SlowKey.activeGames as string,
    parse: parse.string,
    describe: 'Redis hash game_id -> GameInfo JSON written by the orchestrator',
  }),
  gamesServices: defineVar({
    env: 'MONITOR_GAMES_SERVICES',
    default: ['orchestrator'],
    parse: (raw: string, env: string) => {
      const list = parse.list(raw);
      if (list.length === 0) throw new ConfigError(env, 'must name at least one service');
      return list;
    },
    describe: 'services whose games.* messages carry the market assignments',
  }),
  healIntervalMs: defineVar({ env: 'MONITOR_HEAL_INTERVAL_MS', default: 30_000, parse: parse.int(50, 3_600_000) }),
  finalGraceMs: defineVar({ env: 'MONITOR_FINAL_GRACE_MS', default: 30_000, parse: parse.int(0, 3_600_000) }),
  bookDepth: defineVar({ env: 'MONITOR_BOOK_DEPTH', default: 10, parse: parse.int(1, 100) }),
  /** Order books are non-critical: each market's is published at most this often (0 = every change). */
  orderbookIntervalMs: defineVar({ env: 'MONITOR_ORDERBOOK_INTERVAL_MS', default: 100, parse: parse.int(0, 60_000) }),
  /**
   * Prices published in one turn of the event loop (a venue frame holds many changes; under load
   * many frames are read per turn) go out as one frame on `prices.~batch`: one ZMQ send for the
   * lot and one receive per subscriber, instead of one each per price. Subscribers filter the
   * items by their subscriptions. `false`: one frame per price (filtered at the publisher).
   */
  batchPrices: defineVar({ env: 'MONITOR_BATCH_PRICES', default: true, parse: parse.bool }),
  /**
   * With batching on: price frames go at once while there are fewer than one per this many ms
   * (bursts of 10 allowed); above that rate they wait their turn and share a frame. Each frame
   * costs a wake-up of the ZMQ I/O threads on both ends; at 7k updates/s, 1 ms cut the monitors'
   * frames 3x and the pipeline's CPU per update 16 % (bench/README.md). 0 = every turn.
   */
  batchPaceMs: defineVar({ env: 'MONITOR_BATCH_PACE_MS', default: 1, parse: parse.int(0, 100) }),
  /**
   * Quote snapshots (`quotes.<venue>.<instance>`): the markets whose price changed, latest only,
   * this often (0 = on the next turn of the event loop, -1 = none). position_tracker and
   * execution_service mark and settle from them instead of hearing every price.
   */
  quotesIntervalMs: defineVar({ env: 'MONITOR_QUOTES_INTERVAL_MS', default: 100, parse: parse.int(-1, 60_000) }),
  /** How often the health status is re-evaluated besides on every link change. */
  statusIntervalMs: defineVar({ env: 'MONITOR_STATUS_INTERVAL_MS', default: 1_000, parse: parse.int(50, 60_000) }),
};

export type MonitorConfig = ConfigOf<typeof monitorConfigSpec>;
