/**
 * Transport-independent half of a hot-path subscriber: decodes frames (single or batched),
 * counts gaps per publisher stream, validates data against the message catalogue, and hands
 * each message to the handler. Nothing a peer sends can throw past this class: bad frames and
 * failing handlers are counted, logged (rate-limited) and dropped, and the loop keeps going.
 */
import type { RawEnvelope } from '../core/envelope.js';
import { errorMessage } from '../core/errors.js';
import { isMessageType, MessageSchemas } from '../core/messages.js';
import { TRUSTED_CHECKS } from '../core/message-checks.js';
import { nowMicros } from '../core/time.js';
import { sequenceKey } from '../core/topics.js';
import { ThrottledLog } from '../core/throttled-log.js';
import { EnvelopeCodec } from './codec.js';
import { GapTracker } from './gap-tracker.js';
import {
  SUBSCRIBER_DEFAULTS,
  batchTopicFor,
  isBatchTopic,
  silentLogger,
  type BusLogger,
  type SubscriberOptions,
} from './bus-options.js';

export type MessageHandler = (topic: string, envelope: RawEnvelope) => void | Promise<void>;

/** Publish-to-receive latency of one delivered message, by its type (µs, one host's clock). */
export type LagObserver = (type: string, lagUs: number) => void;

let lagObserver: LagObserver | null = null;

/**
 * Sees the input latency of every message any subscriber of this process delivers (benchmarks:
 * a service's input latency per message type, bench:pipeline's summary table). Null turns it off.
 */
export function observeHotLag(observer: LagObserver | null): void {
  lagObserver = observer;
}

export interface SubscriberMetrics {
  received: number;
  delivered: number;
  /** Heard because a transport prefix matched, but not an exact-topic subscription. */
  filtered: number;
  decode_errors: number;
  schema_errors: number;
  handler_errors: number;
  gaps: number;
  restarts: number;
  streams: number;
  /** Publish-to-receive latency of the last message, microseconds. */
  lag_us: number;
}

export abstract class HotSubscriber {
  protected readonly log: BusLogger;
  protected readonly options: Readonly<Required<Omit<SubscriberOptions, 'logger'>>>;
  private readonly codec = new EnvelopeCodec();
  private readonly gapTracker = new GapTracker();
  private readonly prefixes = new Set<string>();
  private readonly exactTopics = new Set<string>();
  private readonly batchTopics = new Map<string, number>();
  private handler: MessageHandler = () => {};
  private readonly counters = { received: 0, delivered: 0, filtered: 0, decode_errors: 0, schema_errors: 0, handler_errors: 0 };
  private lagUs = 0;
  /** Bad frames can arrive per message: the counters see them all, the log a few a second. */
  private readonly errorLog: ThrottledLog;

  constructor(options: SubscriberOptions = {}) {
    const { logger, ...rest } = options;
    this.options = Object.freeze({ ...SUBSCRIBER_DEFAULTS, ...rest });
    this.log = logger ?? silentLogger;
    this.errorLog = new ThrottledLog(this.log, { maxPerWindow: this.options.maxErrorLogsPerSecond });
  }

  protected abstract addTransportSubscription(prefix: string): void;
  protected abstract removeTransportSubscription(prefix: string): void;
  abstract close(): Promise<void>;

  onMessage(handler: MessageHandler): this {
    this.handler = handler;
    return this;
  }

  /** Subscribes to a topic prefix ('' for everything), including batch frames of its family. */
  subscribe(prefix: string): this {
    if (this.prefixes.has(prefix)) return this;
    this.prefixes.add(prefix);
    if (!this.exactTopics.has(prefix)) this.addTransportSubscription(prefix);
    this.useBatchTopic(prefix, +1);
    return this;
  }

  unsubscribe(prefix: string): this {
    if (!this.prefixes.delete(prefix)) return this;
    if (!this.exactTopics.has(prefix)) this.removeTransportSubscription(prefix);
    this.useBatchTopic(prefix, -1);
    return this;
  }

  /**
   * Subscribes to exactly one topic. Transports filter by prefix, so `prices.poly.123` would
   * also hear `prices.poly.1234`; an exact subscription filters the rest out locally.
   */
  subscribeTopic(topic: string): this {
    if (this.exactTopics.has(topic)) return this;
    this.exactTopics.add(topic);
    if (!this.prefixes.has(topic)) this.addTransportSubscription(topic);
    this.useBatchTopic(topic, +1);
    return this;
  }

  unsubscribeTopic(topic: string): this {
    if (!this.exactTopics.delete(topic)) return this;
    if (!this.prefixes.has(topic)) this.removeTransportSubscription(topic);
    this.useBatchTopic(topic, -1);
    return this;
  }

