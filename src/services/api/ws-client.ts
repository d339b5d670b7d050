/**
 * One WebSocket client of /ws: its subscriptions and a bounded send queue. A slow client never
 * slows anyone else: prices and books waiting in its queue are coalesced per topic (only the
 * newest is sent), other messages beyond the queue bound are dropped and counted, and a client
 * whose queue stays full (it does not read) is disconnected with close code 1013.
 */
import type { WebSocket } from 'ws';
import { WsCloseCode } from '../../core/api-protocol.js';
import { SendQueue } from './send-queue.js';
import { encodeTextFrame } from './ws-frame.js';

export interface WsClientOptions {
  queueMax: number;
  /** Bytes the socket may hold unsent before the client counts as not reading. */
  maxBufferedBytes: number;
  /** A client whose queue stays full this long is cut off. */
  hopelessMs: number;
  now?: () => number;
}

export interface WsClientCounters {
  sent: number;
  coalesced: number;
  dropped: number;
}

/** The net socket under a `ws` WebSocket: frames are written to it directly, in queue order. */
interface RawSocket {
  write(chunk: Buffer): boolean;
}

const COALESCED_FAMILIES = ['prices.', 'orderbook.', 'status.'];

/** Whether waiting messages of `topic` are replaced by newer ones (prices, books, status). */
export function isCoalescedTopic(topic: string): boolean {
  return COALESCED_FAMILIES.some((f) => topic.startsWith(f));
}
/** Frames joined into one write while draining a queue (bigger writes go alone). */
const WRITE_BATCH_BYTES = 64 * 1024;
const WS_OPEN = 1;

export class WsClient {
  readonly prefixes = new Set<string>();
  /** Subscribed prefixes whose snapshot is not sent yet (their family is loading): no live event before it. */
  readonly waiting = new Set<string>();
  readonly counters: WsClientCounters = { sent: 0, coalesced: 0, dropped: 0 };
  /** Whole text frames (ws-frame.ts): an event is framed once by the hub, the same bytes for every client. */
  readonly #queue = new SendQueue();
  #flushScheduled = false;
  #fullSinceMs: number | null = null;
  #droppedSinceNotice = 0;
  #closed = false;

  constructor(
    readonly id: number,
    private readonly socket: WebSocket,
    private readonly options: WsClientOptions,
    private readonly events: {
      onHopeless(client: WsClient): void;
      onDrop(): void;
      onCoalesce(): void;
      /** Asks the owner to call flush() soon (the hub batches all clients in one pass); without it, the next turn of the loop. */
      requestFlush?(client: WsClient): void;
    },
  ) {}

  matches(topic: string): boolean {
    for (const p of this.prefixes) if (topic.startsWith(p) && !this.waiting.has(p)) return true;
    return false;
  }

  /** Queues a framed event (encodeTextFrame); prices and books (`coalesce`, see isCoalescedTopic) replace an unsent one of the same topic. */
  enqueueEvent(topic: string, frame: Buffer, coalesce = isCoalescedTopic(topic)): void {
    if (this.#closed) return;
    if (coalesce) {
      if (this.#queue.replace(topic, frame)) {
        this.counters.coalesced++;
        this.events.onCoalesce();
        return;
      }
    }
    if (this.queued >= this.options.queueMax) {
      this.counters.dropped++;
      this.events.onDrop();
      this.#droppedSinceNotice++;
      this.#checkHopeless();
      return;
    }
    this.#queue.push(frame, coalesce ? topic : null);
    this.#scheduleFlush();
  }

  /** Control replies (errors, acks, snapshots) go through the same queue, never dropped silently. */
  sendControl(message: object): void {
    this.sendControlFrame(encodeTextFrame(JSON.stringify(message)));
  }

  /** A control reply already framed (a snapshot framed once for every client that asked for it). */
  sendControlFrame(frame: Buffer): void {
    if (this.#closed) return;
    if (this.queued >= this.options.queueMax * 2) {
      // Replies pile up only for a client that sends but never reads.
      this.events.onHopeless(this);
      return this.close(WsCloseCode.slowClient, 'ARB_API_WS_SLOW_CLIENT: replies not read');
    }
    this.#queue.push(frame);
    this.#scheduleFlush();
  }

  get queued(): number {
    return this.#queue.length;
  }

  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.clear();
    try {
      this.socket.close(code, reason);
    } catch {
      this.socket.terminate();
    }
    // A peer that does not read may never complete the closing handshake.
    setTimeout(() => this.socket.terminate(), 2_000).unref();
  }

  get closed(): boolean {
    return this.#closed;
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    if (this.events.requestFlush !== undefined) this.events.requestFlush(this);
    else setImmediate(() => this.flush());
  }

  /** Sends what the socket takes now; called once per scheduled flush. */
  flush(): void {
    this.#flushScheduled = false;
    if (this.#closed) return;
    const raw = (this.socket as unknown as { _socket?: RawSocket })._socket;
    // Closing or closed (the peer's close frame may have arrived): no data frame may follow it.
    if (this.socket.readyState !== WS_OPEN || raw === undefined) return;
    if (this.#droppedSinceNotice > 0 && this.socket.bufferedAmount < this.options.maxBufferedBytes) {
      raw.write(encodeTextFrame(JSON.stringify({ kind: 'dropped', count: this.#droppedSinceNotice })));
      this.#droppedSinceNotice = 0;
    }
    // Frames leave in batches of one write each (not one write per message); the socket's backlog
    // is checked between batches, so a slow reader holds at most a batch beyond the bound.
    const batch: Buffer[] = [];
    while (this.#queue.length > 0 && this.socket.bufferedAmount < this.options.maxBufferedBytes) {
      const bytes = this.#queue.take(WRITE_BATCH_BYTES, batch);
      this.counters.sent += batch.length;
      raw.write(batch.length === 1 ? batch[0]! : Buffer.concat(batch, bytes));
      batch.length = 0;
    }
    if (this.queued > 0) {
      // The socket is backed up: look again shortly rather than spin.
      this.#flushScheduled = true;
      setTimeout(() => this.flush(), 10).unref();
      this.#checkHopeless();
    } else {
      this.#fullSinceMs = null;
    }
  }

  #checkHopeless(): void {
    const now = (this.options.now ?? Date.now)();
    if (this.queued < this.options.queueMax) {
      this.#fullSinceMs = null;
      return;
    }
    this.#fullSinceMs ??= now;
    if (now - this.#fullSinceMs >= this.options.hopelessMs) {
      this.events.onHopeless(this);
      this.close(WsCloseCode.slowClient, 'ARB_API_WS_SLOW_CLIENT: queue full, client not reading');
    }
  }
}
