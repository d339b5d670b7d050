/**
 * execution_service in sim mode: real orders through the real Kalshi and Polymarket clients to
 * the simulated venues (KalshiSimVenue, PolymarketSimVenue) on loopback. An arbitrage sends
 * both legs together; a leg that fills short gets the other leg's excess unwound at the venue;
 * a venue refusal and an unsendable leg are recorded with their reasons; a lost order reply
 * leaves the outcome unknown and blocks the market until the order is found at the venue.
 * Positions at the venues always equal the fills recorded in trades:completed.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TradeCompleted } from '../src/core/messages.js';
import { KalshiSimVenue } from '../src/sim/kalshi/kalshi-sim-venue.js';
import type { SimAccount } from '../src/sim/kalshi/sim-account.js';
import { PolymarketSimVenue } from '../src/sim/polymarket/polymarket-sim-venue.js';
import type { SimTrade } from '../src/sim/polymarket/sim-exchange.js';
import { eventually } from './helpers/redis.js';
import { makeKey, nbaGame } from './kalshi-helpers.js';
import { arbSignal, ExecHarness, modelSignal, OrderReplyDelayProxy } from './execution-harness.js';

const h = new ExecHarness();
let kalshi: KalshiSimVenue;
let poly: PolymarketSimVenue;
let proxy: OrderReplyDelayProxy;
let polyProxy: OrderReplyDelayProxy;
let account: SimAccount;
const polyTrades: SimTrade[] = [];
const games = Array.from({ length: 7 }, (_, i) => nbaGame(`g-exec-${h.uid}-${i}`));
const tickers: string[] = [];
const tokens: string[] = [];
/** The other token of each token's market: what a Polymarket NO leg buys. */
const complements: string[] = [];

const filledOf = (t: TradeCompleted, venue?: string) => t.fills.filter((f) => !venue || f.venue === venue).reduce((s, f) => s + (f.action === 'buy' ? f.contracts : -f.contracts), 0);
const kalshiPosition = (ticker: string) => account.positions.get(ticker)?.contracts ?? 0;
const polyShares = (token: string) => polyTrades.filter((t) => t.tokenId === token && t.takerApiKey !== null).reduce((s, t) => s + Number(t.qty) / 1e6 * (t.takerSide === 'BUY' ? 1 : -1), 0);

beforeAll(async () => {
  kalshi = new KalshiSimVenue({ seed: 7 });
  const { restUrl } = await kalshi.start();
  proxy = new OrderReplyDelayProxy(new URL(restUrl).origin);
  const proxyUrl = await proxy.start();
  poly = new PolymarketSimVenue({ seed: `exec-${h.uid}` });
  const { clobUrl } = await poly.start();
  polyProxy = new OrderReplyDelayProxy(clobUrl);
  const polyProxyUrl = await polyProxy.start();
  poly.on('trade', (t) => polyTrades.push(t));
  const key = makeKey(`exec-${h.uid}`);
  account = kalshi.registerKey(key.keyId, key.publicKeyPem);
  const keyPath = path.join(h.dataDir, 'kalshi.pem');
  writeFileSync(keyPath, key.privateKeyPem);
  for (const g of games) {
    const listed = kalshi.listGame(g);
    tickers.push(listed[0]!);
    const listing = poly.listGame(g);
    tokens.push(listing.tokens[0]!.tokenId);
    complements.push(listing.tokens[1]!.tokenId);
  }
  await h.startSource();
  await h.startExec({
    EXEC_MODE: 'sim',
    KALSHI_REST_URL: `${proxyUrl}/trade-api/v2`,
    KALSHI_API_KEY: key.keyId,
    KALSHI_PRIVATE_KEY_PATH: keyPath,
    POLYMARKET_CLOB_URL: polyProxyUrl,
    EXEC_ORDER_TIMEOUT_MS: '2000', // loose enough for a loaded CI machine; the lost replies below come later still
    EXEC_RECONCILE_INTERVAL_MS: '1000',
    EXEC_RECONCILE_GRACE_MS: '3000',
  });
}, 60_000);

afterAll(async () => {
  await h.close();
  await proxy?.close();
  await polyProxy?.close();
  await kalshi?.close();
  await poly?.close();
});

