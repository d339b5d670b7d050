/**
 * Polymarket market-channel client (Polymarket's API documentation). Keeps one order book per token id for
 * a changing set of tokens, spread over as many connections as the per-connection cap needs.
 * `book` replaces a token's book, `price_change` sets level sizes (possibly for several tokens
 * in one message), `last_trade_price` and `tick_size_change` update the book's metadata. Each
 * connection reconnects on its own and subscribes again; its books are marked stale meanwhile
 * and come back with the fresh snapshot. Which team a token pays on is not known here.
 */
import { EventEmitter } from 'node:events';
import { POLYMARKET_HOSTS } from './common.js';
import { PolymarketParseError } from './errors.js';
import { stripUndefined } from './json-http.js';
import { PolyOrderBook } from './order-book.js';
import { parseWsFrame, type PolyWsMessage, type WsLastTrade, type WsMarketResolved, type WsTickSizeChange } from './parse.js';
import { MarketConnection, type MarketConnectionOptions } from './ws-connection.js';

export interface MarketStreamOptions extends Partial<Omit<MarketConnectionOptions, 'url'>> {
  url?: string;
  /**
   * Assets per connection. Polymarket does not publish its cap; third-party clients keep to a
   * few hundred, so the default stays well under that.
   */
  maxAssetsPerConnection?: number;
}

const DEFAULTS = {
  url: POLYMARKET_HOSTS.marketWs as string,
  maxAssetsPerConnection: 200,
  pingIntervalMs: 10_000,
  staleAfterMs: 30_000,
  connectTimeoutMs: 10_000,
  reconnectBaseMs: 500,
  reconnectMaxMs: 30_000,
  reconnectJitter: 0.2,
  customFeatureEnabled: false,
};

export type ResolvedMarketStreamOptions = Readonly<typeof DEFAULTS>;

export interface MarketStreamStats {
  frames: number;
  messages: number;
  books: number;
  priceChanges: number;
  trades: number;
  tickSizeChanges: number;
  unknownTickSizes: number;
  otherMessages: number;
  pongs: number;
  textFrames: number;
  parseErrors: number;
  /** Messages for tokens we are not subscribed to (e.g. after an unsubscribe raced a frame). */
  unknownAssets: number;
  /** price_change for a token whose book has no snapshot yet: ignored. */
  updatesWithoutSnapshot: number;
  /** Our best bid/ask disagreed with the venue's after a price_change. */
  bookMismatches: number;
  reconnects: number;
  connections: number;
  openConnections: number;
  assets: number;
}

export interface TradeEvent extends WsLastTrade {
  receivedUs: number;
}

export type MarketStreamEvents = {
  /** A token's book changed (snapshot or level update), with the receive time in µs. */
  book: [book: PolyOrderBook, receivedUs: number];
  trade: [trade: TradeEvent];
  tickSize: [change: WsTickSizeChange];
  /** The token cannot be traded (its book is kept, but not trusted): the reason. */
  refused: [tokenId: string, reason: string];
  resolved: [resolved: WsMarketResolved];
  /** A connection went down: these tokens' books are stale until their next snapshot. */
  stale: [tokenIds: string[]];
  /** Bad input that was counted and skipped (never thrown). */
  problem: [err: PolymarketParseError];
  connected: [connectionId: number];
  disconnected: [connectionId: number, code: number, reason: string];
};

type Counter = Exclude<keyof MarketStreamStats, 'reconnects' | 'connections' | 'openConnections' | 'assets'>;

export class PolymarketMarketStream extends EventEmitter<MarketStreamEvents> {
  readonly options: ResolvedMarketStreamOptions;
  private readonly connections = new Map<number, MarketConnection>();
  private readonly ownerOf = new Map<string, MarketConnection>();
  private readonly books = new Map<string, PolyOrderBook>();
  private readonly counters: Record<Counter, number> = {
    frames: 0,
    messages: 0,
    books: 0,
    priceChanges: 0,
    trades: 0,
    tickSizeChanges: 0,
    unknownTickSizes: 0,
    otherMessages: 0,
    pongs: 0,
    textFrames: 0,
    parseErrors: 0,
    unknownAssets: 0,
    updatesWithoutSnapshot: 0,
    bookMismatches: 0,
  };
  private nextConnectionId = 1;
  private closed = false;

