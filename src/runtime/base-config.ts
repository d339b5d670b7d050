/**
 * Variables every service reads. Service-specific ones extend this spec in their own folder.
 */
import { defineVar, parse, type ConfigOf } from './config.js';

export const baseConfigSpec = {
  redisUrl: defineVar({ env: 'REDIS_URL', default: 'redis://127.0.0.1:6379', parse: parse.url('redis', 'rediss'), secret: true }),
  hotTransport: defineVar({ env: 'ARBEES_HOT_TRANSPORT', default: 'zmq' as const, parse: parse.oneOf('zmq', 'redis') }),
  codec: defineVar({ env: 'ARBEES_CODEC', default: 'msgpack' as const, parse: parse.oneOf('msgpack', 'json') }),
  zmqTransport: defineVar({ env: 'ARBEES_ZMQ_TRANSPORT', default: 'ipc' as const, parse: parse.oneOf('ipc', 'tcp') }),
  zmqHost: defineVar({ env: 'ARBEES_ZMQ_HOST', default: '127.0.0.1', parse: parse.string }),
  dataDir: defineVar({ env: 'ARBEES_DATA_DIR', default: '.data', parse: parse.string }),
  instance: defineVar({ env: 'ARBEES_INSTANCE', default: '0', parse: parse.string }),
  /** The system's shared key for signing signals (runtime/bus-key.ts); unset: `<data dir>/bus-key`. */
  busKey: defineVar({ env: 'ARBEES_BUS_KEY', default: '', parse: parse.string, secret: true }),
  /** The key before the last rotation, still accepted when verifying. */
  busKeyPrevious: defineVar({ env: 'ARBEES_BUS_KEY_PREVIOUS', default: '', parse: parse.string, secret: true }),
  logLevel: defineVar({
    env: 'LOG_LEVEL',
    default: 'info' as const,
    parse: parse.oneOf('trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'),
  }),
  sendHighWaterMark: defineVar({ env: 'ARBEES_SNDHWM', default: 100_000, parse: parse.int(1, 10_000_000) }),
  receiveHighWaterMark: defineVar({ env: 'ARBEES_RCVHWM', default: 100_000, parse: parse.int(1, 10_000_000) }),
  heartbeatMs: defineVar({ env: 'ARBEES_HEARTBEAT_MS', default: 2_000, parse: parse.int(100, 60_000) }),
  /** Three missed heartbeats and an instance is gone (the reference system used one, and flapped). */
  registryTtlMs: defineVar({ env: 'ARBEES_REGISTRY_TTL_MS', default: 6_000, parse: parse.int(300, 600_000) }),
  registryPollMs: defineVar({ env: 'ARBEES_REGISTRY_POLL_MS', default: 500, parse: parse.int(50, 60_000) }),
  /** Every Redis client (src/bus/redis-connection.ts): longest wait for a connection... */
  redisConnectTimeoutMs: defineVar({ env: 'ARBEES_REDIS_CONNECT_TIMEOUT_MS', default: 2_000, parse: parse.int(100, 60_000) }),
  /** ...and for the reply to a non-blocking command, so a stalled Redis fails commands instead of hanging them. */
  redisCommandTimeoutMs: defineVar({ env: 'ARBEES_REDIS_COMMAND_TIMEOUT_MS', default: 2_000, parse: parse.int(50, 60_000) }),
  /** ZMTP heartbeat period on every hot-path socket; a link silent for ARBEES_ZMQ_HEARTBEAT_TIMEOUT_MS is down. */
  zmqHeartbeatMs: defineVar({ env: 'ARBEES_ZMQ_HEARTBEAT_MS', default: 1_000, parse: parse.int(100, 60_000) }),
  zmqHeartbeatTimeoutMs: defineVar({ env: 'ARBEES_ZMQ_HEARTBEAT_TIMEOUT_MS', default: 4_000, parse: parse.int(200, 600_000) }),
  /** Hot subscribers: `trusted` checks price/orderbook by hand (core/message-checks.ts), `full` parses every message with zod. */
  busValidation: defineVar({ env: 'ARBEES_BUS_VALIDATION', default: 'trusted' as const, parse: parse.oneOf('trusted', 'full') }),
  /** Capture raw venue frames and HTTP reads for replay (docs/capture.md); `arbees up` turns it on. */
  record: defineVar({ env: 'ARBEES_RECORD', default: false, parse: parse.bool }),
  /** The capture session (one directory under <data dir>/capture); `arbees up` names one per run. */
  recordSession: defineVar({ env: 'ARBEES_RECORD_SESSION', default: '', parse: parse.string }),
};

export type BaseConfig = ConfigOf<typeof baseConfigSpec>;
