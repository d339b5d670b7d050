/**
 * The /ws fan-out: every hot-path message the api hears goes into the live cache and, serialized
 * once, to each client subscribed to a matching prefix. Clients speak a small JSON protocol
 * (api-protocol.ts): subscribe / unsubscribe by topic prefix, ping. A malformed message or an
 * unknown prefix gets an error reply and a counter; a client that keeps sending garbage is closed
 * with 1008, one that does not read with 1013 (ws-client.ts).
 */
import type { WebSocket } from 'ws';
import {
  isKnownWsPrefix,
  WS_ROOT_PREFIXES,
  WS_STATUS_PREFIX,
  WsClientMessage,
  WsCloseCode,
  type WsEvent,
} from '../../core/api-protocol.js';
import type { SlowEntry } from '../../bus/slow-track.js';
import type { RawEnvelope } from '../../core/envelope.js';
import { TopicPrefix } from '../../core/topics.js';
import type { Metrics } from '../../runtime/metrics.js';
import { LiveCache } from './live-cache.js';
import type { LiveFamilies } from './live-families.js';
import { isCoalescedTopic, WsClient, type WsClientOptions } from './ws-client.js';
import { encodeTextFrame } from './ws-frame.js';

export interface WsHubOptions extends WsClientOptions {
  maxClients: number;
  /** Protocol errors a client may make before it is closed. */
  maxProtocolErrors: number;
  /** Least time between two flushes of all clients (ARBEES_API_WS_FLUSH_MS); 0: every turn of the loop. */
  flushIntervalMs?: number;
}

/**
 * Clients are flushed together, at most once per `flushIntervalMs` (1 by default): the first
 * message after a quiet spell leaves on the next turn of the loop, a burst is sent in batches (one
 * writev per client per pass instead of one per message, which cost the api and every reader a
 * syscall and a wake-up per message at 7k msg/s).
 */
const DEFAULT_FLUSH_INTERVAL_MS = 1;

export class WsHub {
  readonly cache = new LiveCache();
  /** Called when a client subscribes to a prefix the api serves itself (status.). */
  onStatusSubscribe: () => void = () => {};
  readonly #clients = new Set<WsClient>();
  readonly #errors = new Map<WsClient, number>();
  readonly #dirty = new Set<WsClient>();
  #flushPending = false;
  readonly #snapshotFrames = new Map<string, Buffer>();
  #snapshotVersion = -1;
  #lastFlushMs = 0;
  #nextId = 1;

