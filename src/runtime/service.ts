/**
 * The service runtime: what every service gets for free. Config validated once and frozen, a
 * logger that redacts secrets, a Redis connection, the hot path (publisher registered in the
 * registry, subscriber following it), a heartbeat with metrics, and a graceful shutdown that
 * drains publishers, closes sockets and withdraws the registry entry.
 */
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { errorMessage } from '../core/errors.js';
import type { Heartbeat } from '../core/messages.js';
import { EnvelopeSigner } from '../bus/envelope-signer.js';
import { createHotPublisher, createHotSubscriber, type HotSubscription } from '../bus/hot-bus.js';
import { createRedisClient } from '../bus/redis-connection.js';
import type { HotPublisher } from '../bus/hot-publisher.js';
import type { MessageHandler } from '../bus/hot-subscriber.js';
import { baseConfigSpec, type BaseConfig } from './base-config.js';
import { busKeySecrets, ensureBusKey } from './bus-key.js';
import { loadConfig, secretVariables, type ConfigOf, type ConfigSpec } from './config.js';
import { HeartbeatLoop } from './heartbeat.js';
import { createLogger, secretValues } from './logger.js';
import { Metrics } from './metrics.js';
import { captureConfig, CaptureWriter } from './capture-writer.js';

export interface ServiceContext<C> {
  readonly name: string;
  readonly instance: string;
  readonly config: Readonly<BaseConfig & C>;
  readonly log: Logger;
  readonly redis: Redis;
  readonly metrics: Metrics;
  /** Signs this service's `signals.*` messages and verifies others' with the system's bus key. */
  readonly signer: EnvelopeSigner;
  /** The service's hot-path publisher (created on first call, registered in the heartbeat). */
  publisher(options?: { batchPrefixes?: readonly string[]; batchMaxDelayMs?: number; batchPaceMs?: number }): Promise<HotPublisher>;
  /** A subscriber that follows every publisher in the registry (or the Redis transport). */
  subscribe(
    prefixes: readonly string[],
    handler: MessageHandler,
    options?: { validate?: boolean; services?: readonly string[] },
  ): Promise<HotSubscription>;
  setStatus(status: Heartbeat['status'], detail?: string): void;
  /** Registers cleanup, run in reverse order at shutdown. */
  onStop(fn: () => Promise<void> | void): void;
}

export interface ServiceDefinition<S extends ConfigSpec = ConfigSpec> {
  name: string;
  description: string;
  /** Where its first instance publishes with ARBEES_ZMQ_TRANSPORT=tcp (the seed's port table). */
  seedPort?: number;
  configSpec?: S;
  /**
   * Cross-variable checks that a spec cannot express (throws ConfigError naming the variable);
   * `arbees up` runs them for every service before it starts any, and start() runs them again.
   */
  checkConfig?(config: Readonly<BaseConfig & ConfigOf<S>>): void;
  start(ctx: ServiceContext<ConfigOf<S>>): Promise<void>;
}

export interface RunningService {
  readonly ctx: ServiceContext<unknown>;
  stop(): Promise<void>;
}

export function defineService<S extends ConfigSpec>(def: ServiceDefinition<S>): ServiceDefinition<S> {
  return def;
}

