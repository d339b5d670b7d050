/**
 * Options of the hot-path publisher and subscriber, with their defaults in one place.
 */
import type { RawEnvelope } from '../core/envelope.js';
import type { CodecName } from './codec.js';

export interface BusLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * What the hot bus needs from a service's settings (a service's BaseConfig satisfies it): which
 * transport and codec, where publishers bind and register, and the socket limits.
 */
export interface BusConfig {
  hotTransport: 'zmq' | 'redis';
  codec: CodecName;
  zmqTransport: 'ipc' | 'tcp';
  zmqHost: string;
  /** ipc sockets live under `<dataDir>/run`. */
  dataDir: string;
  instance: string;
  redisUrl: string;
  sendHighWaterMark: number;
  receiveHighWaterMark: number;
  registryPollMs: number;
  registryTtlMs: number;
  /** How often registry entries are rewritten (the removal grace after an outage is TTL + this). */
  heartbeatMs?: number;
  redisConnectTimeoutMs?: number;
  redisCommandTimeoutMs?: number;
  zmqHeartbeatMs?: number;
  zmqHeartbeatTimeoutMs?: number;
  /** `full`: every message parsed by its zod schema; `trusted` (default): hand checks for price/orderbook. */
  busValidation?: 'trusted' | 'full';
}

export const silentLogger: BusLogger = { debug() {}, info() {}, warn() {}, error() {} };

export interface PublisherOptions {
  /** Publisher instance name, e.g. `kalshi_monitor.0`; becomes the envelope `src`. */
  src: string;
  codec?: CodecName;
  /** ZMQ send high-water mark per subscriber pipe (messages). */
  sendHighWaterMark?: number;
  /** Messages queued inside this process before new ones are dropped and counted. */
  maxQueue?: number;
  /** Topic prefixes batched into one frame (non-critical topics only). */
  batchPrefixes?: readonly string[];
  batchMaxItems?: number;
  /** How long a batch waits for more items; 0 sends it on the next turn of the event loop. */
  batchMaxDelayMs?: number;
  /**
   * With batchMaxDelayMs 0: the sustained least time between two batch flushes. Flushes go at
   * once while the rate stays under one per batchPaceMs (with a burst of batchPaceBurst allowed); above it,
   * a batch waits for its turn and takes everything published meanwhile. Every frame costs a
   * wake-up of the ZMQ I/O threads on both ends (about 45 us of CPU a frame at 2.5k frames/s,
   * 9 us at 20k/s on the 2-vCPU VM), so under load fewer, fuller frames are cheaper, while a
   * quiet feed pays no delay. 0: every turn.
   */
  batchPaceMs?: number;
  /** Flushes that may go back to back after a quiet spell before batchPaceMs spaces them. */
  batchPaceBurst?: number;
  logger?: BusLogger;
  /** Signs the envelopes of `signedPrefixes` topics (sets their `mac`); none signed without it. */
  signer?: EnvelopeMacWriter | null;
  /** Topic prefixes whose envelopes get a MAC: those that can move money. */
  signedPrefixes?: readonly string[];
}

/** What a publisher needs of bus/envelope-signer.ts's EnvelopeSigner. */
export interface EnvelopeMacWriter {
  sign(topic: string, envelope: RawEnvelope): void;
}

export interface SubscriberOptions {
  receiveHighWaterMark?: number;
  /** Check each message's `data` against its schema (services); a bridge may skip it. */
  validate?: boolean;
  /**
   * Parse `price` and `orderbook` with their zod schemas too (debugging, fuzz tests); otherwise
   * they get the equivalent hand-written checks of core/message-checks.ts (no copy, no zod).
   */
  fullValidation?: boolean;
  logger?: BusLogger;
  /** At most this many bad-frame log lines per second; the counters count them all. */
  maxErrorLogsPerSecond?: number;
}

export const PUBLISHER_DEFAULTS = {
  codec: 'msgpack' as CodecName,
  sendHighWaterMark: 100_000,
  maxQueue: 100_000,
  batchPrefixes: [] as readonly string[],
  batchMaxItems: 256,
  batchMaxDelayMs: 2,
  batchPaceMs: 0,
  batchPaceBurst: 10,
  signer: null as EnvelopeMacWriter | null,
  /** Trade, high-edge and exit signals: a few dozen a second, one HMAC each. */
  signedPrefixes: ['signals.'] as readonly string[],
};

/**
 * The largest frame a subscriber takes (ZMQ_MAXMSGSIZE); publishers refuse to send bigger ones,
 * which would cost every subscriber its link for a moment.
 */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

/**
 * ZMTP heartbeats of every hot-path socket (publisher and subscriber): a ping a second, the link
 * down after 4 s without traffic. Generous on purpose: a subscriber whose receive queue is full
 * stops reading its socket, and so stops answering pings too.
 */
export const ZMQ_HEARTBEAT_DEFAULTS = { heartbeatMs: 1_000, heartbeatTimeoutMs: 4_000 };

export const SUBSCRIBER_DEFAULTS = {
  receiveHighWaterMark: 100_000,
  validate: true,
  fullValidation: false,
  maxErrorLogsPerSecond: 10,
};

/** Suffix of the topic a batch frame is sent on: `prices.kalshi.X` batches go on `prices.~batch`. */
const BATCH_SUFFIX = '.~batch';

export function batchTopicFor(topicOrPrefix: string): string | null {
  const dot = topicOrPrefix.indexOf('.');
  const family = dot === -1 ? topicOrPrefix : topicOrPrefix.slice(0, dot);
  return family === '' ? null : family + BATCH_SUFFIX;
}

export function isBatchTopic(topic: string): boolean {
  return topic.endsWith(BATCH_SUFFIX);
}
