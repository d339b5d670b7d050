/**
 * Transport-independent half of a hot-path publisher: builds envelopes, numbers them, batches
 * non-critical topics, and keeps the send queue bounded. Subclasses move bytes (ZMQ or Redis).
 */
import { randomBytes } from 'node:crypto';
import { ENVELOPE_VERSION, type RawEnvelope } from '../core/envelope.js';
import type { MessageData, MessageType } from '../core/messages.js';
import { nowMicros } from '../core/time.js';
import { sequenceKey } from '../core/topics.js';
import { ThrottledLog } from '../core/throttled-log.js';
import { EnvelopeCodec, type BatchItem } from './codec.js';
import {
  MAX_FRAME_BYTES,
  PUBLISHER_DEFAULTS,
  batchTopicFor,
  silentLogger,
  type BusLogger,
  type PublisherOptions,
} from './bus-options.js';

export interface PublishOptions {
  /** When the causing external event entered the system; defaults to now. */
  originTs?: number;
  /** Id of the message that caused this one. */
  cause?: string;
  id?: string;
}

export interface PublisherMetrics {
  published: number;
  sent_frames: number;
  dropped: number;
  queued: number;
  batched: number;
  /** Frames over MAX_FRAME_BYTES, refused (and counted in `dropped` too). */
  oversize: number;
}

type Frame = [topic: string, payload: Buffer];

export abstract class HotPublisher {
  readonly src: string;
  protected readonly codec: EnvelopeCodec;
  protected readonly log: BusLogger;
  private readonly options: Readonly<Required<Omit<PublisherOptions, 'logger'>>>;
  private readonly bootId = randomBytes(4).toString('hex');
  private messageCount = 0;
  private readonly seqs = new Map<string, number>();
  private readonly queue: Frame[] = [];
  private queueHead = 0;
  private draining = false;
  private drained: Promise<void> = Promise.resolve();
  private readonly batches = new Map<string, BatchItem[]>();
  private batchTimer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private batchTimerIsImmediate = false;
  /** Flushes that may go at once (a token bucket refilled at one per batchPaceMs, up to batchPaceBurst). */
  private paceTokens = Number.POSITIVE_INFINITY;
  private paceRefilledMs = 0;
  private readonly counters = { published: 0, sent_frames: 0, dropped: 0, batched: 0, oversize: 0 };
  /** A full queue drops per message: one line a second says so. */
  private readonly dropLog: ThrottledLog;
  protected closed = false;

  constructor(options: PublisherOptions) {
    const { logger, ...rest } = options;
    this.options = Object.freeze({ ...PUBLISHER_DEFAULTS, ...rest });
    this.src = options.src;
    this.codec = new EnvelopeCodec(this.options.codec);
    this.log = logger ?? silentLogger;
    this.dropLog = new ThrottledLog(this.log, { maxPerWindow: 1 });
  }

  /** The address subscribers connect to (null for transports without one). */
  abstract get endpoint(): string | null;
  protected abstract sendFrame(topic: string, payload: Buffer): Promise<void>;
  protected abstract closeTransport(): Promise<void>;

  /** Publishes one message; returns its id, or null when it was dropped at the queue bound. */
  publish<T extends MessageType>(topic: string, type: T, data: MessageData<T>, opts?: PublishOptions): string | null {
    return this.publishRaw(topic, type, data, opts);
  }

  /** Same as publish for data already shaped by someone else (bridges, benchmarks). */
  publishRaw(topic: string, type: string, data: unknown, opts?: PublishOptions): string | null {
    if (this.closed) return null;
    const count = ++this.messageCount;
    const key = sequenceKey(topic);
    const seq = (this.seqs.get(key) ?? 0) + 1;
    this.seqs.set(key, seq);
    const ts = nowMicros();
    const envelope: RawEnvelope = {
      v: ENVELOPE_VERSION,
      type,
      id: opts?.id ?? `${this.bootId}${count.toString(36)}`,
      src: this.src,
      seq,
      ts,
      origin_ts: opts?.originTs ?? ts,
      data,
    };
    if (opts?.cause !== undefined) envelope.cause = opts.cause;
    if (this.options.signer !== null && this.isSigned(topic)) this.options.signer.sign(topic, envelope);
    this.counters.published++;
    if (this.shouldBatch(topic)) this.addToBatch(topic, envelope);
    else if (!this.enqueue([topic, this.codec.encode(envelope)])) return null;
    return envelope.id;
  }

  metrics(): PublisherMetrics {
    return { ...this.counters, queued: this.queue.length - this.queueHead };
  }

  /** Sends every pending batch and waits until the queue is empty. */
  async flush(): Promise<void> {
    this.flushBatches();
    await this.drained;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    await this.closeTransport();
  }

