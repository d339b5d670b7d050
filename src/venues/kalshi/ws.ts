/**
 * Kalshi WebSocket client: one authenticated connection, `orderbook_delta` and `ticker`
 * subscriptions for a changing set of markets, a consistent book per market, and events on
 * every book change stamped with their receipt time (microseconds, src/core/time.ts).
 *
 * It keeps itself correct rather than merely connected:
 * - a sequence gap or step back invalidates the subscription's books and asks for fresh
 *   snapshots (`update_subscription` get_snapshot); if those do not come, it resubscribes;
 * - a dropped or silent connection (no frame and no ping for `staleTimeoutMs`) is replaced
 *   with exponential backoff (src/venues/reconnecting-websocket.ts), and the current set of
 *   markets is subscribed again;
 * - a malformed frame is counted and skipped; nothing here throws into the event loop.
 * Kalshi pings every 10 s; the `ws` package answers with a pong by itself.
 */
import { EventEmitter } from 'node:events';
import { nowMicros } from '../../core/time.js';
import { ReconnectingWebSocket } from '../reconnecting-websocket.js';
import type { KalshiSigner } from './auth.js';
import { KalshiBookSync, type KalshiSyncResult } from './book-sync.js';
import type { KalshiWsMessage, KalshiWsTicker, KalshiWsTrade } from './common.js';
import { KalshiParseError, KalshiWsError } from './errors.js';
import type { KalshiBookView } from './order-book.js';
import { parseWsFrame } from './parse.js';

export type KalshiWsChannel = 'orderbook_delta' | 'ticker' | 'market_lifecycle_v2';

export interface KalshiWsClientOptions {
  /** e.g. wss://external-api-ws.kalshi.com/trade-api/ws/v2 */
  url: string;
  /** Kalshi requires a signed handshake even for public channels. */
  signer?: KalshiSigner | null;
  channels?: readonly KalshiWsChannel[];
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  /** No frame and no ping for this long means the connection is dead. */
  staleTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** How long fresh snapshots may take after a gap before we resubscribe instead. */
  resyncTimeoutMs?: number;
  /** Levels per side in each `book` event. */
  bookDepth?: number;
  /** Sent explicitly: Kalshi plans to flip the default. */
  useYesPrice?: boolean;
}

type Resolved = Readonly<Required<Omit<KalshiWsClientOptions, 'signer'>>> & { signer: KalshiSigner | null };

const DEFAULTS = {
  channels: ['orderbook_delta', 'ticker', 'market_lifecycle_v2'] as readonly KalshiWsChannel[],
  reconnectBaseMs: 250,
  reconnectMaxMs: 30_000,
  staleTimeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  resyncTimeoutMs: 5_000,
  bookDepth: 10,
  useYesPrice: false,
};

function resolveOptions(options: KalshiWsClientOptions): Resolved {
  const url = new URL(options.url);
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new RangeError('url must be ws:// or wss://');
  const r = {
    ...DEFAULTS,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    signer: options.signer ?? null,
  } as Resolved;
  for (const k of ['reconnectBaseMs', 'reconnectMaxMs', 'staleTimeoutMs', 'connectTimeoutMs', 'resyncTimeoutMs', 'bookDepth'] as const) {
    if (!(r[k] > 0)) throw new RangeError(`${k} must be positive`);
  }
  if (r.channels.length === 0) throw new RangeError('channels must not be empty');
  return Object.freeze({ ...r, channels: Object.freeze([...r.channels]) });
}

export interface KalshiBookEvent {
  ticker: string;
  view: KalshiBookView;
  cause: 'snapshot' | 'delta';
  /** When the frame arrived, microseconds since the epoch. */
  receivedUs: number;
  venueTsMs: number | null;
}

export interface KalshiWsStats {
  connects: number;
  reconnects: number;
  handshakeFailures: number;
  messages: number;
  parseErrors: number;
  serverErrors: number;
  gaps: number;
  outOfOrder: number;
  resyncs: number;
  resubscribes: number;
  staleDisconnects: number;
  staleSidMessages: number;
  bookUpdates: number;
  pings: number;
}

