/**
 * Hot-path subscriber over a ZeroMQ SUB socket. It connects to any number of publisher
 * endpoints, added and removed while it runs (the registry watcher drives that).
 *
 * It knows per endpoint whether its link is up, from the socket's monitor events: up at the
 * ZMTP handshake, down at a disconnect. ZMTP heartbeats (ping every heartbeatMs, link down
 * after heartbeatTimeoutMs of silence) make a hung publisher (SIGSTOP, a frozen host) show as
 * down too, not only a dead one. The registry watcher asks `isLinkUp` before it drops a
 * publisher whose registry entry vanished, so a Redis outage cannot cut a live link.
 *
 * libzmq drops a link for good on a protocol error, which is what a frame over maxMessageSize
 * is: it does not reconnect by itself as it does after a lost connection. Such a drop (a
 * disconnect with no reconnect attempt after it) is counted (`protocol_drops`), logged
 * (throttled, ARB_BUS_LINK_DROPPED) and re-dialed at once. Nothing here runs per message.
 */
import * as zmq from 'zeromq';
import { errorMessage } from '../core/errors.js';
import { ThrottledLog } from '../core/throttled-log.js';
import { HotSubscriber, type SubscriberMetrics } from './hot-subscriber.js';
import { MAX_FRAME_BYTES, ZMQ_HEARTBEAT_DEFAULTS, type SubscriberOptions } from './bus-options.js';

export { MAX_FRAME_BYTES };

/** libzmq's own reconnect delay after a lost connection (its default, stated). */
const RECONNECT_INTERVAL_MS = 100;
/** A drop with no reconnect attempt this long after it was a protocol error: re-dial. */
const REDIAL_CHECK_MS = 50;

export interface ZmqSubscriberOptions extends SubscriberOptions {
  heartbeatMs?: number;
  heartbeatTimeoutMs?: number;
}

export interface ZmqSubscriberMetrics extends SubscriberMetrics {
  /** Links that went down (publisher gone or hung, or dropped by libzmq). */
  link_drops: number;
  /** Links libzmq dropped for a protocol error (an oversize frame), re-dialed by this class. */
  protocol_drops: number;
  links_up: number;
}

interface Link {
  up: boolean;
  /** A reconnect attempt (or a connection) was seen since the last drop. */
  retrying: boolean;
  redialTimer: NodeJS.Timeout | null;
}

export class ZmqSubscriber extends HotSubscriber {
  private readonly socket: zmq.Subscriber;
  private readonly endpoints = new Set<string>();
  private readonly links = new Map<string, Link>();
  private readonly linkCounters = { link_drops: 0, protocol_drops: 0 };
  private readonly dropLog: ThrottledLog;
  private readonly loop: Promise<void>;

  constructor(options: ZmqSubscriberOptions = {}) {
    super(options);
    const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? ZMQ_HEARTBEAT_DEFAULTS.heartbeatTimeoutMs;
    // A frame larger than any real message is refused by libzmq (the peer is disconnected).
    this.socket = new zmq.Subscriber({
      receiveHighWaterMark: this.options.receiveHighWaterMark,
      linger: 0,
      maxMessageSize: MAX_FRAME_BYTES,
      reconnectInterval: RECONNECT_INTERVAL_MS,
      heartbeatInterval: options.heartbeatMs ?? ZMQ_HEARTBEAT_DEFAULTS.heartbeatMs,
      heartbeatTimeout: heartbeatTimeoutMs,
      heartbeatTimeToLive: heartbeatTimeoutMs,
    });
    this.dropLog = new ThrottledLog(this.log, { maxPerWindow: 1 });
    this.watchLinks();
    this.loop = this.receiveLoop();
  }

  connect(endpoint: string): void {
    if (this.endpoints.has(endpoint)) return;
    this.links.set(endpoint, { up: false, retrying: true, redialTimer: null });
    this.socket.connect(endpoint);
    this.endpoints.add(endpoint);
    this.log.info({ endpoint }, 'connected to publisher');
  }

  disconnect(endpoint: string): void {
    if (!this.endpoints.delete(endpoint)) return;
    this.forgetLink(endpoint);
    try {
      this.socket.disconnect(endpoint);
    } catch (err) {
      // libzmq refuses to disconnect an endpoint it never completed; nothing to undo then.
      this.log.debug({ endpoint, err: errorMessage(err) }, 'disconnect ignored');
    }
    this.log.info({ endpoint }, 'disconnected from publisher');
  }