/** Quotes at both venues, and the same books on the hot path (what the monitors would publish). */
function quote(i: number, k: { bid: number; ask: number; size: number }, p: { bid: number; ask: number; askSize: number; heardAskSize?: number }): void {
  kalshi.setMakerQuotes(tickers[i]!, { yesBids: [[k.bid, k.size]], yesAsks: [[k.ask, k.size]] });
  poly.setMakerQuotes(tokens[i]!, { yesBids: [[p.bid, 100]], yesAsks: [[p.ask, p.askSize]] });
  h.publishBook('kalshi', tickers[i]!, [[k.bid, k.size]], [[k.ask, k.size]], games[i]!.id);
  h.publishBook('poly', tokens[i]!, [[p.bid, 100]], [[p.ask, p.heardAskSize ?? p.askSize]], games[i]!.id);
}

describe('arbitrage on the simulated venues', () => {
  it('sends both legs together and both fill: YES on Polymarket, NO on Kalshi', async () => {
    quote(0, { bid: 0.6, ask: 0.62, size: 100 }, { bid: 0.48, ask: 0.5, askSize: 100 });
    await new Promise((r) => setTimeout(r, 150));
    const signal = { ...arbSignal({ yes: { venue: 'poly', marketId: tokens[0]!, yesPrice: 0.5 }, no: { venue: 'kalshi', marketId: tickers[0]!, yesPrice: 0.6 }, contracts: 10 }), game_id: games[0]!.id };
    h.publishSignal(signal);
    const t = await h.waitTrade(signal.signal_id);
    expect(t).toMatchObject({ status: 'filled', mode: 'sim', reason: null });
    expect(filledOf(t, 'poly')).toBe(10);
    expect(filledOf(t, 'kalshi')).toBe(10);
    expect(t.fills.find((f) => f.venue === 'kalshi')).toMatchObject({ side: 'no', action: 'buy', yes_price: 0.6 });
    expect(kalshiPosition(tickers[0]!)).toBe(-10); // Kalshi: negative = NO contracts
    expect(polyShares(tokens[0]!)).toBe(10);
    // Both orders were in flight at the same time (sent before either answered).
    const sent = (await h.audit()).filter((a) => a.event === 'order_sent' && a.source_id === signal.signal_id);
    expect(sent).toHaveLength(2);
  });

  it('a leg that fills short gets the excess of the other leg unwound at the venue; positions match the recorded fills', async () => {
    // The hot path says 100 at 0.50 on Polymarket, but the venue has only 4 there when the order lands.
    quote(1, { bid: 0.6, ask: 0.62, size: 100 }, { bid: 0.48, ask: 0.5, askSize: 4, heardAskSize: 100 });
    await new Promise((r) => setTimeout(r, 150));
    const signal = { ...arbSignal({ yes: { venue: 'poly', marketId: tokens[1]!, yesPrice: 0.5 }, no: { venue: 'kalshi', marketId: tickers[1]!, yesPrice: 0.6 }, contracts: 10 }), game_id: games[1]!.id };
    h.publishSignal(signal);
    const t = await h.waitTrade(signal.signal_id);
    expect(t.status).toBe('partial');
    expect(t.reason).toMatch(/^one_short_unwound: legs filled 4\/10, unwound 6 of 6 excess/);
    const unwind = t.fills.filter((f) => f.action === 'sell');
    expect(unwind.reduce((s, f) => s + f.contracts, 0)).toBe(6);
    expect(unwind.every((f) => f.venue === 'kalshi' && f.side === 'no' && f.yes_price === 0.62)).toBe(true);
    expect(kalshiPosition(tickers[1]!)).toBe(-4);
    expect(polyShares(tokens[1]!)).toBe(4);
    expect(filledOf(t, 'kalshi')).toBe(4);
    expect(filledOf(t, 'poly')).toBe(4);
    expect((await h.audit()).some((a) => a.event === 'unwind' && a.source_id === signal.signal_id)).toBe(true);
  });

  it('a NO leg on Polymarket buys the complement token: YES on Kalshi at 0.40, NO on Polymarket at 1 - 0.55', async () => {
    quote(2, { bid: 0.38, ask: 0.4, size: 100 }, { bid: 0.55, ask: 0.57, askSize: 100 });
    poly.setMakerQuotes(complements[2]!, { yesBids: [[0.43, 100]], yesAsks: [[0.45, 100]] });
    await new Promise((r) => setTimeout(r, 150));
    const signal = { ...arbSignal({ yes: { venue: 'kalshi', marketId: tickers[2]!, yesPrice: 0.4 }, no: { venue: 'poly', marketId: tokens[2]!, yesPrice: 0.55 }, contracts: 5 }), game_id: games[2]!.id };
    h.publishSignal(signal);
    const t = await h.waitTrade(signal.signal_id);
    expect(t).toMatchObject({ status: 'filled', reason: null });
    // Booked on the market's token as NO at the YES price 0.55; held at the venue as the other token.
    expect(t.fills.find((f) => f.venue === 'poly')).toMatchObject({ market_id: tokens[2], side: 'no', action: 'buy', contracts: 5, yes_price: 0.55 });
    expect(polyShares(complements[2]!)).toBe(5);
    expect(polyShares(tokens[2]!)).toBe(0);
    expect(kalshiPosition(tickers[2]!)).toBe(5);
  });
});

