/**
 * PolyOrderExecutor against the Polymarket simulator over real HTTP: per-market fees read from
 * the market (and refused above the rate the edge assumed), NO legs on the complement token,
 * fractional shares reported, the order lookup deciding an order the venue never got, and the
 * account's trades listed page by page (what a reconciliation compares our fills with).
 */
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_FEES } from '../src/core/fees.js';
import type { VenueOrder } from '../src/core/execution/venue-order.js';
import { PolymarketSimVenue } from '../src/sim/polymarket/polymarket-sim-venue.js';
import { PolyOrderExecutor } from '../src/venues/polymarket/executor.js';
import { PolymarketClobClient } from '../src/venues/polymarket/http.js';
import { clientOrderId } from '../src/venues/venue-executor.js';
import { simGame } from './helpers/polymarket-games.js';

const trader = privateKeyToAccount('0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6');
const venues: PolymarketSimVenue[] = [];
afterAll(async () => {
  for (const v of venues) await v.close();
});

let seq = 0;
function order(marketId: string, o: Partial<VenueOrder> = {}): VenueOrder {
  const id = `exec-test-${++seq}`;
  return { venue: 'poly', marketId, side: 'yes', action: 'buy', contracts: 10, limitYesPrice: 0.5, clientOrderId: clientOrderId(id, 0, 'entry'), purpose: 'entry', createdMs: Date.now(), team: null, ...o };
}

async function rig(takerFeeBp = 300) {
  const venue = new PolymarketSimVenue({ seed: `exec-${takerFeeBp}-${seq}`, takerFeeBp });
  venues.push(venue);
  const { clobUrl } = await venue.start();
  const game = venue.listGame(simGame(`nba-ex-${takerFeeBp}`, 'nba', 'BOS', 'LAL', '2026-11-24T03:00:00Z'));
  const [yes, no] = [game.tokens[0]!.tokenId, game.tokens[1]!.tokenId];
  venue.setMakerQuotes(yes, { yesBids: [[0.48, 100]], yesAsks: [[0.5, 100]] });
  venue.setMakerQuotes(no, { yesBids: [[0.48, 100]], yesAsks: [[0.5, 100]] });
  const credentials = venue.registerApiKey({ address: trader.address, collateralUsd: 1_000 });
  const client = new PolymarketClobClient({ baseUrl: clobUrl, credentials, address: trader.address });
  let now = Date.now();
  const exec = new PolyOrderExecutor({ client, account: trader, fee: DEFAULT_FEES.poly, notFoundAfterMs: 60_000, now: () => now });
  return { venue, exec, client, clobUrl, yes, no, advance: (ms: number) => (now += ms) };
}

describe('PolyOrderExecutor on the simulated CLOB', () => {
  it('books the market\'s own fee, and refuses a market charging more than the edge assumed', async () => {
    const cheap = await rig(200);
    const r = await cheap.exec.place(order(cheap.yes));
    expect(r).toMatchObject({ status: 'filled', filled: 10, notionalCc: 50_000 });
    expect(r.feeCc).toBe(500); // 0.02 x 10 x 0.5 x 0.5 = $0.05, not the configured 0.03
    const dear = await rig(500);
    const refused = await dear.exec.place(order(dear.yes));
    expect(refused.status).toBe('rejected');
    expect(refused.detail).toMatch(/^EXEC_UNSUPPORTED_LEG: .*charges 500 bp, above the 300 bp/);
    expect(dear.venue.stats()).toMatchObject({ ordersAccepted: 0, ordersRejected: 0 }); // refused before sending
  });

  it('a NO leg buys the complement token at 1 - the YES limit and is booked as NO on the market', async () => {
    const r0 = await rig(300);
    const r = await r0.exec.place(order(r0.yes, { side: 'no', limitYesPrice: 0.5 }));
    expect(r).toMatchObject({ status: 'filled', filled: 10, notionalCc: 50_000 });
    expect(r.fills[0]).toMatchObject({ market_id: r0.yes, side: 'no', action: 'buy', yes_price: 0.5 });
    const sell = await r0.exec.place(order(r0.yes, { side: 'no', action: 'sell', limitYesPrice: 0.55, purpose: 'exit' }));
    expect(sell).toMatchObject({ status: 'filled', filled: 10 });
    expect(sell.fills[0]).toMatchObject({ side: 'no', action: 'sell', yes_price: 0.52 }); // sold the complement at its bid 0.48
  });

  it('reports the fraction of a share a fine-tick buy leaves, instead of dropping it silently', async () => {
    const r0 = await rig(300);
    r0.venue.setTickSize(r0.yes, '0.001');
    r0.venue.setMakerQuotes(r0.yes, { yesBids: [[0.97, 100]], yesAsks: [[0.973, 100]] });
    const r = await r0.exec.place(order(r0.yes, { contracts: 7, limitYesPrice: 0.973 }));
    expect(r).toMatchObject({ status: 'partial', filled: 6 });
    expect(r.detail).toMatch(/0\.9989 more shares .* held at the venue, not booked/);
  });

  it('an order the venue never received is undecided until the grace passes, then none', async () => {
    const r0 = await rig(300);
    const o = order(r0.yes);
    expect(await r0.exec.reconcile(o, Date.now())).toBeNull();
    r0.advance(61_000);
    const r = await r0.exec.reconcile(o, Date.now() - 61_000);
    expect(r).toMatchObject({ status: 'none' });
    expect(r!.detail).toMatch(/has no order 0x[0-9a-f]{64}: it was never placed/);
  });

  it('lists every trade of the account with its order id, page by page (GET /data/trades)', async () => {
    const r0 = await rig(300);
    r0.venue.setMakerQuotes(r0.yes, { yesBids: [[0.48, 10_000]], yesAsks: [[0.5, 10_000]] });
    const orderIds: string[] = [];
    for (let i = 0; i < 105; i++) {
      const r = await r0.exec.place(order(r0.yes, { contracts: 5 }));
      expect(r.status).toBe('filled');
      orderIds.push(r.orderId!);
    }
    const trades = await r0.client.getTrades();
    expect(trades).toHaveLength(105); // more than one page of 100
    expect(trades.map((t) => t.takerOrderId)).toEqual(orderIds);
    expect(trades.every((t) => t.traderSide === 'TAKER' && t.size === 5_000_000n && t.price === 0.5 && t.side === 'BUY')).toBe(true);
    // Another account sees none of them.
    const other = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
    const otherCredentials = r0.venue.registerApiKey({ address: other.address, collateralUsd: 10 });
    const stranger = new PolymarketClobClient({ baseUrl: r0.clobUrl, credentials: otherCredentials, address: other.address });
    expect(await stranger.getTrades()).toEqual([]);
  });
});