  private isSigned(topic: string): boolean {
    const prefixes = this.options.signedPrefixes;
    for (let i = 0; i < prefixes.length; i++) if (topic.startsWith(prefixes[i]!)) return true;
    return false;
  }

  private shouldBatch(topic: string): boolean {
    const prefixes = this.options.batchPrefixes;
    for (let i = 0; i < prefixes.length; i++) if (topic.startsWith(prefixes[i]!)) return true;
    return false;
  }

  private addToBatch(topic: string, envelope: RawEnvelope): void {
    const batchTopic = batchTopicFor(topic) ?? topic;
    let items = this.batches.get(batchTopic);
    if (items === undefined) {
      items = [];
      this.batches.set(batchTopic, items);
    }
    items.push([topic, envelope]);
    this.counters.batched++;
    if (items.length >= this.options.batchMaxItems) this.flushBatch(batchTopic, items);
    else if (this.batchTimer === null) this.scheduleBatchFlush();
  }

  private scheduleBatchFlush(): void {
    // 0: everything published in this turn of the event loop goes out in one frame per family,
    // at once while the pace allows it (see batchPaceMs), else when it does.
    let delay = this.options.batchMaxDelayMs;
    if (delay === 0 && this.options.batchPaceMs > 0) delay = this.paceWaitMs();
    this.batchTimerIsImmediate = delay === 0;
    this.batchTimer = delay === 0 ? setImmediate(() => this.flushBatches()) : setTimeout(() => this.flushBatches(), delay);
  }

  private flushBatches(): void {
    if (this.batchTimer !== null) {
      if (this.batchTimerIsImmediate) clearImmediate(this.batchTimer as NodeJS.Immediate);
      else clearTimeout(this.batchTimer as NodeJS.Timeout);
      this.batchTimer = null;
    }
    // A forced flush (flush(), close) spends a token too, but leaves no debt.
    if (this.options.batchPaceMs > 0) this.paceTokens = Math.max(0, this.paceTokens - 1);
    for (const [batchTopic, items] of this.batches) if (items.length > 0) this.flushBatch(batchTopic, items);
  }

  /** 0 while a flush token is left; else how long until the next one (the bucket refills at one per batchPaceMs). */
  private paceWaitMs(): number {
    const now = performance.now();
    const pace = this.options.batchPaceMs;
    this.paceTokens = Math.min(this.options.batchPaceBurst, this.paceTokens + (now - this.paceRefilledMs) / pace);
    this.paceRefilledMs = now;
    return this.paceTokens >= 1 ? 0 : (1 - this.paceTokens) * pace;
  }

  private flushBatch(batchTopic: string, items: BatchItem[]): void {
    this.enqueue([batchTopic, this.codec.encodeBatch(items)]);
    this.batches.set(batchTopic, []);
  }

  /** Returns false when the frame was dropped at the queue bound. */
  private enqueue(frame: Frame): boolean {
    if (frame[1].length > MAX_FRAME_BYTES) return this.refuseOversize(frame);
    const pending = this.queue.length - this.queueHead;
    if (pending >= this.options.maxQueue) {
      this.counters.dropped++;
      this.logDrop();
      return false;
    }
    this.queue.push(frame);
    if (!this.draining) this.drained = this.drain();
    return true;
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queueHead < this.queue.length) {
        const frame = this.queue[this.queueHead]!;
        this.queue[this.queueHead++] = undefined as unknown as Frame;
        try {
          await this.sendFrame(frame[0], frame[1]);
          this.counters.sent_frames++;
        } catch (err) {
          this.counters.dropped++;
          this.log.warn({ err: (err as Error).message, topic: frame[0] }, 'ARB_PUBLISH_DROPPED: send failed');
        }
        // Compact now and then so the array does not grow without bound.
        if (this.queueHead > 4096 && this.queueHead * 2 > this.queue.length) {
          this.queue.splice(0, this.queueHead);
          this.queueHead = 0;
        }
      }
      this.queue.length = 0;
      this.queueHead = 0;
    } finally {
      this.draining = false;
    }
  }

  /** Subscribers would drop their link for it (and every frame in flight with it). */
  private refuseOversize(frame: Frame): false {
    this.counters.dropped++;
    this.counters.oversize++;
    this.dropLog.warn(
      { topic: frame[0].slice(0, 200), bytes: frame[1].length, oversize: this.counters.oversize, src: this.src },
      `ARB_PUBLISH_DROPPED: frame over ${MAX_FRAME_BYTES} bytes not sent`,
    );
    return false;
  }

  private logDrop(): void {
    this.dropLog.warn({ dropped: this.counters.dropped, src: this.src }, 'ARB_PUBLISH_DROPPED: publisher queue full');
  }
}
