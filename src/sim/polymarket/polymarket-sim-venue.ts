/**
 * A Polymarket-compatible venue on localhost: a Gamma server (events and markets for the
 * simulated games), a CLOB server (books, prices, L2-authenticated orders matched against maker
 * quotes with partial fills and the sports taker fee) and the market WebSocket on the CLOB
 * server's `/ws/market`. The real clients in src/venues/polymarket talk to it unchanged. Market
 * makers drive it through setMakerQuotes; the world's finals drive settle/settleGame.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { POLYGON_CHAIN_ID, SPORTS_TAKER_FEE_BP, type PolyApiCredentials, type TickSize } from '../../venues/polymarket/common.js';
import type { QuoteLadder, SimGameView, SimWorld } from '../world.js';
import { SimCatalog, type SimPolyToken } from './sim-catalog.js';
import { SimClobRoutes } from './sim-clob-routes.js';
import { SimExchange, type LevelChange, type SimTrade } from './sim-exchange.js';
import { handleGamma } from './sim-gamma-routes.js';
import { HttpFailure, sendJson } from './sim-http.js';
import { SimLedger, type RegisterApiKeyParams } from './sim-ledger.js';
import { SimMarketWs } from './sim-market-ws.js';
import type { SimTokenBook } from './sim-token-book.js';
import { priceString, unitsString, wsBook } from './sim-wire.js';

export interface PolymarketSimVenueOptions {
  host?: string;
  gammaPort?: number;
  clobPort?: number;
  /** Token and condition ids derive from it: same seed, same ids. */
  seed?: string;
  tickSize?: TickSize;
  minOrderSize?: number;
  takerFeeBp?: number;
  /** Take a BUY's taker fee out of the shares credited (net shares in the reply) instead of in collateral on top. */
  buyFeeInShares?: boolean;
  maxAssetsPerConnection?: number;
  authWindowS?: number;
  /** Serve Gamma's keyset endpoints (off: clients must fall back to offset listing). */
  gammaKeyset?: boolean;
  /** pUSD granted to a key created through L1 `POST /auth/api-key`. */
  l1StartingUsd?: number;
  chainId?: number;
}

const DEFAULTS: Required<PolymarketSimVenueOptions> = {
  host: '127.0.0.1',
  gammaPort: 0,
  clobPort: 0,
  seed: 'arbees-sim',
  tickSize: '0.01',
  minOrderSize: 5,
  takerFeeBp: SPORTS_TAKER_FEE_BP,
  buyFeeInShares: false,
  maxAssetsPerConnection: 500,
  authWindowS: 30,
  gammaKeyset: true,
  l1StartingUsd: 1_000,
  chainId: POLYGON_CHAIN_ID,
};

export interface SimMarketListing {
  conditionId: string;
  marketId: string;
  slug: string;
  question: string;
  tokens: SimPolyToken[];
}

/** What listGame returns: the game-winner market (for a three-way sport, the home-win one) and all markets. */
export interface SimGameListing {
  eventId: string;
  eventSlug: string;
  conditionId: string;
  tokens: SimPolyToken[];
  markets: SimMarketListing[];
}

export interface SimAccountView {
  collateralUsd: number;
  feesPaidUsd: number;
  /** token id -> shares */
  shares: Record<string, number>;
}

export interface PolymarketSimUrls {
  gammaUrl: string;
  clobUrl: string;
  wsUrl: string;
}

export type PolymarketSimEvents = {
  trade: [trade: SimTrade];
};

export class PolymarketSimVenue extends EventEmitter<PolymarketSimEvents> {
  readonly options: Readonly<Required<PolymarketSimVenueOptions>>;
  private readonly catalog: SimCatalog;
  private readonly ledger = new SimLedger();
  private readonly exchange: SimExchange;
  private readonly ws: SimMarketWs;
  private readonly clob: SimClobRoutes;
  private gammaServer: Server | null = null;
  private clobServer: Server | null = null;
  private serverErrors = 0;

