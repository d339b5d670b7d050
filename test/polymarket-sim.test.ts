/**
 * The Polymarket simulator itself: deterministic ids, following a SimWorld (listing, updates,
 * settlement at the final, draws), market_resolved over the WebSocket, fee arithmetic equal to
 * the core fee module, and bad input (garbage order bodies behind valid L2 auth, garbage
 * WebSocket messages) answered with 4xx / INVALID OPERATION, never a crash or a 500.
 */
import { EventEmitter } from 'node:events';
import fc from 'fast-check';
import { privateKeyToAccount } from 'viem/accounts';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_FEES, feeCc } from '../src/core/fees.js';
import { PolymarketSimVenue } from '../src/sim/polymarket/polymarket-sim-venue.js';
import { takerFee } from '../src/sim/polymarket/sim-exchange.js';
import type { SimGameView, SimWorld } from '../src/sim/world.js';
import { buildL2Headers } from '../src/venues/polymarket/auth.js';
import { GammaClient } from '../src/venues/polymarket/gamma.js';
import { PolymarketClobClient } from '../src/venues/polymarket/http.js';
import { buildOrder, signOrder } from '../src/venues/polymarket/order-signing.js';
import { PolymarketMarketStream } from '../src/venues/polymarket/ws.js';
import type { WsMarketResolved } from '../src/venues/polymarket/parse.js';
import { eventually } from './helpers/redis.js';
import { simGame } from './helpers/polymarket-games.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function started(options: ConstructorParameters<typeof PolymarketSimVenue>[0] = {}) {
  const venue = new PolymarketSimVenue(options);
  const urls = await venue.start();
  cleanups.push(() => venue.close());
  return { venue, ...urls };
}

class TestWorld extends EventEmitter<{ update: [SimGameView]; final: [SimGameView] }> implements SimWorld {
  constructor(private readonly list: SimGameView[]) {
    super();
  }
  games(): readonly SimGameView[] {
    return this.list;
  }
  game(id: string): SimGameView | undefined {
    return this.list.find((g) => g.id === id);
  }
}

const trader = privateKeyToAccount('0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6');