/** Starts a service in this process and returns a handle; throws ConfigError on bad config. */
export async function startService<S extends ConfigSpec>(
  def: ServiceDefinition<S>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningService> {
  const spec = { ...baseConfigSpec, ...(def.configSpec ?? {}) } as typeof baseConfigSpec & S;
  const config = loadConfig(spec, env) as unknown as Readonly<BaseConfig & ConfigOf<S>>;
  // Before anything connects: a bad ARBEES_BUS_KEY is a config error like any other.
  const busKeys = ensureBusKey(config.dataDir, config.busKey, config.busKeyPrevious);
  const signer = new EnvelopeSigner(busKeys);
  const log = createLogger({
    name: def.name,
    level: config.logLevel,
    // The bus keys too, wherever they came from (a key read from its file is in no variable).
    secrets: [...secretValues(secretVariables(spec), env), ...busKeySecrets(busKeys)],
  });
  const redis = createRedisClient(config.redisUrl, {
    logger: log,
    connectTimeoutMs: config.redisConnectTimeoutMs,
    commandTimeoutMs: config.redisCommandTimeoutMs,
    ioredis: { lazyConnect: false, maxRetriesPerRequest: 2 },
  });
  const metrics = new Metrics();
  const heartbeat = new HeartbeatLoop(redis, metrics, log, {
    service: def.name,
    instance: config.instance,
    intervalMs: config.heartbeatMs,
    ttlMs: config.registryTtlMs,
    role: def.name,
    keyId: signer.keyId,
  });
  const stopHooks: (() => Promise<void> | void)[] = [];
  let publisher: Promise<HotPublisher> | null = null;
  let subscriptions = 0;

  const ctx: ServiceContext<ConfigOf<S>> = {
    name: def.name,
    instance: config.instance,
    config,
    log,
    redis,
    metrics,
    signer,
    publisher(options) {
      publisher ??= createHotPublisher(config, { service: def.name, seedPort: def.seedPort, logger: log, signer, ...options }).then((pub) => {
        if (pub.endpoint !== null) heartbeat.addEndpoint(pub.endpoint);
        metrics.provide('pub', () => ({ ...pub.metrics() }));
        stopHooks.push(() => pub.close());
        void heartbeat.beat();
        return pub;
      });
      return publisher;
    },
    async subscribe(prefixes, handler, options) {
      const own = publisher ? (await publisher).endpoint : null;
      const sub = await createHotSubscriber(config, { logger: log, redis, ownEndpoint: own, ...options });
      sub.subscriber.onMessage(handler);
      for (const p of prefixes) sub.subscriber.subscribe(p);
      const name = subscriptions++ === 0 ? 'sub' : `sub${subscriptions}`;
      metrics.provide(name, () => ({ ...sub.subscriber.metrics() }));
      stopHooks.push(() => sub.close());
      return sub;
    },
    setStatus: (status, detail) => heartbeat.setStatus(status, detail),
    onStop: (fn) => void stopHooks.push(fn),
  };

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      heartbeat.setStatus('stopping');
      for (const hook of stopHooks.reverse()) {
        try {
          await hook();
        } catch (err) {
          log.warn({ err: errorMessage(err) }, 'shutdown step failed');
        }
      }
      await heartbeat.stop();
      await redis.quit().catch(() => redis.disconnect());
      log.info(`${def.name} stopped`);
    })();
    return stopping;
  };

  try {
    if (config.record) {
      const capture = startCapture(def.name, config);
      stopHooks.unshift(() => capture.close()); // closed last, after the feeds stopped
    }
    await heartbeat.start();
    await def.start(ctx);
  } catch (err) {
    // Undo what was started (registry entry, sockets, Redis), so a failed start leaves nothing behind.
    await stop();
    throw err;
  }
  heartbeat.setStatus('healthy');
  await heartbeat.beat();
  log.info({ instance: config.instance, transport: config.hotTransport }, `${def.name} started`);
  return { ctx: ctx as ServiceContext<unknown>, stop };
}

/**
 * Runs a service as the main program of this process: stops cleanly on SIGINT/SIGTERM and
 * when the supervisor that started it goes away (its IPC channel closes), so no child outlives
 * `arbees up`. A bad config exits with code 78 (EX_CONFIG) and a message naming the variable.
 */
export async function runServiceMain(def: ServiceDefinition): Promise<void> {
  // Listening from the very start: a supervisor that dies while this service is still starting
  // (modules loading, Redis connecting) must not leave it behind.
  let onSupervisorGone = (): void => process.exit(0);
  if (process.send !== undefined) {
    if (!process.connected) process.exit(0);
    process.once('disconnect', () => onSupervisorGone());
  }
  let running: RunningService;
  try {
    running = await startService(def);
  } catch (err) {
    process.stderr.write(`${def.name}: cannot start: ${errorMessage(err)}\n`);
    process.exit((err as { code?: string }).code === 'ARB_CONFIG_INVALID' ? 78 : 1);
  }
  const { log } = running.ctx;
  const shutdown = (why: string) => {
    log.info({ why }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    void running.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  onSupervisorGone = () => shutdown('supervisor gone');
  process.on('unhandledRejection', (reason) => {
    running.ctx.metrics.inc('unhandled_rejections');
    log.error({ err: errorMessage(reason) }, 'unhandled rejection');
  });
  process.on('uncaughtException', (err) => {
    log.fatal({ err: errorMessage(err), stack: err.stack }, 'uncaught exception; exiting for a restart');
    process.exit(1);
  });
}

function startCapture(service: string, config: Readonly<BaseConfig>): CaptureWriter {
  const session = config.recordSession !== '' ? config.recordSession : `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`;
  return new CaptureWriter({
    dir: path.join(config.dataDir, 'capture'),
    session,
    service,
    instance: config.instance,
    config: captureConfig(process.env),
  }).install();
}