describe('venue failures', () => {
  it('a venue refusing an order is recorded as EXEC_VENUE_REJECTED with nothing filled', async () => {
    quote(2, { bid: 0.6, ask: 0.62, size: 100 }, { bid: 0.48, ask: 0.5, askSize: 100 });
    await new Promise((r) => setTimeout(r, 150));
    const positionBefore = kalshiPosition(tickers[2]!);
    // Only the order POST: the background series-fee read of this market must not use up the fault.
    kalshi.faults.failNext(1, 400, 'POST /portfolio/events/orders');
    const signal = { ...modelSignal({ marketId: tickers[2]!, yesPrice: 0.62, contracts: 3, modelProb: null }), game_id: games[2]!.id };
    h.publishSignal(signal);
    const t = await h.waitTrade(signal.signal_id);
    expect(t).toMatchObject({ status: 'rejected', fills: [] });
    expect(t.reason).toMatch(/^EXEC_VENUE_REJECTED: ARB_KALSHI_REJECTED: POST \/portfolio\/events\/orders answered 400/);
    expect(kalshiPosition(tickers[2]!)).toBe(positionBefore);
  });

  it('a lost order reply: outcome unknown, market blocked (RISK_MARKET_UNRECONCILED) until the order is found at the venue, then booked once', async () => {
    const i = 3;
    const ticker = tickers[i]!;
    quote(i, { bid: 0.6, ask: 0.62, size: 100 }, { bid: 0.48, ask: 0.5, askSize: 100 });
    await new Promise((r) => setTimeout(r, 150));
    proxy.delayOrderRepliesMs = 5_000; // the order executes at the venue; its reply comes after our 2 s timeout
    const signal = { ...modelSignal({ marketId: ticker, yesPrice: 0.62, contracts: 5, modelProb: null }), game_id: games[i]!.id };
    h.publishSignal(signal);
    const unknown = await h.waitTrade(signal.signal_id, (t) => t.status === 'unknown');
    expect(unknown.fills).toEqual([]);
    expect(unknown.reason).toMatch(/^EXEC_ORDER_UNKNOWN: kalshi:.*took longer than 2000 ms/);
    expect(await h.redis.hget(`${h.prefix}exec:blocked`, `kalshi:${ticker}`)).toMatch(/outcome unknown/);
    proxy.delayOrderRepliesMs = 0;
    const blocked = { ...modelSignal({ marketId: ticker, yesPrice: 0.62, contracts: 2, modelProb: null }), game_id: games[i]!.id };
    h.publishSignal(blocked);
    expect((await h.waitTrade(blocked.signal_id)).reason).toMatch(/^RISK_MARKET_UNRECONCILED/);
    const reconciled = await h.waitTrade(signal.signal_id, (t) => t.trade_id === `${signal.signal_id}-r1`, 10_000);
    expect(reconciled.status).toBe('filled');
    expect(filledOf(reconciled)).toBe(5);
    expect(kalshiPosition(ticker)).toBe(5);
    await eventually(async () => (await h.redis.hget(`${h.prefix}exec:blocked`, `kalshi:${ticker}`)) === null, 5_000, 'unblocked');
    const after = { ...modelSignal({ marketId: ticker, yesPrice: 0.62, contracts: 2, modelProb: null }), game_id: games[i]!.id };
    h.publishSignal(after);
    expect((await h.waitTrade(after.signal_id)).status).toBe('filled');
    expect(kalshiPosition(ticker)).toBe(7);
    // Sent once each: the service never re-sent an order to find out what happened.
    expect(new Set(proxy.orderIds).size).toBe(proxy.orderIds.length);
  });

  it('an unknown Polymarket order is looked up at the venue by its signed hash and booked once, without an operator', async () => {
    const i = 4;
    const token = tokens[i]!;
    quote(i, { bid: 0.6, ask: 0.62, size: 100 }, { bid: 0.48, ask: 0.5, askSize: 100 });
    await new Promise((r) => setTimeout(r, 150));
    polyProxy.delayOrderRepliesMs = 5_000;
    // Until the test has seen the block, the venue cannot answer the lookup that would lift it.
    polyProxy.holdOrderLookups = true;
    const signal = { ...modelSignal({ venue: 'poly', marketId: token, yesPrice: 0.5, contracts: 5, modelProb: null }), game_id: games[i]!.id };
    h.publishSignal(signal);
    const unknown = await h.waitTrade(signal.signal_id, (t) => t.status === 'unknown');
    expect(unknown.reason).toMatch(/^EXEC_ORDER_UNKNOWN: poly:/);
    expect(await h.redis.hget(`${h.prefix}exec:blocked`, `poly:${token}`)).toMatch(/outcome unknown/);
    polyProxy.delayOrderRepliesMs = 0;
    polyProxy.holdOrderLookups = false;
    const reconciled = await h.waitTrade(signal.signal_id, (t) => t.trade_id === `${signal.signal_id}-r1`, 10_000);
    expect(reconciled.status).toBe('filled');
    expect(filledOf(reconciled, 'poly')).toBe(5);
    expect(polyShares(token)).toBe(5);
    await eventually(async () => (await h.redis.hget(`${h.prefix}exec:blocked`, `poly:${token}`)) === null, 5_000, 'unblocked');
    const after = { ...modelSignal({ venue: 'poly', marketId: token, yesPrice: 0.5, contracts: 5, modelProb: null }), game_id: games[i]!.id };
    h.publishSignal(after);
    expect((await h.waitTrade(after.signal_id)).status).toBe('filled');
    expect(polyShares(token)).toBe(10);
  });

  it('an unreadable Polymarket reply after the order executed is unknown (never failed), then reconciled from the venue', async () => {
    const i = 5;
    const token = tokens[i]!;
    quote(i, { bid: 0.6, ask: 0.62, size: 100 }, { bid: 0.48, ask: 0.5, askSize: 100 });
    await new Promise((r) => setTimeout(r, 150));
    polyProxy.garbleOrderReplies = 1;
    const signal = { ...modelSignal({ venue: 'poly', marketId: token, yesPrice: 0.5, contracts: 6, modelProb: null }), game_id: games[i]!.id };
    h.publishSignal(signal);
    const unknown = await h.waitTrade(signal.signal_id, (t) => t.status === 'unknown');
    expect(unknown.reason).toMatch(/^EXEC_ORDER_UNKNOWN: poly:.*unreadable reply/);
    const reconciled = await h.waitTrade(signal.signal_id, (t) => t.trade_id === `${signal.signal_id}-r1`, 10_000);
    expect(reconciled.status).toBe('filled');
    expect(filledOf(reconciled, 'poly')).toBe(6);
    expect(polyShares(token)).toBe(6);
  });

  it('a Polymarket order at a fine tick (0.001) goes out within the market-order precision and fills', async () => {
    const i = 6;
    const token = tokens[i]!;
    poly.setTickSize(token, '0.001');
    quote(i, { bid: 0.6, ask: 0.62, size: 100 }, { bid: 0.97, ask: 0.973, askSize: 100 });
    await new Promise((r) => setTimeout(r, 150));
    const signal = { ...modelSignal({ venue: 'poly', marketId: token, yesPrice: 0.973, contracts: 7, modelProb: null }), game_id: games[i]!.id };
    h.publishSignal(signal);
    const t = await h.waitTrade(signal.signal_id);
    // $6.81 (2 decimals) buys 6.9989 shares: all of them booked, with the cash that moved
    expect(t.status).toBe('filled');
    expect(filledOf(t, 'poly')).toBe(6.9989);
    expect(t.fills.find((f) => f.venue === 'poly')!.notional_cc).toBe(68_100);
    expect(polyShares(token)).toBe(6.9989);
  });

  it('every Kalshi position equals the net of the fills recorded in trades:completed', async () => {
    const trades = (await h.streamTrades()).map((t) => t.trade);
    for (const ticker of tickers) {
      let net = 0;
      for (const t of trades) for (const f of t.fills) if (f.market_id === ticker) net += (f.side === 'yes' ? 1 : -1) * (f.action === 'buy' ? f.contracts : -f.contracts);
      expect(net, ticker).toBe(kalshiPosition(ticker));
    }
  });
});
