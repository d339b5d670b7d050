/**
 * zmq_listener: the bridge from the ZeroMQ hot path to the Redis slow track (docs/architecture.md section
 * 3). It hears every topic of every publisher in the registry (the subscriber follows the
 * registry and counts gaps per publisher stream), mirrors each message by the rules in
 * mirror-rules.ts through its own Redis connection, and keeps a status hash with its counters.
 */
import { errorMessage } from '../../core/errors.js';
import { nowMicros } from '../../core/time.js';
import { SlowKey } from '../../core/slow-keys.js';
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
    writer.start();
    ctx.metrics.provide('bridge', () => ({ ...bridge.metrics() }));

    // Stop hooks run in reverse: the subscription closes first, then the queue drains, then the
    // status timer and the connection go.
    ctx.onStop(() => writer.close());
    const statusTimer = setInterval(() => void writeStatus(ctx, writer, config.statusMs), config.statusMs);
    statusTimer.unref();
    ctx.onStop(() => clearInterval(statusTimer));
    ctx.onStop(async () => {
      const complete = await bridge.drain(config.drainMs);
      bridge.stop();
      if (!complete) {
        log.warn({ ...bridge.metrics() }, 'ARB_REDIS_UNAVAILABLE: stopped with entries not yet mirrored');
      }
      await writeStatus(ctx, writer, config.statusMs);
    });

    // The subscriber's validation stays off: the bridge checks each message once itself
    // (mirror-check.ts), without replacing the data it mirrors by a parsed copy.
    await ctx.subscribe([''], (topic, envelope) => bridge.enqueue(topic, envelope), { validate: false });
    log.info(
      { pricesMaxLen: config.pricesMaxLen, signalsMaxLen: config.signalsMaxLen, bufferMax: config.bufferMax, writeMode: config.writeMode },
      'mirroring every hot topic to the slow track',
    );
  },
});

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