  constructor(options: MarketStreamOptions = {}) {
    super();
    const o = { ...DEFAULTS, ...stripUndefined(options) };
    if (!Number.isInteger(o.maxAssetsPerConnection) || o.maxAssetsPerConnection < 1) throw new RangeError('maxAssetsPerConnection must be a positive integer');
    if (!(o.pingIntervalMs > 0 && o.staleAfterMs > o.pingIntervalMs)) throw new RangeError('need 0 < pingIntervalMs < staleAfterMs');
    if (!(o.reconnectBaseMs > 0 && o.reconnectMaxMs >= o.reconnectBaseMs)) throw new RangeError('need 0 < reconnectBaseMs <= reconnectMaxMs');
    if (!(o.reconnectJitter >= 0 && o.reconnectJitter < 1)) throw new RangeError('reconnectJitter must be in [0, 1)');
    this.options = Object.freeze(o);
  }

  /** Makes the subscribed set exactly `tokenIds`: subscribes the new ones, unsubscribes the rest. */
  setAssets(tokenIds: Iterable<string>): void {
    const wanted = new Set(tokenIds);
    this.removeAssets([...this.ownerOf.keys()].filter((id) => !wanted.has(id)));
    this.addAssets(wanted);
  }

  addAssets(tokenIds: Iterable<string>): void {
    if (this.closed) throw new Error('the market stream is closed');
    const fresh = [...new Set(tokenIds)].filter((id) => !this.ownerOf.has(id));
    let i = 0;
    for (const conn of this.connections.values()) {
      const room = this.options.maxAssetsPerConnection - conn.assets.size;
      if (room > 0 && i < fresh.length) i += this.assign(conn, fresh.slice(i, i + room));
    }
    while (i < fresh.length) {
      const conn = this.newConnection();
      i += this.assign(conn, fresh.slice(i, i + this.options.maxAssetsPerConnection));
      conn.start();
    }
  }

  removeAssets(tokenIds: Iterable<string>): void {
    const byConn = new Map<MarketConnection, string[]>();
    for (const id of tokenIds) {
      const conn = this.ownerOf.get(id);
      if (!conn) continue;
      this.ownerOf.delete(id);
      this.books.delete(id);
      byConn.set(conn, [...(byConn.get(conn) ?? []), id]);
    }
    for (const [conn, ids] of byConn) {
      conn.remove(ids);
      if (conn.assets.size === 0) {
        this.connections.delete(conn.id);
        void conn.close();
      }
    }
  }

  assets(): string[] {
    return [...this.ownerOf.keys()];
  }

  book(tokenId: string): PolyOrderBook | undefined {
    return this.books.get(tokenId);
  }

  /** Token ids per connection, for diagnostics and tests. */
  layout(): string[][] {
    return [...this.connections.values()].map((c) => [...c.assets]);
  }

  /** The one counter a caller checks per book update, without building the whole stats object. */
  get bookMismatches(): number {
    return this.counters.bookMismatches;
  }