describe('Polymarket simulator', () => {
  it('derives the same ids from the same seed and different ones from another seed', () => {
    const game = simGame('g1', 'nba', 'BOS', 'LAL', '2026-11-24T03:00:00Z');
    const a = new PolymarketSimVenue({ seed: 's1' }).listGame(game);
    const b = new PolymarketSimVenue({ seed: 's1' }).listGame(game);
    const c = new PolymarketSimVenue({ seed: 's2' }).listGame(game);
    expect(b).toEqual(a);
    expect(c.conditionId).not.toBe(a.conditionId);
    expect(c.tokens[0]!.tokenId).not.toBe(a.tokens[0]!.tokenId);
    expect(a.eventSlug).toBe('nba-bos-lal-2026-11-24');
    expect(a.conditionId).toMatch(/^0x[0-9a-f]{64}$/);
    expect(a.tokens).toEqual([
      { tokenId: expect.stringMatching(/^\d{76,77}$/), outcome: 'Celtics', team: 'BOS', result: 'away', paysOnResult: true },
      { tokenId: expect.stringMatching(/^\d{76,77}$/), outcome: 'Lakers', team: 'LAL', result: 'home', paysOnResult: true },
    ]);
  });

  it('follows a world: lists its games, shows live scores on Gamma, settles at the final', async () => {
    const { venue, gammaUrl } = await started({ seed: 'world' });
    const game = simGame('w1', 'nhl', 'BOS', 'TOR', '2026-11-24T00:00:00Z');
    const world = new TestWorld([game]);
    const stop = venue.followWorld(world);
    cleanups.push(stop);
    const listing = venue.listGame(game); // already listed by followWorld: the same listing comes back
    expect(venue.listGame(game)).toEqual(listing);

    const live: SimGameView = { ...game, status: 'live', period: 2, homeScore: 2, awayScore: 1, clockS: 300 };
    world.emit('update', live);
    const gamma = new GammaClient({ baseUrl: gammaUrl });
    const ev = await gamma.getEventBySlug(listing.eventSlug);
    expect(ev).toMatchObject({ live: true, ended: false, score: '1-2', period: 'P2' });

    world.emit('final', { ...live, status: 'final', winner: 'home' });
    const m = await gamma.getMarketBySlug(listing.eventSlug);
    expect(m).toMatchObject({ closed: true, outcomePrices: [0, 1] });
  });

  it('resolves a two-way market 50-50 on a draw, and a soccer draw to the Draw market\'s Yes', async () => {
    const { venue, clobUrl } = await started({ seed: 'draws' });
    const nfl = venue.listGame(simGame('d1', 'nfl', 'KC', 'BUF', '2026-11-24T00:00:00Z'));
    const epl = venue.listGame(simGame('d2', 'epl', 'ARS', 'CHE', '2026-11-24T15:00:00Z'));
    const creds = venue.registerApiKey({ address: trader.address, collateralUsd: 100 });
    const client = new PolymarketClobClient({ baseUrl: clobUrl, credentials: creds, address: trader.address });
    // Soccer markets are neg-risk: their orders are signed for the NegRisk exchange.
    const buy = async (tokenId: string, negRisk = true) => {
      venue.setMakerQuotes(tokenId, { yesBids: [], yesAsks: [[0.4, 100]] });
      const built = buildOrder({ tokenId, side: 'BUY', price: 0.4, size: 10, tickSize: '0.01', signer: trader.address });
      await client.postOrder(await signOrder(trader, built, { negRisk }), 'FOK');
    };
    await buy(nfl.tokens[0]!.tokenId, false);
    await expect(buy(epl.markets[0]!.tokens[0]!.tokenId, false)).rejects.toThrow(/invalid order signature/);
    const drawYes = epl.markets[1]!.tokens[0]!;
    const homeNo = epl.markets[0]!.tokens[1]!;
    const awayYes = epl.markets[2]!.tokens[0]!;
    expect([drawYes.result, drawYes.paysOnResult, homeNo.paysOnResult]).toEqual(['draw', true, false]);
    await buy(drawYes.tokenId);
    await buy(homeNo.tokenId);
    await buy(awayYes.tokenId);
    const before = venue.account(creds.apiKey)!.collateralUsd;
    venue.settleGame('d1', 'draw');
    venue.settleGame('d2', 'draw');
    // NFL 10 shares at 0.50 + Draw-Yes 10 + Home-No 10; Away-Yes pays nothing.
    expect(venue.account(creds.apiKey)!.collateralUsd).toBeCloseTo(before + 5 + 10 + 10, 9);
  });

  it('sends market_resolved to clients that enabled custom features', async () => {
    const { venue, wsUrl } = await started({ seed: 'resolved' });
    const listing = venue.listGame(simGame('r1', 'nba', 'BOS', 'LAL', '2026-11-24T03:00:00Z'));
    const s = new PolymarketMarketStream({ url: wsUrl, customFeatureEnabled: true });
    cleanups.push(() => s.close());
    const resolved: WsMarketResolved[] = [];
    s.on('resolved', (r) => resolved.push(r));
    s.setAssets(listing.tokens.map((t) => t.tokenId));
    await eventually(() => listing.tokens.every((t) => s.book(t.tokenId)?.synced));
    venue.settleGame('r1', 'away');
    await eventually(() => resolved.length === 1, 5000, 'market_resolved');
    expect(resolved[0]).toMatchObject({ market: listing.conditionId, winningAssetId: listing.tokens[0]!.tokenId, winningOutcome: 'Celtics' });
  });

  it('charges the same taker fee as the core fee module, in 6-decimal units', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 9_999 }), (contracts, p4) => {
        const micro = takerFee(BigInt(contracts) * 1_000_000n, p4, DEFAULT_FEES.poly.takerRateBp);
        expect(micro).toBe(BigInt(feeCc(DEFAULT_FEES.poly, contracts, p4 / 10_000)) * 100n);
      }),
    );
  });

  it('answers garbage order bodies behind valid L2 auth with 4xx, never 500', async () => {
    const { venue, clobUrl } = await started({ seed: 'garbage' });
    venue.listGame(simGame('x1', 'nba', 'BOS', 'LAL', '2026-11-24T03:00:00Z'));
    const creds = venue.registerApiKey({ address: trader.address, collateralUsd: 100 });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.record({ order: fc.jsonValue(), owner: fc.constant(creds.apiKey), orderType: fc.constantFrom('GTC', 'FOK', 'XYZ') }).map((o) => JSON.stringify(o)),
        ),
        async (body) => {
          const headers = buildL2Headers(creds, trader.address, { method: 'POST', requestPath: '/order', body });
          const res = await fetch(`${clobUrl}/order`, { method: 'POST', headers, body });
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
        },
      ),
      { numRuns: 150 },
    );
    expect(venue.stats().serverErrors).toBe(0);
  });

  it('answers garbage WebSocket messages with INVALID OPERATION and keeps serving', async () => {
    const { venue, wsUrl } = await started({ seed: 'ws-garbage' });
    const listing = venue.listGame(simGame('x2', 'nba', 'BOS', 'LAL', '2026-11-24T03:00:00Z'));
    const ws = new WebSocket(wsUrl);
    cleanups.push(() => ws.terminate());
    const frames: string[] = [];
    ws.on('message', (d) => frames.push(d.toString()));
    await new Promise((r) => ws.once('open', r));
    for (const junk of ['{', '[]', 'null', '{"assets_ids": 5}', '{"operation":"dance","assets_ids":[]}']) ws.send(junk);
    ws.send(JSON.stringify({ assets_ids: [listing.tokens[0]!.tokenId], type: 'market' }));
    ws.send('PING');
    await eventually(() => frames.includes('PONG') && frames.some((f) => f.includes('"event_type":"book"')), 5000, 'book and PONG');
    expect(frames.filter((f) => f === 'INVALID OPERATION')).toHaveLength(5);
    expect(venue.stats().badMessages).toBe(5);
  });
});
