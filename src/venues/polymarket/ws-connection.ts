/**
 * One market-channel WebSocket connection carrying a set of asset ids: subscribes on open,
 * adds and removes assets on the live socket, sends the text PING heartbeat, declares itself dead
 * when nothing (not even PONG) arrives for a while, and reconnects with capped, jittered
 * exponential backoff, subscribing again to its current set.
 */
import WebSocket from 'ws';
import { nowMicros } from '../../core/time.js';

export interface MarketConnectionOptions {
  url: string;
  pingIntervalMs: number;
  /** No frame for this long: the socket is dead even if TCP has not noticed. */
  staleAfterMs: number;
  connectTimeoutMs: number;
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  /** ±fraction of randomness on each backoff delay, so many clients do not reconnect in step. */
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
  reconnects = 0;
  private ws: WebSocket | null = null;
  private open = false;
  private closed = false;
  private attempt = 0;
  private pingTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private lastFrameAt = 0;

  constructor(
    id: number,
    private readonly opts: Readonly<MarketConnectionOptions>,
    private readonly handlers: MarketConnectionHandlers,
  ) {
    this.id = id;
  }

  get isOpen(): boolean {
    return this.open;
  }

  start(): void {
    this.connect();
  }

  add(ids: readonly string[]): void {
    const fresh = ids.filter((id) => !this.assets.has(id));
    for (const id of fresh) this.assets.add(id);
    if (fresh.length > 0 && this.open) this.send({ operation: 'subscribe', assets_ids: fresh, custom_feature_enabled: this.opts.customFeatureEnabled });
  }

  remove(ids: readonly string[]): void {
    const gone = ids.filter((id) => this.assets.delete(id));
    if (gone.length > 0 && this.open) this.send({ operation: 'unsubscribe', assets_ids: gone });
  }

  /** Drops the socket now (e.g. a detected book inconsistency) and reconnects after backoff. */
  restart(): void {
    this.ws?.terminate();
  }

  close(): Promise<void> {
    this.closed = true;
    this.clearTimers();
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const done = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 1_000);
      ws.once('close', () => {
        clearTimeout(done);
        resolve();
      });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000, 'client closing');
    });
  }

  private connect(): void {
    if (this.closed) return;
    const ws = new WebSocket(this.opts.url, { handshakeTimeout: this.opts.connectTimeoutMs });
    this.ws = ws;
    ws.on('open', () => this.onOpen());
    ws.on('message', (data, isBinary) => {
      const receivedUs = nowMicros();
      this.lastFrameAt = Date.now();
      this.attempt = 0; // a live, talking socket resets the backoff
      const text = isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString();
      this.handlers.onFrame(text, receivedUs, this);
    });
    // Errors are followed by 'close'; the reconnect happens there.
    ws.on('error', () => undefined);
    ws.on('close', (code, reason) => this.onClose(ws, code, reason.toString()));
  }

  private onOpen(): void {
    this.open = true;
    this.lastFrameAt = Date.now();
    this.send({
      assets_ids: [...this.assets],
      type: 'market',
      initial_dump: true,
      custom_feature_enabled: this.opts.customFeatureEnabled,
    });
    this.pingTimer = setInterval(() => this.heartbeat(), this.opts.pingIntervalMs);
    this.handlers.onOpen(this);
  }

  private heartbeat(): void {
    if (Date.now() - this.lastFrameAt > this.opts.staleAfterMs) {
      this.ws?.terminate();
      return;
    }
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send('PING');
  }

  private onClose(ws: WebSocket, code: number, reason: string): void {
    if (ws !== this.ws) return;
    this.open = false;
    this.clearTimers();
    this.handlers.onDown(this, code, reason, !this.closed);
    if (this.closed) return;
    this.attempt++;
    this.reconnects++;
    const base = Math.min(this.opts.reconnectMaxMs, this.opts.reconnectBaseMs * 2 ** (this.attempt - 1));
    const delay = Math.max(0, base * (1 + this.opts.reconnectJitter * (Math.random() * 2 - 1)));
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private send(msg: unknown): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  private clearTimers(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.pingTimer = null;
    this.reconnectTimer = null;
  }
}