  stats(): MarketStreamStats {
    const conns = [...this.connections.values()];
    return {
      ...this.counters,
      reconnects: conns.reduce((n, c) => n + c.reconnects, 0),
      connections: conns.length,
      openConnections: conns.filter((c) => c.isOpen).length,
      assets: this.ownerOf.size,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const conns = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(conns.map((c) => c.close()));
  }

  /** Drops every connection as if the network failed (they reconnect by themselves). */
  restartConnections(): void {
    for (const c of this.connections.values()) c.restart();
  }

  private assign(conn: MarketConnection, ids: string[]): number {
    for (const id of ids) {
      this.ownerOf.set(id, conn);
      this.books.set(id, new PolyOrderBook(id));
    }
    conn.add(ids);
    return ids.length;
  }

  private newConnection(): MarketConnection {
    const { maxAssetsPerConnection: _cap, ...connOpts } = this.options;
    const conn = new MarketConnection(this.nextConnectionId++, connOpts, {
      onFrame: (text, receivedUs) => this.onFrame(text, receivedUs),
      onOpen: (c) => this.emit('connected', c.id),
      onDown: (c, code, reason) => this.onDown(c, code, reason),
    });
    this.connections.set(conn.id, conn);
    return conn;
  }

  private onDown(conn: MarketConnection, code: number, reason: string): void {
    const stale: string[] = [];
    for (const id of conn.assets) {
      const book = this.books.get(id);
      if (book?.synced) {
        book.markStale();
        stale.push(id);
      }
    }
    if (stale.length > 0) this.emit('stale', stale);
    this.emit('disconnected', conn.id, code, reason);
  }

  private onFrame(text: string, receivedUs: number): void {
    this.counters.frames++;
    let frame;
    try {
      frame = parseWsFrame(text);
    } catch (err) {
      this.problem(err);
      return;
    }
    if (frame.kind === 'pong') {
      this.counters.pongs++;
      return;
    }
    if (frame.kind === 'text') {
      this.counters.textFrames++;
      return;
    }
    for (const err of frame.errors) this.problem(err);
    for (const msg of frame.messages) this.apply(msg, receivedUs);
  }

  private problem(err: unknown): void {
    this.counters.parseErrors++;
    const e = err instanceof PolymarketParseError ? err : new PolymarketParseError('', String(err));
    if (this.listenerCount('problem') > 0) this.emit('problem', e);
  }

  private apply(msg: PolyWsMessage, receivedUs: number): void {
    this.counters.messages++;
    switch (msg.type) {
      case 'book': {
        this.counters.books++;
        const book = this.known(msg.assetId);
        if (!book) return;
        book.market = msg.market;
        book.hash = msg.hash;
        book.applySnapshot(msg.bids, msg.asks, msg.timestampMs, receivedUs);
        this.emit('book', book, receivedUs);
        return;
      }
      case 'price_change':
        this.counters.priceChanges++;
        this.applyPriceChanges(msg.changes, msg.timestampMs, receivedUs);
        return;
      case 'last_trade_price': {
        this.counters.trades++;
        const book = this.known(msg.assetId);
        if (!book) return;
        book.lastTradePrice = msg.price;
        this.emit('trade', { ...msg, receivedUs });
        return;
      }
      case 'tick_size_change': {
        this.counters.tickSizeChanges++;
        const book = this.known(msg.assetId);
        if (!book) return;
        book.tickSize = msg.newTickSize;
        book.refused = null;
        this.emit('tickSize', msg);
        return;
      }
      case 'tick_size_unknown': {
        this.counters.tickSizeChanges++;
        this.counters.unknownTickSizes++;
        const book = this.known(msg.assetId);
        if (!book) return;
        book.tickSize = null;
        book.refused = `unknown tick size ${msg.newTickText}: the token is refused until the venue announces a known one`;
        this.emit('refused', book.tokenId, book.refused);
        return;
      }
      case 'market_resolved':
        this.emit('resolved', msg);
        return;
      default:
        this.counters.otherMessages++;
    }
  }

  private applyPriceChanges(changes: Extract<PolyWsMessage, { type: 'price_change' }>['changes'], tsMs: number, receivedUs: number): void {
    const touched = new Map<string, { book: PolyOrderBook; bestBid: number | null; bestAsk: number | null }>();
    for (const c of changes) {
      const book = this.known(c.assetId);
      if (!book) continue;
      if (!book.synced) {
        this.counters.updatesWithoutSnapshot++;
        continue;
      }
      book.applyLevel(c.side, c.price, c.size, tsMs, receivedUs);
      if (c.hash) book.hash = c.hash;
      touched.set(c.assetId, { book, bestBid: c.bestBid, bestAsk: c.bestAsk });
    }
    for (const { book, bestBid, bestAsk } of touched.values()) {
      this.checkTop(book, bestBid, bestAsk);
      this.emit('book', book, receivedUs);
    }
  }

  /** The venue states its best bid/ask after each change: a disagreement means we missed something. */
  private checkTop(book: PolyOrderBook, bestBid: number | null, bestAsk: number | null): void {
    const top = book.top();
    // An empty side may be stated as "0" (bids) or "1" (asks).
    const bidDiffers = bestBid !== null && Math.abs((top.bestBid?.price ?? 0) - bestBid) > 1e-9;
    const askDiffers = bestAsk !== null && Math.abs((top.bestAsk?.price ?? 1) - bestAsk) > 1e-9;
    if (bidDiffers || askDiffers) this.counters.bookMismatches++;
  }

  private known(tokenId: string): PolyOrderBook | undefined {
    const book = this.books.get(tokenId);
    if (!book) this.counters.unknownAssets++;
    return book;
  }
}