  /**
   * Batch frames travel on `<family>.~batch`, subscribed once per family and counted by users.
   * Subscribed even when a broader prefix covers it today: that prefix may be dropped first.
   * Overlap is harmless (ZMQ delivers once per socket; Redis subscribes only the cover).
   */
  private useBatchTopic(topicOrPrefix: string, delta: 1 | -1): void {
    const batchTopic = batchTopicFor(topicOrPrefix);
    if (batchTopic === null) return;
    const users = (this.batchTopics.get(batchTopic) ?? 0) + delta;
    if (users > 0) this.batchTopics.set(batchTopic, users);
    else this.batchTopics.delete(batchTopic);
    if (delta === 1 && users === 1) this.addTransportSubscription(batchTopic);
    if (delta === -1 && users === 0) this.removeTransportSubscription(batchTopic);
  }

  /** An exact-topic subscription no prefix subscription of the same string shadows. */
  protected isExactOnly(topic: string): boolean {
    return this.exactTopics.has(topic) && !this.prefixes.has(topic);
  }

  subscriptions(): string[] {
    return [...this.prefixes, ...this.exactTopics];
  }

  metrics(): SubscriberMetrics {
    return {
      ...this.counters,
      gaps: this.gapTracker.gaps,
      restarts: this.gapTracker.restarts,
      streams: this.gapTracker.streams(),
      lag_us: this.lagUs,
    };
  }

  /** Called by the transport with each raw frame pair. Never throws. */
  protected handleFrame(topic: string, payload: Uint8Array): void {
    if (isBatchTopic(topic)) {
      let items;
      try {
        items = this.codec.decodeBatch(payload);
      } catch (err) {
        this.counters.received++;
        this.reject('decode_errors', topic, err);
        return;
      }
      for (const [itemTopic, envelope] of items) {
        this.counters.received++;
        if (this.matches(itemTopic)) this.deliver(itemTopic, envelope);
      }
      return;
    }
    this.counters.received++;
    if (this.exactTopics.size > 0 && !this.matches(topic)) {
      this.counters.filtered++;
      return;
    }
    let envelope: RawEnvelope;
    try {
      envelope = this.codec.decode(payload);
    } catch (err) {
      this.reject('decode_errors', topic, err);
      return;
    }
    this.deliver(topic, envelope);
  }

  private deliver(topic: string, envelope: RawEnvelope): void {
    this.gapTracker.observeFrom(envelope.src, sequenceKey(topic), envelope.seq);
    this.lagUs = nowMicros() - envelope.ts;
    if (lagObserver !== null) lagObserver(envelope.type, this.lagUs);
    if (this.options.validate && !this.isValid(topic, envelope)) return;
    try {
      const result = this.handler(topic, envelope);
      if (result instanceof Promise) result.catch((err: unknown) => this.reject('handler_errors', topic, err));
      this.counters.delivered++;
    } catch (err) {
      this.reject('handler_errors', topic, err);
    }
  }

  private isValid(topic: string, envelope: RawEnvelope): boolean {
    if (!isMessageType(envelope.type)) {
      this.reject('schema_errors', topic, new Error(`unknown message type ${JSON.stringify(envelope.type)}`));
      return false;
    }
    const trusted = this.options.fullValidation ? undefined : TRUSTED_CHECKS[envelope.type];
    if (trusted !== undefined) {
      const problem = trusted(envelope.data);
      if (problem === null) return true;
      this.reject('schema_errors', topic, new Error(`${envelope.type}: ${problem} is missing or malformed`));
      return false;
    }
    const result = MessageSchemas[envelope.type].safeParse(envelope.data);
    if (!result.success) {
      this.reject('schema_errors', topic, new Error(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')));
      return false;
    }
    envelope.data = result.data;
    return true;
  }

  private matches(topic: string): boolean {
    if (this.exactTopics.has(topic)) return true;
    for (const prefix of this.prefixes) if (topic.startsWith(prefix)) return true;
    return false;
  }

  private reject(counter: 'decode_errors' | 'schema_errors' | 'handler_errors', topic: string, err: unknown): void {
    this.counters[counter]++;
    // A flood of bad frames must not cost a formatted error per frame: build the line only when it goes out.
    if (!this.errorLog.allow()) return;
    const code = counter === 'handler_errors' ? 'ARB_HANDLER_FAILED' : counter === 'schema_errors' ? 'ARB_FRAME_SCHEMA' : 'ARB_FRAME_DECODE';
    this.log.warn(
      { code, topic: topic.slice(0, 200), err: errorMessage(err), [counter]: this.counters[counter] },
      `${code}: message dropped`,
    );
  }
}
