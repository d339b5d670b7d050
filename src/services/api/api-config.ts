/**
 * Settings of the api service, each variable declared once with its default. Loopback only
 * unless ARBEES_API_HOST says otherwise.
 */
import { defineVar, parse, type ConfigOf } from '../../runtime/config.js';

export const apiConfigSpec = {
  host: defineVar({ env: 'ARBEES_API_HOST', default: '127.0.0.1', parse: parse.string, describe: 'listen address (loopback by default)' }),
  port: defineVar({ env: 'ARBEES_API_PORT', default: 7400, parse: parse.int(0, 65535), describe: '0 = any free port' }),
  token: defineVar({ env: 'ARBEES_API_TOKEN', default: '', parse: parse.string, secret: true, describe: 'bearer token for /api/control; else <data dir>/api-token' }),
  readsNeedToken: defineVar({ env: 'ARBEES_API_READS_NEED_TOKEN', default: 'auto' as const, parse: parse.oneOf('auto', 'true', 'false'), describe: 'auto: only when listening beyond loopback' }),
  bodyLimitBytes: defineVar({ env: 'ARBEES_API_BODY_LIMIT', default: 16_384, parse: parse.int(256, 1_048_576) }),
  controlsPerMinute: defineVar({ env: 'ARBEES_API_CONTROL_RATE', default: 30, parse: parse.int(1, 10_000), describe: 'control requests per client per minute' }),
  wsQueueMax: defineVar({ env: 'ARBEES_API_WS_QUEUE', default: 2_000, parse: parse.int(10, 1_000_000), describe: 'messages queued per WebSocket client before it is cut off' }),
  wsMaxBufferedBytes: defineVar({ env: 'ARBEES_API_WS_BUFFER', default: 1_048_576, parse: parse.int(1_024, 268_435_456), describe: 'socket bytes unsent before a client counts as not reading' }),
  wsHopelessMs: defineVar({ env: 'ARBEES_API_WS_HOPELESS_MS', default: 5_000, parse: parse.int(100, 600_000), describe: 'a client whose queue stays full this long is disconnected (1013)' }),
  wsMaxClients: defineVar({ env: 'ARBEES_API_WS_CLIENTS', default: 200, parse: parse.int(1, 100_000) }),
  liveLingerMs: defineVar({ env: 'ARBEES_API_LIVE_LINGER_MS', default: 30_000, parse: parse.int(0, 3_600_000), describe: 'prices / books stay subscribed this long after their last /ws client or REST read' }),
  liveSettleMs: defineVar({ env: 'ARBEES_API_LIVE_SETTLE_MS', default: 250, parse: parse.int(0, 10_000), describe: 'after subscribing to prices / books, wait this long before reading their stored state (subscription and slow-track lag)' }),
  pricesFrom: defineVar({ env: 'ARBEES_API_PRICES_FROM', default: 'quotes' as const, parse: parse.oneOf('quotes', 'prices'), describe: "where /ws prices come from: the monitors' 100 ms quote snapshots (quotes) or every price on the hot path (prices)" }),
  quotesMs: defineVar({ env: 'ARBEES_API_QUOTES_MS', default: 500, parse: parse.int(0, 60_000), describe: 'with prices from quotes: each market\'s price goes to /ws at most once per this many ms, the latest (a halt or settlement at once); 0 = every quote' }),
  wsFlushMs: defineVar({ env: 'ARBEES_API_WS_FLUSH_MS', default: 1, parse: parse.int(0, 1_000), describe: 'least ms between two sends to the /ws clients (a burst goes out as one write per client); 0 = every turn of the event loop' }),
  flattenSlippage: defineVar({ env: 'ARBEES_API_FLATTEN_SLIPPAGE', default: 0.02, parse: parse.number(0, 0.5), describe: 'worst price a flatten accepts, in probability points past the best price (risk allows 0.03 through the book by default)' }),
  exitTtlMs: defineVar({ env: 'ARBEES_API_EXIT_TTL_MS', default: 10_000, parse: parse.int(100, 600_000) }),
  staticDir: defineVar({ env: 'ARBEES_API_STATIC_DIR', default: '', parse: parse.string, describe: 'dashboard bundle; default dist/web beside the code' }),
  statusPushMs: defineVar({ env: 'ARBEES_API_STATUS_MS', default: 2_000, parse: parse.int(200, 60_000), describe: 'how often /ws clients of status. get services, account and funnel' }),
  /** Optional here: without it (or while it is down) history is read from the Redis streams. */
  databaseUrl: defineVar({ env: 'DATABASE_URL', default: '', parse: (raw: string, env: string) => (raw === '' ? '' : parse.url('postgres', 'postgresql')(raw, env)), secret: true, describe: 'history database (arbees up sets it); empty = history from Redis' }),
  historyRetryMs: defineVar({ env: 'ARBEES_API_HISTORY_RETRY_MS', default: 5_000, parse: parse.int(100, 600_000), describe: 'after a history database error, read from Redis this long before trying it again' }),
  auditMaxLen: defineVar({ env: 'ARBEES_API_AUDIT_MAXLEN', default: 100_000, parse: parse.int(100, 100_000_000) }),
};

export type ApiConfig = ConfigOf<typeof apiConfigSpec>;
