/**
 * The connection layer of every venue WebSocket: connect (fresh handshake headers each time,
 * since venues sign them with a timestamp), report open/close/frames, declare the link dead
 * when nothing (no frame, ping or pong) arrives for `staleAfterMs` even if TCP has not noticed,
 * send the venue's text heartbeat if it has one, reconnect with the one backoff
 * (src/core/backoff.ts), and close cleanly. The venue clients keep their protocol on top
 * (subscriptions, books, sequence gaps, resync) and decide when the link has proven itself
 * healthy enough to reset the backoff (`resetBackoff()`).
 *
 * It never emits 'error' (an unhandled 'error' event would end the process): socket errors
 * arrive as 'socketError' and are always followed by 'close'.
 */
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { Backoff, type BackoffPolicy, type RandomSource } from '../core/backoff.js';
import { nowMicros } from '../core/time.js';
import { capturePayload } from '../runtime/capture-tap.js';

export interface ReconnectingWebSocketOptions {
  url: string;
  /** Handshake headers, computed again for every connect. */
  headers?: () => Record<string, string>;
  connectTimeoutMs: number;
  /** No frame, ping or pong for this long: the link is dead. */
  staleAfterMs: number;
  /** How often silence is checked; staleAfterMs / 4 unless stated (and the ping interval when pinging). */
  checkEveryMs?: number;
  /** A text heartbeat sent every `checkEveryMs` while open (e.g. Polymarket's "PING"). */
  pingText?: string;
  backoff: BackoffPolicy;
  /** How long close() waits for the server's close frame before dropping the socket. */
  closeTimeoutMs?: number;
  random?: RandomSource;
}

export interface ReconnectingWebSocketEvents {
  open: [];
  /** One frame as text, with its receipt time in microseconds since the epoch. */
  message: [text: string, isBinary: boolean, receivedUs: number];
  /** A protocol-level ping from the server (the `ws` package answers it by itself). */
  ping: [];
  /** `willReconnect` is false only after close(). */
  close: [code: number, reason: string, willReconnect: boolean];
  /** The server refused the handshake with this HTTP status. */
  handshakeRefused: [status: number | null];
  socketError: [err: Error];
  /** The link was silent for `silentMs` and is being replaced. */
  stale: [silentMs: number];
}

const DEFAULT_CLOSE_TIMEOUT_MS = 2_000;

export class ReconnectingWebSocket extends EventEmitter<ReconnectingWebSocketEvents> {
  /** Reconnect attempts started so far. */
  reconnects = 0;
  private readonly backoff: Backoff;
  private ws: WebSocket | null = null;
  private closed = false;
  private lastActivityMs = 0;
  private checkTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: Readonly<ReconnectingWebSocketOptions>) {
    super();
    if (!(options.staleAfterMs > 0 && options.connectTimeoutMs > 0)) throw new RangeError('staleAfterMs and connectTimeoutMs must be positive');
    this.backoff = new Backoff(options.backoff, options.random);
  }

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** Connects (and keeps reconnecting until close()); a no-op while connected or waiting. */
  start(): void {
    if (!this.ws && !this.reconnectTimer && !this.closed) this.connect();
  }

  /** Sends if open; returns whether it did. */
  send(text: string): boolean {
    if (!this.isOpen) return false;
    this.ws!.send(text);
    return true;
  }

  /** The link works (the venue answered a subscription, a frame came): the next drop starts the backoff afresh. */
  resetBackoff(): void {
    this.backoff.reset();
  }

  /** Drops the socket now (e.g. an inconsistent book); it reconnects after the backoff. */
  restart(): void {
    this.ws?.terminate();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const done = setTimeout(() => {
        ws.terminate();
        resolve();
      }, this.options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS);
      ws.once('close', () => {
        clearTimeout(done);
        resolve();
      });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000, 'client closing');
    });
  }

  private connect(): void {
    const ws = new WebSocket(this.options.url, { headers: this.options.headers?.() ?? {}, handshakeTimeout: this.options.connectTimeoutMs });
    this.ws = ws;
    ws.on('open', () => this.onOpen(ws));
    ws.on('message', (data, isBinary) => this.onMessage(ws, data, isBinary));
    ws.on('ping', () => this.onPing(ws));
    ws.on('pong', () => (this.lastActivityMs = Date.now()));
    ws.on('unexpected-response', (_req, res) => {
      this.emit('handshakeRefused', res.statusCode ?? null);
      ws.terminate();
    });
    ws.on('error', (err) => this.emit('socketError', err));
    ws.on('close', (code, reason) => this.onClose(ws, code, reason.toString()));
  }

  private onOpen(ws: WebSocket): void {
    if (ws !== this.ws) return;
    this.lastActivityMs = Date.now();
    this.startChecks(ws);
    this.emit('open');
  }

  private onMessage(ws: WebSocket, data: WebSocket.RawData, isBinary: boolean): void {
    if (ws !== this.ws) return;
    const receivedUs = nowMicros();
    this.lastActivityMs = Date.now();
    const text = rawText(data);
    capturePayload('ws', this.options.url, text, receivedUs);
    this.emit('message', text, isBinary, receivedUs);
  }

  private onPing(ws: WebSocket): void {
    if (ws !== this.ws) return;
    this.lastActivityMs = Date.now();
    this.emit('ping');
  }

  private onClose(ws: WebSocket, code: number, reason: string): void {
    if (ws !== this.ws) return;
    this.ws = null;
    this.stopChecks();
    this.emit('close', code, reason, !this.closed);
    if (!this.closed) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.closed) return;
      this.reconnects++;
      this.connect();
    }, this.backoff.next());
  }

  /** Silence check, and the heartbeat for venues that want one, on one timer. */
  private startChecks(ws: WebSocket): void {
    const every = this.options.checkEveryMs ?? Math.max(10, Math.floor(this.options.staleAfterMs / 4));
    this.checkTimer = setInterval(() => {
      const silentMs = Date.now() - this.lastActivityMs;
      if (silentMs > this.options.staleAfterMs) {
        this.emit('stale', silentMs);
        ws.terminate();
      } else if (this.options.pingText !== undefined && ws.readyState === WebSocket.OPEN) {
        ws.send(this.options.pingText);
      }
    }, every);
  }

  private stopChecks(): void {
    if (this.checkTimer) clearInterval(this.checkTimer);
    this.checkTimer = null;
  }
}

function rawText(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
