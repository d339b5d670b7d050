/**
 * Configuration of the zmq_listener bridge, each variable declared once with its default.
 * Stream caps follow the seed (prices ~10000, signals ~1000); the buffer bound is what the
 * bridge holds while Redis is away before it starts dropping the oldest entries.
 */
import { SLOW_STREAM_DEFAULT_MAXLEN } from '../../bus/slow-track.js';
import { defineVar, parse } from '../../runtime/config.js';

export const zmqListenerConfigSpec = {
  pricesFrom: defineVar({
    env: 'LISTENER_PRICES_FROM',
    default: 'quotes' as const,
    parse: parse.oneOf('quotes', 'prices'),
    describe: "quotes: prices mirrored from the monitors' 100 ms quote snapshots, and only our own topic families heard; prices: every topic, every price",
  }),
  booksMs: defineVar({
    env: 'LISTENER_BOOKS_MS',
    default: 1_000,
    parse: parse.int(0, 60_000),
    describe: "each market's book mirrored at most once per this many ms, the latest (the first after a quiet interval at once); 0 = every book",
  }),
  pricesMaxLen: defineVar({ env: 'LISTENER_PRICES_MAXLEN', default: SLOW_STREAM_DEFAULT_MAXLEN.prices, parse: parse.int(1, 100_000_000) }),
  gameEventsMaxLen: defineVar({ env: 'LISTENER_GAME_EVENTS_MAXLEN', default: SLOW_STREAM_DEFAULT_MAXLEN.other, parse: parse.int(1, 100_000_000) }),
  signalsMaxLen: defineVar({ env: 'LISTENER_SIGNALS_MAXLEN', default: SLOW_STREAM_DEFAULT_MAXLEN.signals, parse: parse.int(1, 100_000_000) }),
  mirrorMaxLen: defineVar({ env: 'LISTENER_MIRROR_MAXLEN', default: SLOW_STREAM_DEFAULT_MAXLEN.other, parse: parse.int(1, 100_000_000) }),
  bufferMax: defineVar({
    env: 'LISTENER_BUFFER_MAX',
    default: 200_000,
    parse: parse.int(1, 50_000_000),
    describe: 'stream entries held while Redis is unreachable; beyond it the oldest are dropped',
  }),
  batchSize: defineVar({ env: 'LISTENER_BATCH_SIZE', default: 1_000, parse: parse.int(1, 100_000) }),
  flushMs: defineVar({
    env: 'LISTENER_FLUSH_MS',
    default: 5,
    parse: parse.int(0, 1_000),
    describe: 'a partial batch waits this long for more entries before it is written (0: next tick); a full one goes at once',
  }),
  /** Pipelines on the wire at once: Node encodes the next batch while Redis runs the last. */
  maxInFlight: defineVar({ env: 'LISTENER_MAX_INFLIGHT', default: 4, parse: parse.int(1, 64) }),
  writeMode: defineVar({
    env: 'LISTENER_WRITE_MODE',
    default: 'script' as const,
    parse: parse.oneOf('script', 'xadd'),
    describe: 'script: one Lua call appends a batch per stream; xadd: one XADD per entry',
  }),
  statusMs: defineVar({ env: 'LISTENER_STATUS_MS', default: 2_000, parse: parse.int(50, 600_000) }),
  retryMinMs: defineVar({ env: 'LISTENER_RETRY_MIN_MS', default: 50, parse: parse.int(1, 60_000) }),
  retryMaxMs: defineVar({ env: 'LISTENER_RETRY_MAX_MS', default: 2_000, parse: parse.int(1, 600_000) }),
  commandTimeoutMs: defineVar({ env: 'LISTENER_COMMAND_TIMEOUT_MS', default: 5_000, parse: parse.int(10, 600_000) }),
  drainMs: defineVar({ env: 'LISTENER_DRAIN_MS', default: 5_000, parse: parse.int(0, 600_000) }),
};
