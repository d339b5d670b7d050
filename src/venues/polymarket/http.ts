/**
 * Polymarket CLOB REST client (Polymarket's CLOB documentation): books, prices and midpoints per
 * token, and order posting and cancelling with L2 headers. Every request has a timeout; only
 * idempotent reads are retried, never an order or a cancel, so a timeout cannot place an order
 * twice.
 */
import type { Address } from 'viem';
import { apiCredentials, buildL2Headers } from './auth.js';
import { POLYMARKET_HOSTS, type PolyApiCredentials, type PolyOrderType, type PolySide } from './common.js';
import { PolymarketAuthError, PolymarketHttpError, PolymarketOrderRejectedError, PolymarketParseError } from './errors.js';
import type { JsonHttpClient, JsonHttpRequest } from '../json-http-client.js';
import { createPolymarketHttp, polymarketTransportStats, stripUndefined } from './json-http.js';
import { postOrderBody, type SignedOrderV2 } from './order-signing.js';
import {
  parseApiKeyResponse,
  parseBookSummaries,
  parseBookSummary,
  parseCancelResponse,
  parseClobMarket,
  parseOpenOrder,
  parseMidpointResponse,
  parseOrderResponse,
  parsePriceResponse,
  parseTradesPage,
  type PolyBookSummary,
  type PolyCancelResponse,
  type PolyClobMarket,
  type PolyOpenOrder,
  type PolyOrderResponse,
  type PolyTrade,
  type PolyTradesPage,
} from './parse.js';

export interface ClobClientOptions {
  baseUrl?: string;
  timeoutMs?: number;
  readRetries?: number;
  retryBaseMs?: number;
  /** Needed for orders and cancels only. */
  credentials?: PolyApiCredentials;
  /** POLY_ADDRESS: the signer's EOA. */
  address?: Address;
}

const DEFAULTS = { baseUrl: POLYMARKET_HOSTS.clob, timeoutMs: 5_000, readRetries: 2, retryBaseMs: 200 };

export interface ClobClientStats {
  requests: number;
  retries: number;
  httpErrors: number;
  timeouts: number;
  parseErrors: number;
  ordersAccepted: number;
  ordersRejected: number;
}

type Reader = Omit<JsonHttpRequest, 'method' | 'idempotent' | 'headers'>;

export class PolymarketClobClient {
  private readonly http: JsonHttpClient;
  private readonly credentials: PolyApiCredentials | undefined;
  private readonly address: Address | undefined;
  private parseErrors = 0;
  private ordersAccepted = 0;
  private ordersRejected = 0;

  constructor(options: ClobClientOptions = {}) {
    const { credentials, address, ...rest } = options;
    this.http = createPolymarketHttp({ ...DEFAULTS, ...stripUndefined(rest) });
    this.credentials = credentials;
    this.address = address;
  }

  stats(): ClobClientStats {
    return {
      ...polymarketTransportStats(this.http.stats(), this.parseErrors),
      ordersAccepted: this.ordersAccepted,
      ordersRejected: this.ordersRejected,
    };
  }

  getBook(tokenId: string): Promise<PolyBookSummary> {
    return this.get({ path: '/book', query: { token_id: tokenId } }, parseBookSummary);
  }

  /** POST /books is a read: safe to retry. */
  async getBooks(tokenIds: readonly string[]): Promise<PolyBookSummary[]> {
    const body = tokenIds.map((id) => ({ token_id: id }));
    return this.parse(await this.http.request({ method: 'POST', path: '/books', body, idempotent: true }), parseBookSummaries);
  }

  /** The venue's semantics, kept: side=BUY answers the best bid, side=SELL the best ask. */
  getPrice(tokenId: string, side: PolySide): Promise<number> {
    return this.get({ path: '/price', query: { token_id: tokenId, side } }, parsePriceResponse);
  }

  getBestBid(tokenId: string): Promise<number> {
    return this.getPrice(tokenId, 'BUY');
  }

  getBestAsk(tokenId: string): Promise<number> {
    return this.getPrice(tokenId, 'SELL');
  }

  getMidpoint(tokenId: string): Promise<number> {
    return this.get({ path: '/midpoint', query: { token_id: tokenId } }, parseMidpointResponse);
  }

  /**
   * POST /order, never retried. Resolves with the venue's answer when it took the order; a
   * refusal (`success: false`, or a 4xx with a reason) rejects with PolymarketOrderRejectedError.
   */
  async postOrder(
    signed: SignedOrderV2,
    orderType: PolyOrderType = 'GTC',
    flags: { postOnly?: boolean; deferExec?: boolean } = {},
  ): Promise<PolyOrderResponse> {
    const creds = this.requireCredentials();
    const body = postOrderBody(signed, creds.apiKey, orderType, flags);
    let raw: unknown;
    try {
      raw = await this.authed('POST', '/order', body);
    } catch (err) {
      if (err instanceof PolymarketHttpError && (err.status === 401 || err.status === 403)) {
        throw new PolymarketAuthError(`POST /order refused the credentials: ${err.venueMessage ?? `HTTP ${err.status}`}`);
      }
      if (err instanceof PolymarketHttpError && err.status !== null && err.status < 500 && err.venueMessage) {
        this.ordersRejected++;
        throw new PolymarketOrderRejectedError(err.venueMessage);
      }
      throw err;
    }
    const res = this.parse(raw, parseOrderResponse);
    if (!res.success) {
      this.ordersRejected++;
      throw new PolymarketOrderRejectedError(res.errorMsg || 'order refused without a reason');
    }
    this.ordersAccepted++;
    return res;
  }

