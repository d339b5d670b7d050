/**
 * The CLOB REST client and V2 order signing against the Polymarket simulator over real HTTP:
 * books and prices per token, L2-authenticated orders whose EIP-712 signature the venue
 * recovers, matching with partial fills across levels and the sports taker fee, resting and
 * cancelling, refusals (tampered or foreign signatures, bad credentials, FOK, size, tick,
 * balance), settlement, and the client's timeout and retry rules.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PolymarketSimVenue, type SimGameListing } from '../src/sim/polymarket/polymarket-sim-venue.js';
import { apiCredentials, buildL1Headers, buildL2Headers } from '../src/venues/polymarket/auth.js';
import type { PolyApiCredentials, TickSize } from '../src/venues/polymarket/common.js';
import { PolymarketAuthError, PolymarketHttpError, PolymarketOrderRejectedError, PolymarketTimeoutError } from '../src/venues/polymarket/errors.js';
import { PolymarketClobClient } from '../src/venues/polymarket/http.js';
import { buildOrder, recoverOrderSigner, signOrder, type SignedOrderV2 } from '../src/venues/polymarket/order-signing.js';
import type { PolySide } from '../src/venues/polymarket/common.js';
import { simGame } from './helpers/polymarket-games.js';

const trader = privateKeyToAccount('0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6');
const stranger = privateKeyToAccount('0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a');

describe('CLOB REST against the simulator', () => {
  const venue = new PolymarketSimVenue({ seed: 'clob-test' });
  let clobUrl = '';
  let game: SimGameListing;
  let lakers = '';
  let celtics = '';
  let creds: PolyApiCredentials;
  let client: PolymarketClobClient;

  const order = (side: PolySide, price: number, size: number, token = lakers, tickSize: TickSize = '0.01') =>
    signOrder(trader, buildOrder({ tokenId: token, side, price, size, tickSize, signer: trader.address }));

  beforeAll(async () => {
    ({ clobUrl } = await venue.start());
    game = venue.listGame(simGame('nba-401', 'nba', 'BOS', 'LAL', '2026-11-24T03:00:00Z'));
    celtics = game.tokens[0]!.tokenId;
    lakers = game.tokens[1]!.tokenId;
    creds = venue.registerApiKey({ address: trader.address, collateralUsd: 1_000 });
    client = new PolymarketClobClient({ baseUrl: clobUrl, credentials: creds, address: trader.address });
  });
  afterAll(() => venue.close());

  beforeEach(() => {
    venue.setMakerQuotes(lakers, { yesBids: [[0.53, 100], [0.52, 200]], yesAsks: [[0.55, 40], [0.58, 100], [0.6, 500]] });
    venue.setMakerQuotes(celtics, { yesBids: [[0.42, 100]], yesAsks: [[0.46, 100]] });
  });

  it('serves the book best first, prices with the venue semantics, and the midpoint', async () => {
    const book = await client.getBook(lakers);
    expect(book.bids).toEqual([{ price: 0.53, size: 100 }, { price: 0.52, size: 200 }]);
    expect(book.asks[0]).toEqual({ price: 0.55, size: 40 });
    expect(book).toMatchObject({ market: game.conditionId, tickSize: '0.01', minOrderSize: 5, negRisk: false });
    expect(await client.getBestBid(lakers)).toBe(0.53); // side=BUY
    expect(await client.getBestAsk(lakers)).toBe(0.55); // side=SELL
    expect(await client.getMidpoint(lakers)).toBe(0.54);
    expect((await client.getBooks([lakers, celtics])).map((b) => b.assetId)).toEqual([lakers, celtics]);
  });

  it('answers 404 for an unknown token and 400 for a malformed one', async () => {
    await expect(client.getBook('12345')).rejects.toMatchObject({ status: 404, venueMessage: 'No orderbook exists for the requested token id' });
    await expect(client.getBook('0xnope')).rejects.toMatchObject({ status: 400, venueMessage: 'Invalid token id' });
    expect(client.stats().retries).toBe(0); // 4xx is not retried
  });

  it('fills a BUY across two levels at the makers\' prices and charges the sports taker fee', async () => {
    const before = venue.account(creds.apiKey)!;
    const signed = await order('BUY', 0.6, 100);
    expect(await recoverOrderSigner(signed)).toBe(trader.address);
    const res = await client.postOrder(signed, 'FAK');
    // 40 @ 0.55 + 60 @ 0.58 = 56.80; fee per fill 0.03*C*p*(1-p) rounded up to the centi-cent:
    // 0.297 + 0.43848 -> 0.297 + 0.4385
    expect(res).toMatchObject({ success: true, status: 'matched', makingAmount: '56.8', takingAmount: '100' });
    expect(res.tradeIds).toHaveLength(2);
    const after = venue.account(creds.apiKey)!;
    expect(after.feesPaidUsd - before.feesPaidUsd).toBeCloseTo(0.7355, 9);
    expect(before.collateralUsd - after.collateralUsd).toBeCloseTo(56.8 + 0.7355, 9);
    expect(after.shares[lakers]! - (before.shares[lakers] ?? 0)).toBe(100);
    const book = await client.getBook(lakers);
    expect(book.asks[0]).toEqual({ price: 0.58, size: 40 }); // the maker's liquidity was consumed
  });

  it('rests the unfilled part of a GTC order on the book and cancels it with a refund', async () => {
    const before = venue.account(creds.apiKey)!;
    const res = await client.postOrder(await order('BUY', 0.54, 20), 'GTC');
    expect(res.status).toBe('live');
    expect((await client.getBook(lakers)).bids[0]).toEqual({ price: 0.54, size: 20 });
    expect(venue.account(creds.apiKey)!.collateralUsd).toBeCloseTo(before.collateralUsd - 10.8, 9);
    const cancel = await client.cancelOrder(res.orderId);
    expect(cancel.canceled).toEqual([res.orderId]);
    expect(venue.account(creds.apiKey)!.collateralUsd).toBeCloseTo(before.collateralUsd, 9);
    expect((await client.getBook(lakers)).bids[0]).toEqual({ price: 0.53, size: 100 });
    expect((await client.cancelOrder(res.orderId)).notCanceled[res.orderId]).toMatch(/not found/);
  });

  it('fills a resting order when the maker\'s quotes move through it (no fee for the resting side)', async () => {
    const before = venue.account(creds.apiKey)!;
    const res = await client.postOrder(await order('BUY', 0.54, 10), 'GTC');
    venue.setMakerQuotes(lakers, { yesBids: [[0.5, 100]], yesAsks: [[0.53, 100]] });
    const after = venue.account(creds.apiKey)!;
    expect(after.shares[lakers]! - before.shares[lakers]!).toBe(10);
    expect(before.collateralUsd - after.collateralUsd).toBeCloseTo(5.4, 9);
    expect(after.feesPaidUsd).toBe(before.feesPaidUsd);
    expect((await client.cancelOrder(res.orderId)).canceled).toEqual([]);
  });

  it('sells shares back, paying the fee out of the proceeds', async () => {
    const before = venue.account(creds.apiKey)!;
    const res = await client.postOrder(await order('SELL', 0.5, 50), 'FOK');
    expect(res).toMatchObject({ status: 'matched', makingAmount: '50', takingAmount: '26.5' }); // 50 @ 0.53
    const after = venue.account(creds.apiKey)!;
    expect(after.collateralUsd - before.collateralUsd).toBeCloseTo(26.5 - 0.3737, 9); // 0.03*50*0.53*0.47 = 0.37365, rounded up
    expect(before.shares[lakers]! - after.shares[lakers]!).toBe(50);
  });

  it('rejects a tampered order and one signed by a key that is not the signer', async () => {
    const signed = await order('BUY', 0.6, 10);
    const tampered: SignedOrderV2 = { ...signed, order: { ...signed.order, makerAmount: signed.order.makerAmount - 1_000_000n } };
    await expect(client.postOrder(tampered, 'FAK')).rejects.toThrow(/invalid order signature/);
    const forged: SignedOrderV2 = { ...signed, signature: (await signOrder(stranger, buildOrder({ tokenId: lakers, side: 'BUY', price: 0.6, size: 10, tickSize: '0.01', signer: stranger.address }))).signature };
    await expect(client.postOrder(forged, 'FAK')).rejects.toBeInstanceOf(PolymarketOrderRejectedError);
    // The genuine order is still accepted.
    expect((await client.postOrder(signed, 'FAK')).status).toBe('matched');
    await expect(client.postOrder(signed, 'FAK')).rejects.toThrow('INVALID_ORDER_DUPLICATED');
  });

  it('refuses bad credentials, a stale timestamp and a body changed after signing', async () => {
    const wrongSecret = new PolymarketClobClient({
      baseUrl: clobUrl,
      credentials: apiCredentials(creds.apiKey, Buffer.from('not the secret').toString('base64url'), creds.passphrase),
      address: trader.address,
    });
    await expect(wrongSecret.postOrder(await order('BUY', 0.6, 10), 'FAK')).rejects.toBeInstanceOf(PolymarketAuthError);

    const body = JSON.stringify({ orderID: '0x01' });
    const stale = buildL2Headers(creds, trader.address, { method: 'DELETE', requestPath: '/order', body }, Math.floor(Date.now() / 1000) - 120);
    const r1 = await fetch(`${clobUrl}/order`, { method: 'DELETE', headers: stale, body });
    expect(r1.status).toBe(401);
    const fresh = buildL2Headers(creds, trader.address, { method: 'DELETE', requestPath: '/order', body });
    const r2 = await fetch(`${clobUrl}/order`, { method: 'DELETE', headers: fresh, body: body.replace('0x01', '0x02') });
    expect(r2.status).toBe(401);
    const r3 = await fetch(`${clobUrl}/order`, { method: 'DELETE', headers: fresh, body });
    expect(r3.status).toBe(200);
    expect(venue.stats().authFailures).toBeGreaterThanOrEqual(3);
  });

  it('refuses FOK that cannot fill, sizes below the minimum, prices off the tick and orders beyond the balance', async () => {
    const before = venue.account(creds.apiKey)!;
    await expect(client.postOrder(await order('BUY', 0.55, 1000), 'FOK')).rejects.toThrow('FOK_ORDER_NOT_FILLED_ERROR');
    await expect(client.postOrder(await order('BUY', 0.6, 2), 'FAK')).rejects.toThrow('INVALID_ORDER_MIN_SIZE');
    await expect(client.postOrder(await order('BUY', 0.555, 10, lakers, '0.001'), 'GTC')).rejects.toThrow('INVALID_ORDER_MIN_TICK_SIZE');
    // FAK is a market order: 7 shares at 0.973 signed as a limit order ($6.811) breaks its precision
    await expect(client.postOrder(await order('BUY', 0.973, 7, lakers, '0.001'), 'FAK')).rejects.toThrow(/max accuracy of 2 decimals/);
    await expect(client.postOrder(await order('BUY', 0.4, 5000), 'GTC')).rejects.toThrow('INVALID_ORDER_NOT_ENOUGH_BALANCE');
    expect(venue.account(creds.apiKey)).toEqual(before);
    expect(client.stats().ordersRejected).toBeGreaterThanOrEqual(4);
  });

  it('creates API keys through L1 and trades with them', async () => {
    const l1 = await buildL1Headers(stranger);
    const res = await fetch(`${clobUrl}/auth/api-key`, { method: 'POST', headers: l1 });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { apiKey: string; secret: string; passphrase: string };
    const strangerClient = new PolymarketClobClient({
      baseUrl: clobUrl,
      credentials: apiCredentials(body.apiKey, body.secret, body.passphrase),
      address: stranger.address,
    });
    const signed = await signOrder(stranger, buildOrder({ tokenId: celtics, side: 'BUY', price: 0.46, size: 10, tickSize: '0.01', signer: stranger.address }));
    expect((await strangerClient.postOrder(signed, 'FOK')).status).toBe('matched');
    const forgedL1 = { ...l1, POLY_ADDRESS: trader.address };
    expect((await fetch(`${clobUrl}/auth/api-key`, { method: 'POST', headers: forgedL1 })).status).toBe(401);
  });

  it('the client derives API keys through L1 (secrets hidden) and a forged L1 request is refused', async () => {
    const wallet = privateKeyToAccount('0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba');
    const keyless = new PolymarketClobClient({ baseUrl: clobUrl, readRetries: 0 });
    const issued = await keyless.createApiKey(await buildL1Headers(wallet));
    expect(issued.apiKey).not.toBe('');
    expect(JSON.stringify(issued)).not.toContain(issued.secret);
    const walletClient = new PolymarketClobClient({ baseUrl: clobUrl, credentials: issued, address: wallet.address });
    const signed = await signOrder(wallet, buildOrder({ tokenId: celtics, side: 'BUY', price: 0.46, size: 5, tickSize: '0.01', signer: wallet.address }));
    expect((await walletClient.postOrder(signed, 'FOK')).status).toBe('matched');
    const forged = { ...(await buildL1Headers(wallet)), POLY_ADDRESS: trader.address };
    await expect(keyless.createApiKey(forged)).rejects.toMatchObject({ name: PolymarketHttpError.name, status: 401 });
  });

  it('pays 1 per winning share at settlement and refuses orders afterwards', async () => {
    const held = venue.account(creds.apiKey)!;
    venue.settleGame('nba-401', 'home');
    const after = venue.account(creds.apiKey)!;
    expect(after.collateralUsd).toBeCloseTo(held.collateralUsd + held.shares[lakers]!, 9);
    expect(after.shares).toEqual({});
    await expect(client.postOrder(await order('BUY', 0.6, 10), 'FAK')).rejects.toThrow('MARKET_NOT_READY');
  });
});

describe('CLOB client timeouts and retries', () => {
  let server: Server;
  let url = '';
  const hits = new Map<string, number>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const n = (hits.get(path) ?? 0) + 1;
      hits.set(path, n);
      if (path === '/midpoint') {
        if (n < 3) res.writeHead(503).end('{"error":"overloaded"}');
        else res.writeHead(200).end('{"mid":"0.5"}');
      } else if (path === '/order') {
        res.writeHead(503).end('{"error":"overloaded"}');
      } else if (path === '/book') {
        // never answers
      } else if (path === '/price') {
        res.writeHead(200).end('<html>not json</html>');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => {
    server.closeAllConnections();
    server.close(() => r());
  }));

  it('retries a GET after 5xx with backoff, and gives up on a request that never answers', async () => {
    const client = new PolymarketClobClient({ baseUrl: url, readRetries: 2, retryBaseMs: 10, timeoutMs: 300 });
    expect(await client.getMidpoint('1')).toBe(0.5);
    expect(hits.get('/midpoint')).toBe(3);
    const t0 = Date.now();
    await expect(client.getBook('1')).rejects.toBeInstanceOf(PolymarketTimeoutError);
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(hits.get('/book')).toBe(3);
    await expect(client.getPrice('1', 'BUY')).rejects.toMatchObject({ code: 'ARB_POLY_PAYLOAD' });
    expect(client.stats()).toMatchObject({ retries: 4, timeouts: 3, parseErrors: 1 });
  });

  it('never retries an order', async () => {
    const account = privateKeyToAccount('0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba');
    const client = new PolymarketClobClient({
      baseUrl: url,
      readRetries: 5,
      retryBaseMs: 1,
      credentials: apiCredentials('k', Buffer.from('secret').toString('base64url'), 'p'),
      address: account.address,
    });
    const signed = await signOrder(account, buildOrder({ tokenId: '1', side: 'BUY', price: 0.5, size: 10, tickSize: '0.01', signer: account.address }));
    await expect(client.postOrder(signed)).rejects.toBeInstanceOf(PolymarketHttpError);
    expect(hits.get('/order')).toBe(1);
  });
});