  connectedEndpoints(): string[] {
    return [...this.endpoints];
  }

  /** Whether the link to this publisher is up now (handshake done, heartbeats answered). */
  isLinkUp(endpoint: string): boolean {
    return this.links.get(endpoint)?.up === true;
  }

  override metrics(): ZmqSubscriberMetrics {
    let up = 0;
    for (const link of this.links.values()) if (link.up) up++;
    return { ...super.metrics(), ...this.linkCounters, links_up: up };
  }

  async close(): Promise<void> {
    if (this.socket.closed) return;
    for (const endpoint of [...this.links.keys()]) this.forgetLink(endpoint);
    this.socket.close();
    await this.loop;
  }

  protected addTransportSubscription(prefix: string): void {
    this.socket.subscribe(prefix);
  }

  protected removeTransportSubscription(prefix: string): void {
    this.socket.unsubscribe(prefix);
  }

  private async receiveLoop(): Promise<void> {
    // receive() directly rather than `for await` over the socket: zeromq.js's async iterator
    // wraps every message in one more promise and result object (its `next` was 15 % of
    // execution_service's busy time in bench:pipeline).
    const socket = this.socket;
    try {
      while (!socket.closed) {
        const frames = await socket.receive();
        const topic = frames[0];
        const payload = frames[1];
        if (topic === undefined || payload === undefined || frames.length !== 2) {
          this.handleMalformed(frames.length);
          continue;
        }
        this.handleFrame(topic.toString('latin1'), payload);
      }
    } catch (err) {
      if (!socket.closed) this.log.error({ err: errorMessage(err) }, 'subscriber loop stopped');
    }
  }

  private watchLinks(): void {
    const events = this.socket.events;
    events.on('handshake', ({ address }) => {
      const link = this.links.get(address);
      if (link !== undefined) link.up = true;
    });
    const retrying = ({ address }: { address: string }) => {
      const link = this.links.get(address);
      if (link !== undefined) link.retrying = true;
    };
    events.on('connect', retrying);
    events.on('connect:delay', retrying);
    events.on('connect:retry', retrying);
    events.on('disconnect', ({ address }) => this.onLinkDown(address));
  }

  private onLinkDown(endpoint: string): void {
    const link = this.links.get(endpoint);
    if (link === undefined) return;
    link.up = false;
    link.retrying = false;
    this.linkCounters.link_drops++;
    this.log.debug({ endpoint }, 'link to publisher down');
    if (link.redialTimer !== null) clearTimeout(link.redialTimer);
    // libzmq announces its reconnect right after a lost connection; after a protocol error it
    // announces nothing and never reconnects.
    link.redialTimer = setTimeout(() => {
      link.redialTimer = null;
      if (!link.retrying && !link.up && this.endpoints.has(endpoint) && !this.socket.closed) this.redial(endpoint);
    }, REDIAL_CHECK_MS);
  }

  private redial(endpoint: string): void {
    this.linkCounters.protocol_drops++;
    if (this.dropLog.allow()) {
      this.log.warn(
        { code: 'ARB_BUS_LINK_DROPPED', endpoint, protocol_drops: this.linkCounters.protocol_drops },
        'ARB_BUS_LINK_DROPPED: libzmq dropped the link for a protocol error (a frame over 16 MiB?); re-dialing',
      );
    }
    try {
      this.socket.disconnect(endpoint);
    } catch {
      // already gone from libzmq's side: connecting again is all there is to do
    }
    try {
      this.links.set(endpoint, { up: false, retrying: true, redialTimer: null });
      this.socket.connect(endpoint);
    } catch (err) {
      this.log.error({ endpoint, err: errorMessage(err) }, 'ARB_BUS_LINK_DROPPED: re-dial failed');
    }
  }

  private forgetLink(endpoint: string): void {
    const link = this.links.get(endpoint);
    if (link?.redialTimer != null) clearTimeout(link.redialTimer);
    this.links.delete(endpoint);
  }

  private handleMalformed(frameCount: number): void {
    this.handleFrame('?', new Uint8Array(0));
    this.log.debug({ frameCount }, 'frame with wrong part count');
  }
}
