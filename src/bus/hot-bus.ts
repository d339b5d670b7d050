/**
 * Builds the hot path a service asked for from its config: a ZMQ publisher bound on ipc/tcp or
 * the Redis pub/sub equivalent, and a subscriber that follows the registry to every publisher.
 */
import type { Redis } from 'ioredis';
import { errorMessage } from '../core/errors.js';
import type { BusConfig, BusLogger, EnvelopeMacWriter } from './bus-options.js';
import { ipcBindAddress, tcpBindAddress } from './endpoints.js';
import type { HotPublisher } from './hot-publisher.js';
import type { HotSubscriber } from './hot-subscriber.js';
import { redisOutageTrackerOf, type RedisTimeouts } from './redis-connection.js';
import { RedisPublisher } from './redis-publisher.js';
import { RedisSubscriber } from './redis-subscriber.js';
import { RegistryWatcher } from './registry.js';
import { ZmqPublisher } from './zmq-publisher.js';
import { ZmqSubscriber } from './zmq-subscriber.js';


export interface CreatePublisherOptions {
  service: string;
  /** The tcp port of the service's first instance across hosts (the seed's 5555-5560). */
  seedPort?: number;
  logger: BusLogger;
  batchPrefixes?: readonly string[];
  batchMaxDelayMs?: number;
  batchPaceMs?: number;
  /** Signs the money-moving topics (`signals.*`) with the system's bus key. */
  signer?: EnvelopeMacWriter | null;
}

export async function createHotPublisher(config: BusConfig, options: CreatePublisherOptions): Promise<HotPublisher> {
  const common = {
    src: `${options.service}.${config.instance}`,
    codec: config.codec,
    sendHighWaterMark: config.sendHighWaterMark,
    logger: options.logger,
    ...(options.batchPrefixes ? { batchPrefixes: options.batchPrefixes } : {}),
    ...(options.batchMaxDelayMs !== undefined ? { batchMaxDelayMs: options.batchMaxDelayMs } : {}),
    ...(options.batchPaceMs !== undefined ? { batchPaceMs: options.batchPaceMs } : {}),
    ...(options.signer ? { signer: options.signer } : {}),
  };
  if (config.hotTransport === 'redis') return new RedisPublisher({ ...common, ...redisTimeouts(config), redisUrl: config.redisUrl });
  const zmqCommon = { ...common, ...zmqHeartbeats(config) };
  if (config.zmqTransport === 'ipc') {
    return ZmqPublisher.create({ ...zmqCommon, bindAddress: ipcBindAddress(config.dataDir, options.service, config.instance) });
  }
  try {
    return await ZmqPublisher.create({ ...zmqCommon, bindAddress: tcpBindAddress(config.zmqHost, options.seedPort, config.instance) });
  } catch (err) {
    // The seed port is taken (a second host-local instance, or a stale process): any port will do,
    // subscribers find it in the registry.
    options.logger.warn({ err: errorMessage(err) }, 'seed port busy, binding a free port');
    return ZmqPublisher.create({ ...zmqCommon, bindAddress: `tcp://${config.zmqHost}:*` });
  }
}

export interface CreateSubscriberOptions {
  logger: BusLogger;
  /** Registry connection (ZMQ only): the subscriber follows publishers as they come and go. */
  redis: Redis;
  validate?: boolean;
  /** Only connect to publishers of these services. */
  services?: readonly string[];
  /** A service's own publisher, which it need not hear. */
  ownEndpoint?: string | null;
}

export interface HotSubscription {
  subscriber: HotSubscriber;
  /** The registry watcher behind a ZMQ subscriber (null over Redis pub/sub). */
  watcher: RegistryWatcher | null;
  close(): Promise<void>;
}

export async function createHotSubscriber(config: BusConfig, options: CreateSubscriberOptions): Promise<HotSubscription> {
  const base = {
    logger: options.logger,
    receiveHighWaterMark: config.receiveHighWaterMark,
    fullValidation: config.busValidation === 'full',
    ...(options.validate !== undefined ? { validate: options.validate } : {}),
  };
  if (config.hotTransport === 'redis') {
    const subscriber = new RedisSubscriber({ ...base, ...redisTimeouts(config), redisUrl: config.redisUrl });
    return { subscriber, watcher: null, close: () => subscriber.close() };
  }
  const subscriber = new ZmqSubscriber({ ...base, ...zmqHeartbeats(config) });
  const watcher = new RegistryWatcher(options.redis, {
    pollMs: config.registryPollMs,
    logger: options.logger,
    ...(options.services ? { services: options.services } : {}),
    excludeEndpoint: options.ownEndpoint ?? null,
    // Entries come back within a heartbeat once Redis does; until then they are unknown, not gone.
    removalGraceMs: config.registryTtlMs + (config.heartbeatMs ?? 2_000),
    linkAlive: (ep) => subscriber.isLinkUp(ep),
    outages: redisOutageTrackerOf(options.redis),
  });
  watcher.on('added', (ep) => subscriber.connect(ep));
  watcher.on('removed', (ep) => subscriber.disconnect(ep));
  await watcher.start();
  return {
    subscriber,
    watcher,
    close: async () => {
      watcher.stop();
      await subscriber.close();
    },
  };
}

function redisTimeouts(config: BusConfig): Partial<RedisTimeouts> {
  return {
    ...(config.redisConnectTimeoutMs !== undefined ? { connectTimeoutMs: config.redisConnectTimeoutMs } : {}),
    ...(config.redisCommandTimeoutMs !== undefined ? { commandTimeoutMs: config.redisCommandTimeoutMs } : {}),
  };
}

function zmqHeartbeats(config: BusConfig): { heartbeatMs?: number; heartbeatTimeoutMs?: number } {
  return {
    ...(config.zmqHeartbeatMs !== undefined ? { heartbeatMs: config.zmqHeartbeatMs } : {}),
    ...(config.zmqHeartbeatTimeoutMs !== undefined ? { heartbeatTimeoutMs: config.zmqHeartbeatTimeoutMs } : {}),
  };
}
