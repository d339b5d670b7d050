/**
 * zmq_listener: the bridge from the ZeroMQ hot path to the Redis slow track (docs/architecture.md section
 * 3). It hears every topic family of every publisher in the registry (the subscriber follows the
 * registry and counts gaps per publisher stream), prices through the monitors' quote snapshots
 * unless LISTENER_PRICES_FROM=prices (then every topic), mirrors each message by the rules in
 * mirror-rules.ts through its own Redis connection, and keeps a status hash with its counters.
 */
import { errorMessage } from '../../core/errors.js';
import { nowMicros } from '../../core/time.js';
import { SlowKey } from '../../core/slow-keys.js';
import { pricesOfSnapshot } from '../../core/quote-prices.js';
import { TopicThrottle } from '../../core/topic-throttle.js';
import { HOT_FAMILIES, TopicPrefix } from '../../core/topics.js';
import { defineService, type ServiceContext } from '../../runtime/service.js';
import type { ConfigOf } from '../../runtime/config.js';
import { zmqListenerConfigSpec } from './zmq-listener-config.js';
import { ZmqListener } from './zmq-listener-core.js';
import { RedisWriter } from './redis-writer.js';

type ListenerContext = ServiceContext<ConfigOf<typeof zmqListenerConfigSpec>>;

export const zmqListener = defineService({
  name: 'zmq_listener',
  description: 'mirrors every hot topic into the Redis slow track',
  configSpec: zmqListenerConfigSpec,
  async start(ctx) {
    const { config, log } = ctx;
    const writer = new RedisWriter({
      redisUrl: config.redisUrl,
      writeMode: config.writeMode,
      commandTimeoutMs: config.commandTimeoutMs,
      retryMinMs: config.retryMinMs,
      retryMaxMs: config.retryMaxMs,
      logger: log,
    });
    const bridge = new ZmqListener(writer, {
      limits: {
        pricesMaxLen: config.pricesMaxLen,
        gameEventsMaxLen: config.gameEventsMaxLen,
        signalsMaxLen: config.signalsMaxLen,
        mirrorMaxLen: config.mirrorMaxLen,
      },
      bufferMax: config.bufferMax,
      batchSize: config.batchSize,
      flushMs: config.flushMs,
      maxInFlight: config.maxInFlight,
      retryMinMs: config.retryMinMs,
      retryMaxMs: config.retryMaxMs,
      logger: log,
    });
    // Books are state, not history: their readers (the api's stored books) want each market's
    // latest, and the monitors send up to 10 a second per market (4k/s at the seed load).
    const books = new TopicThrottle({ intervalMs: config.booksMs, emit: (topic, envelope) => bridge.enqueue(topic, envelope) });
    ctx.onStop(() => books.stop());
    writer.start();
    ctx.metrics.provide('bridge', () => ({ ...bridge.metrics(), books_held: books.held, books_pending: books.pending }));

    // Stop hooks run in reverse: the subscription closes first, then the queue drains, then the
    // status timer and the connection go.
    ctx.onStop(() => writer.close());
    const statusTimer = setInterval(() => void writeStatus(ctx, writer, config.statusMs), config.statusMs);
    statusTimer.unref();
    ctx.onStop(() => clearInterval(statusTimer));
    ctx.onStop(async () => {
      books.flush();
      const complete = await bridge.drain(config.drainMs);
      bridge.stop();
      if (!complete) {
        log.warn({ ...bridge.metrics() }, 'ARB_REDIS_UNAVAILABLE: stopped with entries not yet mirrored');
      }
      await writeStatus(ctx, writer, config.statusMs);
    });

    // The subscriber's validation stays off: the bridge checks each message once itself
    // (mirror-check.ts), without replacing the data it mirrors by a parsed copy.
    const fromQuotes = config.pricesFrom === 'quotes';
    await ctx.subscribe(fromQuotes ? familiesButPrices() : [TopicPrefix.all], (topic, envelope) => {
      if (envelope.type === 'orderbook') return books.offer(topic, envelope);
      if (!fromQuotes || envelope.type !== 'quotes') return bridge.enqueue(topic, envelope);
      for (const price of pricesOfSnapshot(envelope)) bridge.enqueue(price.topic, price.envelope);
    }, { validate: false });
    log.info(
      { pricesFrom: config.pricesFrom, pricesMaxLen: config.pricesMaxLen, signalsMaxLen: config.signalsMaxLen, bufferMax: config.bufferMax, writeMode: config.writeMode },
      fromQuotes ? "mirroring the hot topic families to the slow track, prices from the monitors' quote snapshots" : 'mirroring every hot topic to the slow track',
    );
  },
});

/**
 * Every family but the prices themselves (7k messages a second at the seed load, each a decode,
 * a JSON and a share of a Lua call: about 70 us of CPU per venue update with redis-server's part).
 * The snapshots carry each market's latest price every 100 ms, and the slow track's readers (the
 * price hashes, the recorder's 1 s samples, the api's stored state) need no more than that.
 */
function familiesButPrices(): string[] {
  return HOT_FAMILIES.filter((family) => family !== TopicPrefix.prices);
}

/** The status hash lives three intervals (at least 10 s), so a dead bridge's status goes away. */
async function writeStatus(ctx: ListenerContext, writer: RedisWriter, statusMs: number): Promise<void> {
  if (!writer.ready) return;
  const snapshot = ctx.metrics.snapshot();
  const fields: Record<string, string> = {
    service: ctx.name,
    instance: ctx.instance,
    pid: String(process.pid),
    updated_ts: String(nowMicros()),
  };
  for (const [name, value] of Object.entries(snapshot)) {
    if (name.startsWith('bridge.') || name.startsWith('sub.')) fields[name] = String(value);
  }
  try {
    await writer.writeHash(SlowKey.bridgeStatus, fields, Math.max(10_000, 3 * statusMs));
  } catch (err) {
    ctx.log.debug({ err: errorMessage(err) }, 'bridge status not written');
  }
}
