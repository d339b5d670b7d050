/**
 * The simulated CLOB REST API: public reads (`/book`, `/books`, `/price`, `/midpoint`,
 * `/tick-size`, `/time`, `/version`), L1 key creation (`POST /auth/api-key`), and the L2 trading
 * calls (`POST /order`, `DELETE /order`, `DELETE /orders`, `DELETE /cancel-all`, `GET /data/order/{id}`,
 * `GET /data/trades`), each checked
 * the way the venue does: HMAC over timestamp + method + path + exact body with the key's
 * secret, passphrase and address matching the key, timestamp fresh.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { recoverTypedDataAddress, type Hex } from 'viem';
import { clobAuthTypedData, l2Signature, l2SignatureMatches } from '../../venues/polymarket/auth.js';
import { PolymarketParseError } from '../../venues/polymarket/errors.js';
import { signedOrderFromJson } from '../../venues/polymarket/order-signing.js';
import type { PolyOrderType } from '../../venues/polymarket/common.js';
import type { SimCatalog } from './sim-catalog.js';
import { SimOrderRejection, type SimExchange, type SimTrade } from './sim-exchange.js';
import { HttpFailure, parseJsonBody, readBody, sendJson } from './sim-http.js';
import type { SimAccount, SimLedger } from './sim-ledger.js';
import { P4 } from './sim-token-book.js';
import { bookSummary, priceString, unitsString } from './sim-wire.js';

export interface ClobRouteDeps {
  catalog: SimCatalog;
  exchange: SimExchange;
  ledger: SimLedger;
  /** Largest accepted distance between POLY_TIMESTAMP and the server clock. */
  authWindowS: number;
  chainId: number;
  /** The taker fee the exchange charges, published as the market's `fd.r`. */
  takerFeeBp: number;
  /** Collateral granted to keys created through L1 (dollars). */
  l1StartingUsd: number;
}

export interface ClobRouteStats {
  authFailures: number;
  ordersAccepted: number;
  ordersRejected: number;
}

const ORDER_TYPES: readonly PolyOrderType[] = ['GTC', 'GTD', 'FOK', 'FAK'];
const TRADES_PAGE = 100;
/** The venue's "no more pages" cursor (base64 of -1). */
const END_CURSOR = 'LTE=';

export class SimClobRoutes {
  readonly counters: ClobRouteStats = { authFailures: 0, ordersAccepted: 0, ordersRejected: 0 };