export interface KalshiWsEvents {
  book: [KalshiBookEvent];
  book_invalid: [{ ticker: string; reason: string; receivedUs: number }];
  ticker: [KalshiWsTicker & { receivedUs: number }];
  /** From the lifecycle channel: the market is determined (YES pays `yesValue`). Sent once per lifecycle message. */
  settled: [{ ticker: string; yesValue: 0 | 1; receivedUs: number }];
  trade: [KalshiWsTrade & { receivedUs: number }];
  connected: [];
  disconnected: [{ code: number; reason: string }];
  /** Not 'error': an unhandled 'error' event would crash the process. */
  problem: [Error];
}

interface ChannelState {
  sid: number | null;
  /** Markets the server has on this subscription. */
  server: Set<string>;
  /** Id of the command in flight for this channel, if any. */
  inFlight: number | null;
}

type Pending =
  | { kind: 'subscribe'; channel: KalshiWsChannel; tickers: string[] }
  | { kind: 'add' | 'delete'; channel: KalshiWsChannel; tickers: string[] }
  | { kind: 'unsubscribe'; channel: KalshiWsChannel }
  | { kind: 'snapshot'; sid: number };

export class KalshiWsClient extends EventEmitter<KalshiWsEvents> {
  readonly options: Resolved;
  readonly #sync: KalshiBookSync;
  readonly #desired = new Set<string>();
  readonly #channels = new Map<KalshiWsChannel, ChannelState>();
  readonly #pending = new Map<number, Pending>();
  readonly #resyncTimers = new Map<number, NodeJS.Timeout>();
  readonly #stats: Omit<KalshiWsStats, 'reconnects' | 'gaps' | 'outOfOrder'> = {
    connects: 0,
    handshakeFailures: 0,
    messages: 0,
    parseErrors: 0,
    serverErrors: 0,
    resyncs: 0,
    resubscribes: 0,
    staleDisconnects: 0,
    staleSidMessages: 0,
    bookUpdates: 0,
    pings: 0,
  };
  readonly #link: ReconnectingWebSocket;
  #nextId = 1;
  #connectedOnce: Promise<void>;
  #markConnected!: () => void;

  constructor(options: KalshiWsClientOptions) {
    super();
    this.options = resolveOptions(options);
    this.#sync = new KalshiBookSync({ noLevelsInYesTerms: this.options.useYesPrice });
    for (const ch of this.options.channels) this.#channels.set(ch, { sid: null, server: new Set(), inFlight: null });
    this.#connectedOnce = new Promise((resolve) => (this.#markConnected = resolve));
    this.#link = this.#createLink();
  }

  stats(): KalshiWsStats {
    const sync = this.#sync.stats();
    return { ...this.#stats, reconnects: this.#link.reconnects, gaps: sync.gaps, outOfOrder: sync.outOfOrder };
  }

  get connected(): boolean {
    return this.#link.isOpen;
  }

  /** Markets currently wanted. */
  tickers(): string[] {
    return [...this.#desired];
  }

  /** The current book of a market (undefined if not subscribed). */
  book(ticker: string): KalshiBookView | undefined {
    return this.#sync.book(ticker)?.view(this.options.bookDepth);
  }

  /** The sid of a channel's live subscription (for diagnostics and tests). */
  sid(channel: KalshiWsChannel): number | null {
    return this.#channels.get(channel)?.sid ?? null;
  }

  /** Connects (and keeps reconnecting); resolves at the first successful open. */
  start(): Promise<void> {
    this.#link.start();
    return this.#connectedOnce;
  }

  setTickers(tickers: Iterable<string>): void {
    const next = new Set(tickers);
    for (const t of this.#desired) if (!next.has(t)) this.#sync.untrack(t);
    for (const t of next) this.#sync.track(t);
    this.#desired.clear();
    for (const t of next) this.#desired.add(t);
    this.#reconcileAll();
  }

  addTickers(tickers: Iterable<string>): void {
    this.setTickers([...this.#desired, ...tickers]);
  }

  removeTickers(tickers: Iterable<string>): void {
    const drop = new Set(tickers);
    this.setTickers([...this.#desired].filter((t) => !drop.has(t)));
  }

  async close(): Promise<void> {
    this.#stopResyncTimers();
    await this.#link.close();
  }

  // ---- connection ---------------------------------------------------------------------------

  #createLink(): ReconnectingWebSocket {
    const { url, signer } = this.options;
    const path = new URL(url).pathname;
    const link = new ReconnectingWebSocket({
      url,
      headers: () => (signer ? signer.headers('GET', path) : {}),
      connectTimeoutMs: this.options.connectTimeoutMs,
      staleAfterMs: this.options.staleTimeoutMs,
      // Equal jitter: never less than half the ceiling, so reconnects still back off.
      backoff: { baseMs: this.options.reconnectBaseMs, maxMs: this.options.reconnectMaxMs, jitter: 0.5 },
    });
    link.on('open', () => this.#onOpen());
    link.on('message', (text, isBinary, receivedUs) => this.#onFrame(text, isBinary, receivedUs));
    link.on('ping', () => this.#stats.pings++);
    link.on('handshakeRefused', (status) => {
      this.#stats.handshakeFailures++;
      this.emit('problem', new KalshiWsError(`handshake refused with HTTP ${status ?? '?'}`));
    });
    link.on('socketError', (err) => this.emit('problem', new KalshiWsError(`socket error: ${err.message}`)));
    link.on('stale', () => {
      this.#stats.staleDisconnects++;
      this.emit('problem', new KalshiWsError(`no frame or ping for ${this.options.staleTimeoutMs} ms; reconnecting`));
    });
    link.on('close', (code, reason) => this.#onClose(code, reason));
    return link;
  }

  #onOpen(): void {
    this.#stats.connects++;
    this.emit('connected');
    this.#markConnected();
    this.#reconcileAll();
  }

  #onClose(code: number, reason: string): void {
    this.#stopResyncTimers();
    this.#pending.clear();
    for (const state of this.#channels.values()) {
      state.sid = null;
      state.server.clear();
      state.inFlight = null;
    }
    const receivedUs = nowMicros();
    for (const ticker of this.#sync.invalidateAll('connection lost')) {
      this.emit('book_invalid', { ticker, reason: 'connection lost', receivedUs });
    }
    this.emit('disconnected', { code, reason });
  }

  #stopResyncTimers(): void {
    for (const t of this.#resyncTimers.values()) clearTimeout(t);
    this.#resyncTimers.clear();
  }

  #send(cmd: string, params: Record<string, unknown> | undefined, pending: Pending): number {
    const id = this.#nextId++;
    this.#pending.set(id, pending);
    this.#link.send(JSON.stringify(params ? { id, cmd, params } : { id, cmd }));
    return id;
  }

  // ---- subscriptions ------------------------------------------------------------------------

  #reconcileAll(): void {
    for (const ch of this.#channels.keys()) this.#reconcile(ch);
  }

  /** Moves the server's subscription of one channel one step towards the desired set. */
  #reconcile(channel: KalshiWsChannel): void {
    const state = this.#channels.get(channel);
    if (!this.#link.isOpen || !state || state.inFlight !== null) return;
    const desired = [...this.#desired];
    if (state.sid === null) {
      if (desired.length === 0) return;
      const params: Record<string, unknown> = { channels: [channel], market_tickers: desired };
      if (channel === 'orderbook_delta') params.use_yes_price = this.options.useYesPrice;
      if (channel === 'ticker') params.send_initial_snapshot = true;
      state.inFlight = this.#send('subscribe', params, { kind: 'subscribe', channel, tickers: desired });
      return;
    }
    if (desired.length === 0) {
      state.inFlight = this.#send('unsubscribe', { sids: [state.sid] }, { kind: 'unsubscribe', channel });
      return;
    }
    const add = desired.filter((t) => !state.server.has(t));
    const remove = [...state.server].filter((t) => !this.#desired.has(t));
    if (add.length > 0) {
      const params = { sids: [state.sid], market_tickers: add, action: 'add_markets' };
      state.inFlight = this.#send('update_subscription', params, { kind: 'add', channel, tickers: add });
    } else if (remove.length > 0) {
      const params = { sids: [state.sid], market_tickers: remove, action: 'delete_markets' };
      state.inFlight = this.#send('update_subscription', params, { kind: 'delete', channel, tickers: remove });
    }
  }

  #requestSnapshots(sid: number, tickers: string[]): void {
    if (!this.#link.isOpen || this.#resyncTimers.has(sid)) return;
    this.#stats.resyncs++;
    const wanted = tickers.filter((t) => this.#desired.has(t));
    this.#send('update_subscription', { sids: [sid], market_tickers: wanted, action: 'get_snapshot' }, { kind: 'snapshot', sid });
    this.#resyncTimers.set(
      sid,
      setTimeout(() => {
        this.#resyncTimers.delete(sid);
        const stillBad = wanted.some((t) => this.#sync.book(t)?.isValid === false);
        if (stillBad) this.#resubscribeBooks();
      }, this.options.resyncTimeoutMs),
    );
  }

  /** Fallback after a failed resync: drop the orderbook subscription and take a new one. */
  #resubscribeBooks(): void {
    const state = this.#channels.get('orderbook_delta');
    if (!this.#link.isOpen || !state || state.sid === null) return;
    this.#stats.resubscribes++;
    const old = state.sid;
    this.#sync.endSubscription(old);
    // Messages still in flight on the old sid are ignored from now on (see #onBookMessage).
    state.sid = null;
    state.server.clear();
    state.inFlight = null;
    this.#send('unsubscribe', { sids: [old] }, { kind: 'unsubscribe', channel: 'orderbook_delta' });
    this.#reconcile('orderbook_delta');
  }

  // ---- inbound ------------------------------------------------------------------------------

  #onFrame(text: string, isBinary: boolean, receivedUs: number): void {
    this.#stats.messages++;
    let msg: KalshiWsMessage;
    try {
      if (isBinary) throw new KalshiParseError('ws frame', 'type', 'binary frame');
      msg = parseWsFrame(text);
    } catch (err) {
      this.#stats.parseErrors++;
      this.emit('problem', err instanceof Error ? err : new KalshiWsError(String(err)));
      return;
    }
    try {
      this.#dispatch(msg, receivedUs);
    } catch (err) {
      // A listener threw: count it as our problem, never let it kill the socket handler.
      this.emit('problem', err instanceof Error ? err : new KalshiWsError(String(err)));
    }
  }

  #dispatch(msg: KalshiWsMessage, receivedUs: number): void {
    switch (msg.type) {
      case 'orderbook_snapshot':
      case 'orderbook_delta':
        this.#onBookMessage(msg, receivedUs);
        return;
      case 'ticker':
        if (this.#desired.has(msg.ticker)) this.emit('ticker', { ...msg, receivedUs });
        return;
      case 'trade':
        this.emit('trade', { ...msg, receivedUs });
        return;
      case 'market_lifecycle':
        if (this.#desired.has(msg.ticker) && (msg.eventType === 'determined' || msg.eventType === 'settled') && msg.result !== null) {
          this.emit('settled', { ticker: msg.ticker, yesValue: msg.result === 'yes' ? 1 : 0, receivedUs });
        }
        return;
      case 'subscribed':
        this.#onSubscribed(msg.id, msg.channel, msg.sid);
        return;
      case 'ok':
        this.#onOk(msg.id, msg.marketTickers);
        return;
      case 'unsubscribed':
        this.#onUnsubscribed(msg.id);
        return;
      case 'error':
        this.#onServerError(msg.id, msg.code, msg.message);
        return;
      default:
        return;
    }
  }

  #onBookMessage(msg: Extract<KalshiWsMessage, { type: 'orderbook_snapshot' | 'orderbook_delta' }>, receivedUs: number): void {
    if (msg.sid !== this.#channels.get('orderbook_delta')?.sid) {
      this.#stats.staleSidMessages++;
      return;
    }
    const result: KalshiSyncResult = msg.type === 'orderbook_snapshot' ? this.#sync.onSnapshot(msg) : this.#sync.onDelta(msg);
    for (const ticker of result.invalidated) {
      this.emit('book_invalid', { ticker, reason: result.resync?.reason ?? 'invalid', receivedUs });
    }
    if (result.resync) this.#requestSnapshots(result.resync.sid, result.resync.tickers);
    const cause = msg.type === 'orderbook_snapshot' ? 'snapshot' : 'delta';
    const venueTsMs = msg.type === 'orderbook_delta' ? msg.tsMs : null;
    for (const ticker of result.changed) {
      const view = this.#sync.book(ticker)?.view(this.options.bookDepth);
      if (!view) continue;
      this.#stats.bookUpdates++;
      this.emit('book', { ticker, view, cause, receivedUs, venueTsMs });
    }
    if (msg.type === 'orderbook_snapshot') this.#clearResyncIfHealthy(msg.sid);
  }

  #clearResyncIfHealthy(sid: number): void {
    const timer = this.#resyncTimers.get(sid);
    if (!timer) return;
    const allValid = [...this.#desired].every((t) => this.#sync.book(t)?.isValid !== false);
    if (allValid) {
      clearTimeout(timer);
      this.#resyncTimers.delete(sid);
    }
  }

  #takePending(id: number | null): Pending | undefined {
    if (id === null) return undefined;
    const p = this.#pending.get(id);
    this.#pending.delete(id);
    return p;
  }

  #release(channel: KalshiWsChannel, id: number | null): void {
    const state = this.#channels.get(channel);
    if (state && state.inFlight === id) state.inFlight = null;
  }

  #onSubscribed(id: number | null, channel: string, sid: number): void {
    const pending = this.#takePending(id);
    if (!pending || pending.kind !== 'subscribe' || pending.channel !== channel) return;
    const state = this.#channels.get(pending.channel);
    if (!state) return;
    this.#link.resetBackoff(); // the connection is doing real work: the next drop starts backoff afresh
    state.sid = sid;
    state.server = new Set(pending.tickers);
    if (pending.channel === 'orderbook_delta') this.#sync.beginSubscription(sid, pending.tickers);
    this.#release(pending.channel, id);
    this.#reconcile(pending.channel);
  }

  #onOk(id: number | null, marketTickers: string[] | null): void {
    const pending = this.#takePending(id);
    if (!pending || (pending.kind !== 'add' && pending.kind !== 'delete')) return;
    const state = this.#channels.get(pending.channel);
    if (!state) return;
    if (marketTickers) state.server = new Set(marketTickers);
    else for (const t of pending.tickers) pending.kind === 'add' ? state.server.add(t) : state.server.delete(t);
    if (pending.channel === 'orderbook_delta' && state.sid !== null && pending.kind === 'add') {
      this.#sync.bindTickers(state.sid, pending.tickers);
    }
    this.#release(pending.channel, id);
    this.#reconcile(pending.channel);
  }

  #onUnsubscribed(id: number | null): void {
    const pending = this.#takePending(id);
    if (!pending || pending.kind !== 'unsubscribe') return;
    const state = this.#channels.get(pending.channel);
    if (!state || state.inFlight !== id) return; // a resubscribe already moved on
    if (state.sid !== null && pending.channel === 'orderbook_delta') this.#sync.endSubscription(state.sid);
    state.sid = null;
    state.server.clear();
    this.#release(pending.channel, id);
    this.#reconcile(pending.channel);
  }

  #onServerError(id: number | null, code: number, message: string): void {
    this.#stats.serverErrors++;
    this.emit('problem', new KalshiWsError(`server error ${code}: ${message}`, code));
    const pending = this.#takePending(id);
    if (!pending) return;
    if (pending.kind === 'snapshot') {
      const timer = this.#resyncTimers.get(pending.sid);
      if (timer) clearTimeout(timer);
      this.#resyncTimers.delete(pending.sid);
      this.#resubscribeBooks();
      return;
    }
    this.#release(pending.channel, id);
    // Try again later rather than hammering the server with the same refused command.
    setTimeout(() => this.#reconcile(pending.channel), 1_000).unref();
  }
}
