/**
 * Hot-path subscriber over a ZeroMQ SUB socket. It connects to any number of publisher
 * endpoints, added and removed while it runs (the registry watcher drives that).
 */
import * as zmq from 'zeromq';
import { errorMessage } from '../core/errors.js';
import { HotSubscriber } from './hot-subscriber.js';
import type { SubscriberOptions } from './bus-options.js';

const MAX_FRAME_BYTES = 16 * 1024 * 1024;

export class ZmqSubscriber extends HotSubscriber {
  private readonly socket: zmq.Subscriber;
  private readonly endpoints = new Set<string>();
  private readonly loop: Promise<void>;

  constructor(options: SubscriberOptions = {}) {
    super(options);
    // A frame larger than any real message is refused by libzmq (the peer is disconnected).
    this.socket = new zmq.Subscriber({
      receiveHighWaterMark: this.options.receiveHighWaterMark,
      linger: 0,
      maxMessageSize: MAX_FRAME_BYTES,
    });
    this.loop = this.receiveLoop();
  }

  connect(endpoint: string): void {
    if (this.endpoints.has(endpoint)) return;
    this.socket.connect(endpoint);
    this.endpoints.add(endpoint);
    this.log.info({ endpoint }, 'connected to publisher');
  }

  disconnect(endpoint: string): void {
    if (!this.endpoints.delete(endpoint)) return;
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

  async close(): Promise<void> {
    if (this.socket.closed) return;
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

  private handleMalformed(frameCount: number): void {
    this.handleFrame('?', new Uint8Array(0));
    this.log.debug({ frameCount }, 'frame with wrong part count');
  }
}