  constructor(
    private readonly options: WsHubOptions,
    private readonly metrics: Metrics,
    /** The on-demand subscriptions (prices, books); null: every family is always followed. */
    readonly families: LiveFamilies | null = null,
  ) {
    metrics.provide('ws', () => this.#stats());
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  /** The hot-path handler: cache, serialize once, fan out. */
  onHotMessage(topic: string, envelope: RawEnvelope): void {
    // A frame of a family just switched off may still be in flight: it would go stale in the cache.
    if (this.families !== null && !this.families.follows(topic)) return;
    const event: WsEvent = { topic, type: envelope.type, ts: envelope.ts, origin_ts: envelope.origin_ts, src: envelope.src, data: envelope.data };
    // Older than what the cache (and so every snapshot) holds for its topic: never sent.
    if (!this.cache.put(event, envelope)) return;
    // Framed once (ws-frame.ts): every client gets the same bytes.
    let bytes: Buffer | null = null;
    let coalesce = false;
    for (const client of this.#clients) {
      if (!client.matches(topic)) continue;
      if (bytes === null) {
        // {"kind":"event", ...event} without building that object per message.
        bytes = encodeTextFrame(`{"kind":"event",${JSON.stringify(event).slice(1)}`);
        coalesce = isCoalescedTopic(topic);
      }
      client.enqueueEvent(topic, bytes, coalesce);
    }
  }

  /** State read from the slow track when a family is switched on (live-families.ts): later messages win. */
  mergeStored(entries: readonly SlowEntry[]): void {
    for (const { topic, envelope } of entries) {
      this.cache.put({ topic, type: envelope.type, ts: envelope.ts, origin_ts: envelope.origin_ts, src: envelope.src, data: envelope.data }, envelope);
    }
  }

  accept(socket: WebSocket): void {
    if (this.#clients.size >= this.options.maxClients) {
      this.metrics.inc('ws_refused_too_many');
      socket.close(WsCloseCode.tooMany, 'too many WebSocket clients');
      return;
    }
    const client = new WsClient(this.#nextId++, socket, this.options, {
      onHopeless: () => this.metrics.inc('ws_slow_disconnects'),
      onDrop: () => this.metrics.inc('ws_dropped'),
      onCoalesce: () => this.metrics.inc('ws_coalesced'),
      requestFlush: (c) => this.#requestFlush(c),
    });
    this.#clients.add(client);
    this.metrics.inc('ws_connections');
    socket.on('message', (raw: Buffer, isBinary: boolean) => this.#onClientMessage(client, raw, isBinary));
    const forget = () => {
      if (!this.#clients.delete(client)) return;
      for (const p of client.prefixes) this.#release(p);
      this.#errors.delete(client);
      this.metrics.inc('ws_sent_total', client.counters.sent);
    };
    socket.on('close', forget);
    socket.on('error', () => this.metrics.inc('ws_socket_errors'));
  }

  /** Sends a message the api made itself to every client subscribed to `prefix` (droppable like an event). */
  broadcast(prefix: string, message: object): void {
    let frame: Buffer | null = null;
    for (const client of this.#clients) {
      if (!client.prefixes.has(prefix)) continue;
      frame ??= encodeTextFrame(JSON.stringify(message));
      client.enqueueEvent(prefix, frame);
    }
  }

  /** Whether any client listens to `prefix` (the status push is skipped otherwise). */
  hasListeners(prefix: string): boolean {
    for (const client of this.#clients) if (client.prefixes.has(prefix)) return true;
    return false;
  }

  closeAll(): void {
    for (const client of this.#clients) client.close(WsCloseCode.shutdown, 'api shutting down');
    this.#clients.clear();
    this.families?.stop();
  }

  #requestFlush(client: WsClient): void {
    this.#dirty.add(client);
    if (this.#flushPending) return;
    this.#flushPending = true;
    const wait = (this.options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS) - (performance.now() - this.#lastFlushMs);
    if (wait <= 0) setImmediate(this.#flushAll);
    else setTimeout(this.#flushAll, wait);
  }

  readonly #flushAll = (): void => {
    this.#flushPending = false;
    this.#lastFlushMs = performance.now();
    const clients = [...this.#dirty];
    this.#dirty.clear();
    for (const client of clients) client.flush();
  };

  #onClientMessage(client: WsClient, raw: Buffer, isBinary: boolean): void {
    if (isBinary) return this.#protocolError(client, 'binary frames are not part of the protocol; send JSON text');
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      return this.#protocolError(client, 'not JSON; send {"subscribe": ["prices.", ...]}');
    }
    const parsed = WsClientMessage.safeParse(json);
    if (!parsed.success) return this.#protocolError(client, `expected {"subscribe": [...]}, {"unsubscribe": [...]} or {"ping": n}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const msg = parsed.data;
    if ('subscribe' in msg) return this.#subscribe(client, msg.subscribe);
    if ('unsubscribe' in msg) {
      for (const p of msg.unsubscribe) {
        if (!client.prefixes.delete(p)) continue;
        client.waiting.delete(p);
        this.#release(p);
      }
      return client.sendControl({ kind: 'unsubscribed', prefixes: msg.unsubscribe });
    }
    client.sendControl({ kind: 'pong', ping: msg.ping ?? null, ts: Date.now() });
  }

  #subscribe(client: WsClient, prefixes: string[]): void {
    const unknown = prefixes.filter((p) => !isKnownWsPrefix(p));
    if (unknown.length > 0) {
      return this.#protocolError(client, `unknown topic prefix ${unknown.map((p) => JSON.stringify(p)).join(', ')}; each must start with one of ${WS_ROOT_PREFIXES.join(' ')}`);
    }
    const fresh = prefixes.filter((p) => !client.prefixes.has(p));
    for (const p of fresh) client.prefixes.add(p);
    client.sendControl({ kind: 'subscribed', prefixes: [...client.prefixes] });
    // The snapshot comes before any live event of the prefix: both go through the one queue.
    for (const prefix of fresh) {
      if (prefix === WS_STATUS_PREFIX) {
        this.onStatusSubscribe();
        continue;
      }
      const family = this.families?.familyOf(prefix) ?? null;
      const ready = family === null ? null : this.families!.acquire(family);
      if (ready === null) {
        this.#sendSnapshot(client, prefix);
        continue;
      }
      // Its family is being switched on: live events wait (matches() skips the prefix) until the
      // snapshot, taken from the cache once the stored state is merged, has been queued.
      client.waiting.add(prefix);
      void ready.then(() => {
        if (!client.closed && client.waiting.delete(prefix)) this.#sendSnapshot(client, prefix);
      });
    }
  }

  /** Framed once per prefix while the cache is unchanged: clients subscribing together (all those waiting for a family) share it. */
  #sendSnapshot(client: WsClient, prefix: string): void {
    if (this.#snapshotVersion !== this.cache.version) {
      this.#snapshotFrames.clear();
      this.#snapshotVersion = this.cache.version;
    }
    let frame = this.#snapshotFrames.get(prefix);
    if (frame === undefined) {
      frame = encodeTextFrame(JSON.stringify({ kind: 'snapshot', prefix, events: this.cache.snapshot(prefix) }));
      this.#snapshotFrames.set(prefix, frame);
    }
    client.sendControlFrame(frame);
  }

  #release(prefix: string): void {
    const family = this.families?.familyOf(prefix) ?? null;
    if (family !== null) this.families!.release(family);
  }

  #protocolError(client: WsClient, message: string): void {
    this.metrics.inc('ws_protocol_errors');
    const count = (this.#errors.get(client) ?? 0) + 1;
    this.#errors.set(client, count);
    client.sendControl({ kind: 'error', code: 'ARB_API_WS_PROTOCOL', message });
    if (count >= this.options.maxProtocolErrors) client.close(WsCloseCode.protocol, 'ARB_API_WS_PROTOCOL: too many malformed messages');
  }

  #stats(): Record<string, number> {
    let queued = 0;
    let dropped = 0;
    let coalesced = 0;
    for (const c of this.#clients) {
      queued += c.queued;
      dropped += c.counters.dropped;
      coalesced += c.counters.coalesced;
    }
    const f = this.families;
    const families: Record<string, number> = f === null ? {} : {
      live_switched_on: f.counters.switched_on,
      live_switched_off: f.counters.switched_off,
      live_load_errors: f.counters.load_errors,
      live_merged: f.counters.merged,
      prices_on: f.isOn(TopicPrefix.prices) ? 1 : 0,
      books_on: f.isOn(TopicPrefix.orderbooks) ? 1 : 0,
    };
    return { clients: this.#clients.size, queued, dropped_live: dropped, coalesced_live: coalesced, cache_topics: this.cache.size, cache_stale: this.cache.stale, ...families };
  }
}