  constructor(private readonly deps: ClobRouteDeps) {}

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const route = `${req.method} ${url.pathname.replace(/\/+$/, '')}`;
    const q = url.searchParams;
    if (req.method === 'GET' && url.pathname.startsWith('/data/order/')) return this.lookupOrder(req, res, url);
    if (req.method === 'GET' && url.pathname === '/data/trades') return this.listTrades(req, res, url);
    if (req.method === 'GET' && url.pathname.startsWith('/clob-markets/')) return this.clobMarket(res, url.pathname.slice('/clob-markets/'.length));
    switch (route) {
      case 'GET /book':
        return sendJson(res, 200, this.summary(this.tokenParam(q)));
      case 'POST /books':
        return sendJson(res, 200, this.books(parseJsonBody(await readBody(req))));
      case 'GET /price':
        return this.price(res, this.tokenParam(q), q.get('side'));
      case 'GET /midpoint':
        return this.midpoint(res, this.tokenParam(q));
      case 'GET /tick-size':
        return sendJson(res, 200, { minimum_tick_size: Number(this.bookOrFail(this.tokenParam(q)).tickSize) });
      case 'GET /time':
        return sendJson(res, 200, Math.floor(Date.now() / 1000));
      case 'GET /version':
        return sendJson(res, 200, { version: 2 });
      case 'POST /auth/api-key':
        return this.createApiKey(req, res);
      case 'POST /order':
        return this.postOrder(req, res, url);
      case 'DELETE /order':
        return this.cancel(req, res, url, (body) => [stringField(body, 'orderID')]);
      case 'DELETE /orders':
        return this.cancel(req, res, url, (body) => stringList(body));
      case 'DELETE /cancel-all':
        return this.cancel(req, res, url, null);
      default:
        return sendJson(res, 404, { error: 'not found' });
    }
  }

  private tokenParam(q: URLSearchParams): string {
    const id = q.get('token_id');
    if (!id || !/^\d{1,80}$/.test(id)) throw new HttpFailure(400, 'Invalid token id');
    return id;
  }

  private bookOrFail(tokenId: string) {
    const book = this.deps.exchange.book(tokenId);
    if (!book) throw new HttpFailure(404, 'No orderbook exists for the requested token id');
    return book;
  }

  private summary(tokenId: string) {
    const book = this.bookOrFail(tokenId);
    return bookSummary(book, this.deps.catalog.marketOfToken(tokenId)!, Date.now());
  }

  private books(body: unknown) {
    if (!Array.isArray(body) || body.length > 500) throw new HttpFailure(400, 'expected an array of at most 500 {token_id}');
    return body.map((item) => {
      const id = item && typeof item === 'object' ? (item as Record<string, unknown>).token_id : undefined;
      if (typeof id !== 'string' || !/^\d{1,80}$/.test(id)) throw new HttpFailure(400, 'Invalid token id');
      return this.summary(id);
    });
  }

  /** side=BUY answers the best bid and side=SELL the best ask, as the real venue does. */
  private price(res: ServerResponse, tokenId: string, side: string | null): void {
    if (side !== 'BUY' && side !== 'SELL') throw new HttpFailure(400, 'Invalid side');
    const book = this.bookOrFail(tokenId);
    const p4 = side === 'BUY' ? book.bestBidP4() : book.bestAskP4();
    if (p4 === null) throw new HttpFailure(404, 'No orderbook exists for the requested token id');
    sendJson(res, 200, { price: priceString(p4, book.tickSize) });
  }

  private midpoint(res: ServerResponse, tokenId: string): void {
    const book = this.bookOrFail(tokenId);
    const bid = book.bestBidP4();
    const ask = book.bestAskP4();
    if (bid === null || ask === null) throw new HttpFailure(404, 'No orderbook exists for the requested token id');
    sendJson(res, 200, { mid: String((bid + ask) / 2 / P4) });
  }

  private async createApiKey(req: IncomingMessage, res: ServerResponse): Promise<void> {
    await readBody(req);
    const address = header(req, 'poly_address');
    const signature = header(req, 'poly_signature');
    const timestamp = header(req, 'poly_timestamp');
    const nonce = header(req, 'poly_nonce') ?? '0';
    if (!address || !signature || !timestamp || !/^\d{1,12}$/.test(timestamp) || !/^\d{1,30}$/.test(nonce)) {
      return this.unauthorized(res, 'missing L1 headers');
    }
    this.checkFresh(Number(timestamp));
    let recovered: string;
    try {
      const typed = clobAuthTypedData(address as Hex, Number(timestamp), BigInt(nonce), this.deps.chainId);
      recovered = await recoverTypedDataAddress({ ...typed, signature: signature as Hex });
    } catch {
      return this.unauthorized(res, 'invalid L1 signature');
    }
    if (recovered.toLowerCase() !== address.toLowerCase()) return this.unauthorized(res, 'invalid L1 signature');
    const account = this.deps.ledger.byAddress(address) ?? this.deps.ledger.register({ address: recovered as Hex, collateralUsd: this.deps.l1StartingUsd });
    const c = account.credentials;
    sendJson(res, 200, { apiKey: c.apiKey, secret: c.secret, passphrase: c.passphrase });
  }

  /** Checks the five L2 headers against the exact request; the account on success. */
  private authenticate(req: IncomingMessage, url: URL, body: string): SimAccount | string {
    const apiKey = header(req, 'poly_api_key');
    const address = header(req, 'poly_address');
    const signature = header(req, 'poly_signature');
    const timestamp = header(req, 'poly_timestamp');
    const passphrase = header(req, 'poly_passphrase');
    if (!apiKey || !address || !signature || !timestamp || !passphrase) return 'missing L2 headers';
    const account = this.deps.ledger.get(apiKey);
    if (!account || account.credentials.passphrase !== passphrase) return 'Unauthorized/Invalid api key';
    if (account.address.toLowerCase() !== address.toLowerCase()) return 'the address does not own this api key';
    if (!/^\d{1,12}$/.test(timestamp) || Math.abs(Number(timestamp) - Date.now() / 1000) > this.deps.authWindowS) return 'stale timestamp';
    const expected = l2Signature(account.credentials.secret, Number(timestamp), req.method ?? '', url.pathname, body);
    if (!l2SignatureMatches(expected, signature)) return 'invalid L2 signature';
    return account;
  }

  private async authed(req: IncomingMessage, res: ServerResponse, url: URL): Promise<{ account: SimAccount; body: string } | null> {
    const body = await readBody(req);
    const who = this.authenticate(req, url, body);
    if (typeof who === 'string') {
      this.unauthorized(res, who);
      return null;
    }
    return { account: who, body };
  }

  private async postOrder(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const auth = await this.authed(req, res, url);
    if (!auth) return;
    const body = parseJsonBody(auth.body);
    try {
      const o = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
      if (o.owner !== auth.account.apiKey) throw new SimOrderRejection('the order owner is not the api key');
      const orderType = (o.orderType ?? 'GTC') as PolyOrderType;
      if (!ORDER_TYPES.includes(orderType)) throw new SimOrderRejection(`invalid orderType ${String(o.orderType)}`);
      const signed = signedOrderFromJson(o.order);
      const placed = await this.deps.exchange.submit(auth.account, signed, orderType, o.postOnly === true);
      this.counters.ordersAccepted++;
      sendJson(res, 200, {
        success: true,
        errorMsg: '',
        orderID: placed.orderId,
        status: placed.status,
        // Decimal strings ("6.81", "6.9989"), as the live CLOB answers (the official clients parse them as decimals).
        makingAmount: unitsString(placed.makingAmount),
        takingAmount: unitsString(placed.takingAmount),
        transactionsHashes: [],
        tradeIDs: placed.tradeIds,
      });
    } catch (err) {
      if (!(err instanceof SimOrderRejection) && !(err instanceof PolymarketParseError)) throw err;
      this.counters.ordersRejected++;
      sendJson(res, 400, { error: err instanceof SimOrderRejection ? err.reason : `invalid order: ${err.message}` });
    }
  }

  /** `GET /data/order/{orderID}` (L2): the account's order in the venue's OpenOrder shape; `null` when unknown. */
  private async lookupOrder(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const auth = await this.authed(req, res, url);
    if (!auth) return;
    const rec = this.deps.exchange.lookup(auth.account, url.pathname.slice('/data/order/'.length));
    if (!rec) return sendJson(res, 200, null);
    const book = this.deps.exchange.book(rec.tokenId);
    sendJson(res, 200, {
      id: rec.orderId,
      status: rec.status,
      owner: rec.apiKey,
      maker_address: auth.account.address,
      market: rec.conditionId,
      asset_id: rec.tokenId,
      side: rec.side,
      original_size: unitsString(rec.original),
      size_matched: unitsString(rec.matched),
      price: priceString(rec.p4, book?.tickSize ?? '0.0001'),
      outcome: this.deps.catalog.token(rec.tokenId)?.outcome ?? '',
      expiration: '0',
      order_type: rec.orderType,
      associate_trades: rec.tradeIds,
      created_at: rec.createdAtS,
    });
  }

  /**
   * `GET /data/trades` (L2): the account's trades, as taker or maker, oldest first, in pages of
   * `TRADES_PAGE` with the venue's cursor convention (base64 offset; `LTE=` after the last page).
   */
  private async listTrades(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const auth = await this.authed(req, res, url);
    if (!auth) return;
    const all = this.deps.exchange.tradesOf(auth.account.apiKey);
    const cursor = url.searchParams.get('next_cursor') ?? '';
    const offset = cursor === '' ? 0 : Number(Buffer.from(cursor, 'base64').toString('utf8'));
    if (!Number.isInteger(offset) || offset < 0) throw new HttpFailure(400, 'invalid next_cursor');
    const page = all.slice(offset, offset + TRADES_PAGE);
    const next = offset + page.length;
    sendJson(res, 200, {
      limit: TRADES_PAGE,
      count: page.length,
      next_cursor: next >= all.length ? END_CURSOR : Buffer.from(String(next)).toString('base64'),
      data: page.map((t) => this.tradeJson(t, auth.account)),
    });
  }

  private tradeJson(t: SimTrade, account: SimAccount): Record<string, unknown> {
    const tick = this.deps.exchange.book(t.tokenId)?.tickSize ?? '0.0001';
    const outcome = this.deps.catalog.token(t.tokenId)?.outcome ?? '';
    const asTaker = t.takerApiKey === account.apiKey;
    const price = priceString(t.p4, tick);
    return {
      id: t.tradeId,
      taker_order_id: t.takerOrderId ?? '',
      market: t.conditionId,
      asset_id: t.tokenId,
      side: t.takerSide,
      size: unitsString(t.qty),
      fee_rate_bps: String(t.takerApiKey !== null ? this.deps.takerFeeBp : 0),
      price,
      status: 'MATCHED',
      match_time: String(t.matchTimeS),
      last_update: String(t.matchTimeS),
      outcome,
      owner: asTaker ? t.takerApiKey : t.makerApiKey,
      maker_address: account.address,
      transaction_hash: '',
      bucket_index: 0,
      trader_side: asTaker ? 'TAKER' : 'MAKER',
      maker_orders:
        t.makerOrderId === null
          ? []
          : [
              {
                order_id: t.makerOrderId,
                owner: t.makerApiKey ?? '',
                matched_amount: unitsString(t.qty),
                price,
                fee_rate_bps: '0',
                asset_id: t.tokenId,
                outcome,
                side: t.takerSide === 'BUY' ? 'SELL' : 'BUY',
              },
            ],
    };
  }

  /** `GET /clob-markets/{condition_id}`: the market info in the official V2 client's compact shape (`MarketDetails`). */
  private clobMarket(res: ServerResponse, conditionId: string): void {
    const m = this.deps.catalog.marketByConditionId(conditionId);
    if (!m) throw new HttpFailure(404, 'market not found');
    const book = this.deps.exchange.book(m.tokens[0]!.tokenId);
    sendJson(res, 200, {
      c: m.conditionId,
      t: m.tokens.map((t) => ({ t: t.tokenId, o: t.outcome })),
      mts: Number(book?.tickSize ?? m.tickSize),
      nr: m.negRisk,
      fd: { r: this.deps.takerFeeBp / 10_000, e: 1, to: true },
    });
  }

  private async cancel(req: IncomingMessage, res: ServerResponse, url: URL, ids: ((body: unknown) => string[]) | null): Promise<void> {
    const auth = await this.authed(req, res, url);
    if (!auth) return;
    const wanted = ids === null ? this.deps.exchange.openOrders(auth.account).map((o) => o.orderId) : ids(parseJsonBody(auth.body));
    const canceled: string[] = [];
    const notCanceled: Record<string, string> = {};
    for (const id of wanted) {
      const problem = this.deps.exchange.cancel(auth.account, id);
      if (problem === null) canceled.push(id);
      else notCanceled[id] = problem;
    }
    sendJson(res, 200, { canceled, not_canceled: notCanceled });
  }

  private checkFresh(timestampS: number): void {
    if (Math.abs(timestampS - Date.now() / 1000) > this.deps.authWindowS) throw new HttpFailure(401, 'stale timestamp');
  }

  private unauthorized(res: ServerResponse, why: string): void {
    this.counters.authFailures++;
    sendJson(res, 401, { error: why });
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function stringField(body: unknown, key: string): string {
  const v = body && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined;
  if (typeof v !== 'string') throw new HttpFailure(400, `${key} is required`);
  return v;
}

function stringList(body: unknown): string[] {
  if (!Array.isArray(body) || !body.every((x) => typeof x === 'string')) throw new HttpFailure(400, 'expected an array of order ids');
  return body as string[];
}
