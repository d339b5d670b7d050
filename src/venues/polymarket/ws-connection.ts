/**
 * One market-channel WebSocket connection carrying a set of asset ids: subscribes on open,
 * adds and removes assets on the live socket, and subscribes again to its current set after
 * every reconnect. The link itself (the text PING heartbeat, declaring the socket dead when
 * nothing, not even PONG, arrives for a while, jittered exponential backoff) is the shared
 * ReconnectingWebSocket.
 */
import { ReconnectingWebSocket } from '../reconnecting-websocket.js';

export interface MarketConnectionOptions {
  url: string;
  pingIntervalMs: number;
  /** No frame for this long: the socket is dead even if TCP has not noticed. */
  staleAfterMs: number;
  connectTimeoutMs: number;
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  /** Fraction of each backoff delay randomly shaved off, so many clients do not reconnect in step. */
  reconnectJitter: number;
  customFeatureEnabled: boolean;
}

export interface MarketConnectionHandlers {
  onFrame(text: string, receivedUs: number, conn: MarketConnection): void;
  onOpen(conn: MarketConnection): void;
  /** The socket closed; `willReconnect` is false only after close(). */
  onDown(conn: MarketConnection, code: number, reason: string, willReconnect: boolean): void;
}

export class MarketConnection {
  readonly id: number;
  readonly assets = new Set<string>();
  private readonly link: ReconnectingWebSocket;

  constructor(
    id: number,
    private readonly opts: Readonly<MarketConnectionOptions>,
    private readonly handlers: MarketConnectionHandlers,
  ) {
    this.id = id;
    this.link = new ReconnectingWebSocket({
      url: opts.url,
      connectTimeoutMs: opts.connectTimeoutMs,
      staleAfterMs: opts.staleAfterMs,
      checkEveryMs: opts.pingIntervalMs,
      pingText: 'PING',
      backoff: { baseMs: opts.reconnectBaseMs, maxMs: opts.reconnectMaxMs, jitter: opts.reconnectJitter },
      closeTimeoutMs: 1_000,
    });
    this.link.on('open', () => this.onOpen());
    this.link.on('message', (text, _isBinary, receivedUs) => {
      this.link.resetBackoff(); // a live, talking socket resets the backoff
      this.handlers.onFrame(text, receivedUs, this);
    });
    this.link.on('close', (code, reason, willReconnect) => this.handlers.onDown(this, code, reason, willReconnect));
  }

  get isOpen(): boolean {
    return this.link.isOpen;
  }

  get reconnects(): number {
    return this.link.reconnects;
  }

  start(): void {
    this.link.start();
  }

  add(ids: readonly string[]): void {
    const fresh = ids.filter((id) => !this.assets.has(id));
    for (const id of fresh) this.assets.add(id);
    if (fresh.length > 0) this.send({ operation: 'subscribe', assets_ids: fresh, custom_feature_enabled: this.opts.customFeatureEnabled });
  }

  remove(ids: readonly string[]): void {
    const gone = ids.filter((id) => this.assets.delete(id));
    if (gone.length > 0) this.send({ operation: 'unsubscribe', assets_ids: gone });
  }

  /** Drops the socket now (e.g. a detected book inconsistency) and reconnects after backoff. */
  restart(): void {
    this.link.restart();
  }

  close(): Promise<void> {
    return this.link.close();
  }

  private onOpen(): void {
    this.send({
      assets_ids: [...this.assets],
      type: 'market',
      initial_dump: true,
      custom_feature_enabled: this.opts.customFeatureEnabled,
    });
    this.handlers.onOpen(this);
  }

  private send(msg: unknown): void {
    this.link.send(JSON.stringify(msg));
  }
}