  /**
   * POST /auth/api-key with L1 headers (`buildL1Headers`, signed by the wallet): the venue issues
   * the L2 credentials orders are signed with. Never retried (each call may issue a new key).
   */
  async createApiKey(l1Headers: Record<string, string>): Promise<PolyApiCredentials> {
    const raw = await this.http.request({ method: 'POST', path: '/auth/api-key', idempotent: false, headers: () => l1Headers });
    const key = this.parse(raw, parseApiKeyResponse);
    return apiCredentials(key.apiKey, key.secret, key.passphrase);
  }

  /**
   * `GET /clob-markets/{condition_id}` (the official V2 client's market info): the market's two
   * tokens (a NO leg buys the other one), tick size, neg risk and its platform fee.
   */
  async getClobMarket(conditionId: string): Promise<PolyClobMarket> {
    if (!/^0x[0-9a-fA-F]{64}$/.test(conditionId)) throw new PolymarketParseError('condition_id', `not a condition id: ${conditionId}`);
    return this.get({ path: `/clob-markets/${conditionId}` }, parseClobMarket);
  }

  /**
   * `GET /data/order/{orderID}` (L2; signed over the path): one of our orders as the venue holds
   * it, or null when the venue has none (404 or an empty body), so an order whose reply was lost
   * can be looked up by the hash we signed.
   */
  async getOrder(orderId: string): Promise<PolyOpenOrder | null> {
    if (!/^0x[0-9a-fA-F]{64}$/.test(orderId)) throw new PolymarketParseError('orderID', `not an order hash: ${orderId}`);
    const creds = this.requireCredentials();
    const address = this.address as Address;
    const path = `/data/order/${orderId}`;
    let raw: unknown;
    try {
      raw = await this.http.request({
        method: 'GET',
        path,
        idempotent: true,
        headers: () => buildL2Headers(creds, address, { method: 'GET', requestPath: path }),
      });
    } catch (err) {
      if (err instanceof PolymarketHttpError && err.status === 404) return null;
      throw err;
    }
    if (raw === null || raw === '' || (typeof raw === 'object' && !Array.isArray(raw) && Object.keys(raw).length === 0)) return null;
    return this.parse(raw, parseOpenOrder);
  }

  /**
   * `GET /data/trades` (L2; signed over the path without its query): every trade the account took
   * part in, all pages (reconciliation and audits; not on the order path).
   */
  async getTrades(maxPages = 1_000): Promise<PolyTrade[]> {
    const creds = this.requireCredentials();
    const address = this.address as Address;
    const path = '/data/trades';
    const out: PolyTrade[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < maxPages; page++) {
      const raw = await this.http.request({
        method: 'GET',
        path,
        query: cursor === null ? {} : { next_cursor: cursor },
        idempotent: true,
        headers: () => buildL2Headers(creds, address, { method: 'GET', requestPath: path }),
      });
      const parsed: PolyTradesPage = this.parse(raw, parseTradesPage);
      out.push(...parsed.trades);
      cursor = parsed.nextCursor;
      if (cursor === null) return out;
    }
    throw new PolymarketParseError('next_cursor', `more than ${maxPages} pages of trades`);
  }

  async cancelOrder(orderId: string): Promise<PolyCancelResponse> {
    return this.parse(await this.authed('DELETE', '/order', { orderID: orderId }), parseCancelResponse);
  }

  async cancelOrders(orderIds: readonly string[]): Promise<PolyCancelResponse> {
    return this.parse(await this.authed('DELETE', '/orders', orderIds), parseCancelResponse);
  }

  private authed(method: 'POST' | 'DELETE', path: string, body: unknown): Promise<unknown> {
    const creds = this.requireCredentials();
    const address = this.address as Address;
    return this.http.request({
      method,
      path,
      body,
      idempotent: false,
      headers: (bodyText) => buildL2Headers(creds, address, { method, requestPath: path, body: bodyText }),
    });
  }

  private requireCredentials(): PolyApiCredentials {
    if (!this.credentials || !this.address) throw new PolymarketAuthError('no API credentials or signer address configured');
    return this.credentials;
  }

  private async get<T>(req: Reader, parse: (raw: unknown) => T): Promise<T> {
    return this.parse(await this.http.request({ ...req, method: 'GET', idempotent: true }), parse);
  }

  private parse<T>(raw: unknown, parse: (raw: unknown) => T): T {
    try {
      return parse(raw);
    } catch (err) {
      if (err instanceof PolymarketParseError) this.parseErrors++;
      throw err;
    }
  }
}