  constructor(options: PolymarketSimVenueOptions = {}) {
    super();
    this.options = Object.freeze({ ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) });
    const o = this.options;
    this.catalog = new SimCatalog({ seed: o.seed, tickSize: o.tickSize, minOrderSize: o.minOrderSize });
    this.exchange = new SimExchange(this.catalog, this.ledger, { takerFeeBp: o.takerFeeBp, buyFeeInShares: o.buyFeeInShares });
    this.ws = new SimMarketWs({ maxAssetsPerConnection: o.maxAssetsPerConnection }, (ids) => this.snapshots(ids));
    this.clob = new SimClobRoutes({
      catalog: this.catalog,
      exchange: this.exchange,
      ledger: this.ledger,
      takerFeeBp: o.takerFeeBp,
      authWindowS: o.authWindowS,
      chainId: o.chainId,
      l1StartingUsd: o.l1StartingUsd,
    });
    this.wireExchangeEvents();
  }

  async start(): Promise<PolymarketSimUrls> {
    if (this.gammaServer) throw new Error('the Polymarket simulator is already started');
    const { host } = this.options;
    this.gammaServer = createServer((req, res) => this.serve(req, res, (url) => handleGamma(this.gammaDeps(), req, res, url)));
    this.clobServer = createServer((req, res) => this.serve(req, res, (url) => this.clob.handle(req, res, url)));
    this.clobServer.on('upgrade', (req, socket, head) => {
      if (new URL(req.url ?? '/', 'http://x').pathname === '/ws/market') this.ws.handleUpgrade(req, socket, head);
      else socket.destroy();
    });
    const gammaPort = await listen(this.gammaServer, host, this.options.gammaPort);
    const clobPort = await listen(this.clobServer, host, this.options.clobPort);
    return {
      gammaUrl: `http://${host}:${gammaPort}`,
      clobUrl: `http://${host}:${clobPort}`,
      wsUrl: `ws://${host}:${clobPort}/ws/market`,
    };
  }

  async close(): Promise<void> {
    await this.ws.close();
    await Promise.all([this.gammaServer, this.clobServer].map((s) => (s ? closeServer(s) : undefined)));
    this.gammaServer = null;
    this.clobServer = null;
  }

  listGame(game: SimGameView): SimGameListing {
    const ev = this.catalog.list(game);
    for (const m of ev.markets) for (const t of m.tokens) this.exchange.book(t.tokenId);
    const first = ev.markets[0]!;
    return {
      eventId: ev.id,
      eventSlug: ev.slug,
      conditionId: first.conditionId,
      tokens: first.tokens.map((t) => ({ ...t })),
      markets: ev.markets.map((m) => ({ conditionId: m.conditionId, marketId: m.id, slug: m.slug, question: m.question, tokens: m.tokens.map((t) => ({ ...t })) })),
    };
  }

  /**
   * Lists every game of the world, keeps their Gamma state current and settles each at its
   * final. Returns a function that stops following.
   */
  followWorld(world: SimWorld): () => void {
    for (const g of world.games()) this.listGame(g);
    const onUpdate = (g: SimGameView) => {
      if (this.catalog.eventOfGame(g.id)) this.updateGame(g);
      else this.listGame(g);
    };
    const onFinal = (g: SimGameView) => {
      this.listGame(g);
      if (g.winner) this.settleGame(g.id, g.winner);
    };
    world.on('update', onUpdate);
    world.on('final', onFinal);
    return () => {
      world.off('update', onUpdate);
      world.off('final', onFinal);
    };
  }

  /** Refreshes a listed game's score and status (what Gamma's event shows). */
  updateGame(game: SimGameView): void {
    this.catalog.update(game);
  }

  /** The maker's quotes for one token, in that token's own YES-side prices. */
  setMakerQuotes(tokenId: string, ladder: QuoteLadder): void {
    this.exchange.setMakerQuotes(tokenId, ladder);
  }

  setTickSize(tokenId: string, tick: TickSize): void {
    this.exchange.setTickSize(tokenId, tick);
  }

  /** `winningTokenId` null resolves the market 50-50. */
  settle(conditionId: string, winningTokenId: string | null): void {
    this.exchange.settle(conditionId, winningTokenId);
  }

  /** Settles every market of a listed game from its result. */
  settleGame(gameId: string, winner: 'home' | 'away' | 'draw'): void {
    const ev = this.catalog.eventOfGame(gameId);
    if (!ev) throw new Error(`game ${gameId} is not listed`);
    for (const m of ev.markets) {
      // Two-way markets have no draw token: a level game resolves them 50-50.
      const winning = m.tokens.find((t) => (t.result === winner) === t.paysOnResult);
      this.exchange.settle(m.conditionId, winning ? winning.tokenId : null);
    }
  }

  registerApiKey(params: RegisterApiKeyParams): PolyApiCredentials {
    return this.ledger.register(params).credentials;
  }

  account(apiKey: string): SimAccountView | undefined {
    const a = this.ledger.get(apiKey);
    if (!a) return undefined;
    return {
      collateralUsd: Number(unitsString(a.collateral)),
      feesPaidUsd: Number(unitsString(a.feesPaid)),
      shares: Object.fromEntries([...a.shares].map(([t, s]) => [t, Number(unitsString(s))])),
    };
  }

  /** Every account, oldest first (tests: the wallet an executor registered itself through L1). */
  accounts(): SimAccountView[] {
    return this.ledger.all().map((a) => this.account(a.apiKey)!);
  }

  /** Asset ids per open WebSocket connection. */
  wsLayout(): string[][] {
    return this.ws.layout();
  }

  /** Drops every WebSocket connection abruptly. */
  dropWsConnections(): void {
    this.ws.dropAll();
  }

  stats() {
    return { ...this.ws.stats(), ...this.clob.counters, serverErrors: this.serverErrors };
  }

  private gammaDeps() {
    return { catalog: this.catalog, bookOf: (id: string) => this.exchange.book(id), keyset: this.options.gammaKeyset };
  }

  private async serve(req: IncomingMessage, res: ServerResponse, handle: (url: URL) => void | Promise<void>): Promise<void> {
    try {
      await handle(new URL(req.url ?? '/', 'http://localhost'));
    } catch (err) {
      if (res.headersSent) return void res.end();
      if (err instanceof HttpFailure) return sendJson(res, err.status, { error: err.message });
      this.serverErrors++;
      sendJson(res, 500, { error: 'internal error' });
    }
  }

  private snapshots(ids: readonly string[]): object[] {
    const now = Date.now();
    const out: object[] = [];
    for (const id of ids) {
      const market = this.catalog.marketOfToken(id);
      const book = this.exchange.book(id);
      if (market && book) out.push(wsBook(book, market, now));
    }
    return out;
  }

  private wireExchangeEvents(): void {
    this.exchange.on('levels', (conditionId, changes) => this.publishLevels(conditionId, changes));
    this.exchange.on('book', (tokenId) => {
      const [snap] = this.snapshots([tokenId]);
      if (snap) this.ws.publish(tokenId, snap);
    });
    this.exchange.on('trade', (t) => {
      const book = this.exchange.book(t.tokenId) as SimTokenBook;
      this.ws.publish(t.tokenId, {
        event_type: 'last_trade_price',
        asset_id: t.tokenId,
        market: t.conditionId,
        price: priceString(t.p4, book.tickSize),
        side: t.takerSide,
        size: unitsString(t.qty),
        fee_rate_bps: String(t.takerApiKey ? this.options.takerFeeBp : 0),
        timestamp: String(Date.now()),
      });
      this.emit('trade', t);
    });
    this.exchange.on('tickSize', (tokenId, conditionId, oldTick, newTick) => {
      this.ws.publish(tokenId, {
        event_type: 'tick_size_change',
        asset_id: tokenId,
        market: conditionId,
        old_tick_size: oldTick,
        new_tick_size: newTick,
        timestamp: String(Date.now()),
      });
    });
    this.exchange.on('resolved', (market, winningTokenId) => {
      const winner = market.tokens.find((t) => t.tokenId === winningTokenId);
      // market_resolved names a winning asset; a 50-50 resolution shows on Gamma only.
      if (!winner) return;
      const ev = this.catalog.eventOfMarket(market);
      this.ws.publishCustom(
        market.tokens.map((t) => t.tokenId),
        {
          event_type: 'market_resolved',
          id: market.id,
          question: market.question,
          market: market.conditionId,
          slug: market.slug,
          description: '',
          assets_ids: market.tokens.map((t) => t.tokenId),
          outcomes: market.tokens.map((t) => t.outcome),
          winning_asset_id: winner.tokenId,
          winning_outcome: winner.outcome,
          event_message: { id: ev.id, ticker: ev.slug, slug: ev.slug, title: ev.title, description: '' },
          timestamp: String(Date.now()),
        },
      );
    });
  }

  private publishLevels(conditionId: string, changes: LevelChange[]): void {
    const message = {
      event_type: 'price_change',
      market: conditionId,
      timestamp: String(Date.now()),
      price_changes: changes.map((c) => {
        const book = this.exchange.book(c.tokenId) as SimTokenBook;
        const bid = book.bestBidP4();
        const ask = book.bestAskP4();
        return {
          asset_id: c.tokenId,
          price: priceString(c.p4, book.tickSize),
          size: unitsString(c.size),
          side: c.side,
          hash: `${c.tokenId.slice(0, 8)}${c.p4}${c.size}`,
          best_bid: bid === null ? '0' : priceString(bid, book.tickSize),
          best_ask: ask === null ? '1' : priceString(ask, book.tickSize),
        };
      }),
    };
    this.ws.publishFiltered(message, 'price_changes', (e) => (e as { asset_id: string }).asset_id);
  }
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

