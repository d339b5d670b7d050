/**
 * Hot-path publisher over a ZeroMQ PUB socket bound to `ipc://` or `tcp://`.
 * PUB never blocks: at the high-water mark libzmq drops for that subscriber, which the
 * subscriber sees as a seq gap; drops inside this process are counted by HotPublisher.
 */
import * as zmq from 'zeromq';
import { HotPublisher } from './hot-publisher.js';
import { ZMQ_HEARTBEAT_DEFAULTS, type PublisherOptions } from './bus-options.js';

export interface ZmqPublisherOptions extends PublisherOptions {
  /** `ipc:///path.ipc`, `tcp://127.0.0.1:5555`, or `tcp://127.0.0.1:*` for any free port. */
  bindAddress: string;
  /** ZMTP heartbeats: a subscriber that stops answering (hung, gone) is dropped and its queue freed. */
  heartbeatMs?: number;
  heartbeatTimeoutMs?: number;
}

export class ZmqPublisher extends HotPublisher {
  private readonly socket: zmq.Publisher;
  private boundEndpoint: string | null = null;
  private readonly bindAddress: string;

  private constructor(options: ZmqPublisherOptions) {
    super(options);
    this.bindAddress = options.bindAddress;
    const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? ZMQ_HEARTBEAT_DEFAULTS.heartbeatTimeoutMs;
    this.socket = new zmq.Publisher({
      sendHighWaterMark: options.sendHighWaterMark ?? 100_000,
      linger: 500,
      heartbeatInterval: options.heartbeatMs ?? ZMQ_HEARTBEAT_DEFAULTS.heartbeatMs,
      heartbeatTimeout: heartbeatTimeoutMs,
      // Tells each subscriber to drop the link after this long without hearing from us.
      heartbeatTimeToLive: heartbeatTimeoutMs,
    });
  }

  /** Creates and binds the socket; the endpoint is known once this resolves. */
  static async create(options: ZmqPublisherOptions): Promise<ZmqPublisher> {
    const publisher = new ZmqPublisher(options);
    await publisher.socket.bind(options.bindAddress);
    publisher.boundEndpoint = publisher.resolveEndpoint();
    return publisher;
  }

  get endpoint(): string | null {
    return this.boundEndpoint;
  }

  protected sendFrame(topic: string, payload: Buffer): Promise<void> {
    return this.socket.send([topic, payload]);
  }

  protected async closeTransport(): Promise<void> {
    this.socket.close();
  }

  /** A wildcard or 0.0.0.0 bind is not an address a subscriber can dial; report a dialable one. */
  private resolveEndpoint(): string {
    const last = this.socket.lastEndpoint ?? this.bindAddress;
    return last.replace('tcp://0.0.0.0:', 'tcp://127.0.0.1:');
  }
}
