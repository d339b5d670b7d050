/**
 * Settings of the Polymarket feed (polymarket_monitor). The market channel is public: no key. Only the WebSocket is used
 * (books arrive as snapshots and level updates there); REST is not needed to watch prices.
 */
import { defineVar, parse, type ConfigOf } from '../../runtime/config.js';
import { venueEndpointSpec } from '../../runtime/venue-endpoints.js';

export const polymarketFeedConfigSpec = {
  wsUrl: venueEndpointSpec.polyWsUrl,
  maxAssetsPerConnection: defineVar({ env: 'POLYMARKET_WS_MAX_ASSETS', default: 200, parse: parse.int(1, 10_000) }),
  pingIntervalMs: defineVar({ env: 'POLYMARKET_WS_PING_MS', default: 10_000, parse: parse.int(50, 600_000) }),
  /** No frame (not even PONG) for this long and the connection is dead; must exceed the ping interval. */
  staleAfterMs: defineVar({ env: 'POLYMARKET_WS_STALE_MS', default: 30_000, parse: parse.int(100, 600_000) }),
  reconnectBaseMs: defineVar({ env: 'POLYMARKET_WS_RECONNECT_BASE_MS', default: 500, parse: parse.int(10, 600_000) }),
  reconnectMaxMs: defineVar({ env: 'POLYMARKET_WS_RECONNECT_MAX_MS', default: 30_000, parse: parse.int(10, 600_000) }),
  /** Custom features bring market_resolved, so a settled token is published as settled. */
  customFeatures: defineVar({ env: 'POLYMARKET_WS_CUSTOM_FEATURES', default: true, parse: parse.bool }),
  /** A token found inconsistent is resubscribed at most this often. */
  resyncMinIntervalMs: defineVar({ env: 'POLYMARKET_RESYNC_MIN_INTERVAL_MS', default: 2_000, parse: parse.int(0, 600_000) }),
};
