/**
 * market_discovery configuration (environment, validated once at start). Venue URLs default to
 * the real public hosts; `arbees up` points them at the simulators (src/runtime/venue-endpoints.ts).
 * Each venue's own settings come from its adapter (src/venues).
 */
import { hostname } from 'node:os';
import { MARKET_DISCOVERY_QUEUE } from '../../core/market-discovery.js';
import { defineVar, parse } from '../../runtime/config.js';
import { venueSearchConfigSpec } from '../../venues/index.js';

const defaultServerId = (): string => `${hostname().replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 60) || 'host'}`;

export const marketDiscoveryConfigSpec = {
  queue: defineVar({ env: 'MARKET_DISCOVERY_QUEUE', default: MARKET_DISCOVERY_QUEUE, parse: parse.string }),
  /** Stable across restarts, so a restarted instance takes back its unfinished requests at once. */
  serverId: defineVar({ env: 'MARKET_DISCOVERY_SERVER_ID', default: '', parse: parse.string, describe: 'defaults to <host>-<instance>' }),
  keyPrefix: defineVar({ env: 'MARKET_DISCOVERY_KEY_PREFIX', default: 'discovery:', parse: parse.string }),
  concurrency: defineVar({ env: 'MARKET_DISCOVERY_CONCURRENCY', default: 8, parse: parse.int(1, 256) }),
  /** Each venue's search settings: its URL (shared with every client of it) and what it lists. */
  ...venueSearchConfigSpec,
  foundTtlMs: defineVar({ env: 'MARKET_DISCOVERY_FOUND_TTL_MS', default: 6 * 3_600_000, parse: parse.int(1, 30 * 86_400_000) }),
  notFoundTtlMs: defineVar({ env: 'MARKET_DISCOVERY_NOT_FOUND_TTL_MS', default: 60_000, parse: parse.int(1, 86_400_000) }),
  errorTtlMs: defineVar({ env: 'MARKET_DISCOVERY_ERROR_TTL_MS', default: 0, parse: parse.int(0, 3_600_000) }),
  listingTtlMs: defineVar({ env: 'MARKET_DISCOVERY_LISTING_TTL_MS', default: 30_000, parse: parse.int(0, 3_600_000) }),
  relistAfterMs: defineVar({ env: 'MARKET_DISCOVERY_RELIST_AFTER_MS', default: 5_000, parse: parse.int(0, 3_600_000) }),
  minConfidence: defineVar({ env: 'MARKET_DISCOVERY_MIN_CONFIDENCE', default: 0.8, parse: parse.number(0, 1) }),
  startToleranceMs: defineVar({ env: 'MARKET_DISCOVERY_START_TOLERANCE_MS', default: 12 * 3_600_000, parse: parse.int(0, 7 * 86_400_000) }),
  venueTimeoutMs: defineVar({ env: 'MARKET_DISCOVERY_VENUE_TIMEOUT_MS', default: 10_000, parse: parse.int(100, 120_000) }),
  lockTtlMs: defineVar({ env: 'MARKET_DISCOVERY_LOCK_TTL_MS', default: 5_000, parse: parse.int(300, 600_000) }),
  lockWaitMs: defineVar({ env: 'MARKET_DISCOVERY_LOCK_WAIT_MS', default: 45_000, parse: parse.int(0, 600_000) }),
  handlerTimeoutMs: defineVar({ env: 'MARKET_DISCOVERY_HANDLER_TIMEOUT_MS', default: 60_000, parse: parse.int(1_000, 600_000) }),
};

export { defaultServerId };
