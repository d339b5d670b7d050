/**
 * PolyOrderExecutor against the Polymarket simulator over real HTTP: per-market fees read from
 * the market (and refused above the rate the edge assumed), NO legs on the complement token,
 * fractional shares reported, the order lookup deciding an order the venue never got, and the
 * account's trades listed page by page (what a reconciliation compares our fills with).
 */
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_FEES, feeCc } from '../src/core/fees.js';
import type { Fill } from '../src/core/messages.js';
import { contractsToMicros } from '../src/core/money.js';
import { resolveExitOptions } from '../src/core/positions/exit-options.js';
import { evaluateExit, type ExitDecision } from '../src/core/positions/exit-rules.js';
import { PositionBook } from '../src/core/positions/position-book.js';
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

async function rig(takerFeeBp = 300, buyFeeInShares = false) {
  const venue = new PolymarketSimVenue({ seed: `exec-${takerFeeBp}-${seq}`, takerFeeBp, buyFeeInShares });
  venues.push(venue);
  const { clobUrl } = await venue.start();
  const game = venue.listGame(simGame(`nba-ex-${takerFeeBp}`, 'nba', 'BOS', 'LAL', '2026-11-24T03:00:00Z'));
  const [yes, no] = [game.tokens[0]!.tokenId, game.tokens[1]!.tokenId];
  venue.setMakerQuotes(yes, { yesBids: [[0.48, 100]], yesAsks: [[0.5, 100]] });
  venue.setMakerQuotes(no, { yesBids: [[0.48, 100]], yesAsks: [[0.5, 100]] });
  const credentials = venue.registerApiKey({ address: trader.address, collateralUsd: 1_000 });
  const client = new PolymarketClobClient({ baseUrl: clobUrl, credentials, address: trader.address });
  let now = Date.now();
  const exec = new PolyOrderExecutor({ client, account: trader, fee: DEFAULT_FEES.poly, notFoundAfterMs: 60_000, now: () => now, buyFeeInShares });
  return { venue, exec, client, clobUrl, yes, no, game, apiKey: credentials.apiKey, advance: (ms: number) => (now += ms) };
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

  it('books the exact shares a fine-tick buy gets (6.9989 for 7 at 0.973) with the cash that moved, instead of flooring them', async () => {
    const r0 = await rig(300);
    r0.venue.setTickSize(r0.yes, '0.001');
    r0.venue.setMakerQuotes(r0.yes, { yesBids: [[0.97, 100]], yesAsks: [[0.973, 100]] });
    const r = await r0.exec.place(order(r0.yes, { contracts: 7, limitYesPrice: 0.973 }));
    // It spent all it signed ($6.81): filled, at the shares the venue credited.
    expect(r).toMatchObject({ status: 'filled', filled: 6.9989, notionalCc: 68_100, detail: '' });
    expect(r.fills).toEqual([expect.objectContaining({ contracts: 6.9989, notional_cc: 68_100, yes_price: 0.973 })]);
    expect(r0.venue.account(r0.apiKey)!.shares[r0.yes]).toBe(6.9989);
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

/**
 * A fee taken in shares, end to end against the simulator: the executor books the net shares the
 * venue credited and the cash it moved; the exit path (exit rules -> sell size) sells exactly what
 * is held; the position ends at exactly zero (or at dust below the venue's sell step, paid at
 * settlement) and its P&L is the venue's cash flow to the centi-cent.
 */
describe('fractional shares from a fee taken in shares, booked and exited exactly', () => {
  const META = { gameId: 'g-frac', sport: 'nba' as const, team: null };
  const RULES = resolveExitOptions({ all: { minHoldUs: 0 } }).nba;

  /** Applies a report's fills; returns the cash they moved by the book's account. */
  function book(positions: PositionBook, fills: readonly Fill[], ts: number): number {
    return fills.reduce((cash, f) => cash + positions.applyFill(f, META, ts).cashDeltaCc, 0);
  }

  /** The exit path's size: what the exit rules would sell of the position at this quote (a stop loss here). */
  function exitSize(positions: PositionBook, marketId: string, top: { yesBid: number; yesAsk: number }): ExitDecision {
    const position = positions.get('poly', marketId, 'yes')!;
    return evaluateExit({ position, top, quoteUs: 1, modelYesProb: null, secondsToEnd: null, gameFinal: false, nowUs: 2 }, RULES);
  }

  const collateralCc = (r: Awaited<ReturnType<typeof rig>>) => {
    const micros = contractsToMicros(r.venue.account(r.apiKey)!.collateralUsd);
    expect(micros % 100).toBe(0); // the venue moved whole centi-cents in these cases
    return micros / 100;
  };

  it('buys 10 at 0.50, holds the 9.85 the venue credited, sells all 9.85: flat at zero, P&L = the venue\'s cash flow', async () => {
    const r = await rig(300, true);
    const positions = new PositionBook();
    const startCc = collateralCc(r);
    const buy = await r.exec.place(order(r.yes, { contracts: 10, limitYesPrice: 0.5 }));
    // Fee 0.03 x 10 x 0.5 x 0.5 = $0.075 = 0.15 share at 0.50: the venue credits 9.85 for $5.00.
    expect(buy).toMatchObject({ status: 'filled', filled: 9.85 });
    expect(buy.fills[0]!.notional_cc! + buy.fills[0]!.fee_cc).toBe(50_000);
    let cash = book(positions, buy.fills, 1);
    expect(positions.get('poly', r.yes, 'yes')!.contracts).toBe(r.venue.account(r.apiKey)!.shares[r.yes]);
    expect(positions.get('poly', r.yes, 'yes')!.contracts).toBe(9.85);

    const exit = exitSize(positions, r.yes, { yesBid: 0.44, yesAsk: 0.45 });
    expect(exit).toMatchObject({ action: 'exit', reason: 'stop_loss', contracts: 9.85 });
    r.venue.setMakerQuotes(r.yes, { yesBids: [[0.44, 100]], yesAsks: [[0.45, 100]] });
    const sell = await r.exec.place(order(r.yes, { action: 'sell', contracts: (exit as { contracts: number }).contracts, limitYesPrice: 0.44, purpose: 'exit' }));
    expect(sell).toMatchObject({ status: 'filled', filled: 9.85 });
    cash += book(positions, sell.fills, 2);

    expect(positions.get('poly', r.yes, 'yes')).toBeUndefined();
    expect(r.venue.account(r.apiKey)!.shares[r.yes] ?? 0).toBe(0);
    const closed = positions.closed().at(-1)!;
    expect(closed).toMatchObject({ state: 'closed', contracts: 0, costCc: 0, openFeesCc: 0 });
    const venueCashFlow = collateralCc(r) - startCc; // -$5.00 + 9.85 x 0.44 - the sell's fee
    expect(venueCashFlow).toBe(-50_000 + 43_340 - feeCc(DEFAULT_FEES.poly, 9.85, 0.44));
    expect(closed.realisedCc).toBe(venueCashFlow);
    expect(cash).toBe(venueCashFlow);
  });

  it('a fine-tick buy nets 6.9931 shares: the exit sells 6.99, the 0.0031 dust is held (no order) and settles at its payout', async () => {
    const r = await rig(300, true);
    r.venue.setTickSize(r.yes, '0.001');
    r.venue.setMakerQuotes(r.yes, { yesBids: [[0.97, 100]], yesAsks: [[0.973, 100]] });
    const positions = new PositionBook();
    const startUnits = contractsToMicros(r.venue.account(r.apiKey)!.collateralUsd);
    const buy = await r.exec.place(order(r.yes, { contracts: 7, limitYesPrice: 0.973 }));
    let cash = book(positions, buy.fills, 1);
    const held = r.venue.account(r.apiKey)!.shares[r.yes]!;
    expect(held).toBe(6.9931); // 6.9989 bought, 0.0058 kept as the fee
    expect(positions.get('poly', r.yes, 'yes')!.contracts).toBe(held);

    // Below the hold-to-settle threshold so the rules do exit: a bid of 0.85.
    r.venue.setMakerQuotes(r.yes, { yesBids: [[0.85, 100]], yesAsks: [[0.86, 100]] });
    const exit = exitSize(positions, r.yes, { yesBid: 0.85, yesAsk: 0.86 });
    expect(exit).toMatchObject({ action: 'exit', contracts: 6.99 });
    const sell = await r.exec.place(order(r.yes, { action: 'sell', contracts: 6.99, limitYesPrice: 0.85, purpose: 'exit' }));
    expect(sell).toMatchObject({ status: 'filled', filled: 6.99 });
    cash += book(positions, sell.fills, 2);
    expect(positions.get('poly', r.yes, 'yes')!.contracts).toBe(0.0031);
    expect(r.venue.account(r.apiKey)!.shares[r.yes]).toBe(0.0031);
    expect(exitSize(positions, r.yes, { yesBid: 0.85, yesAsk: 0.86 })).toMatchObject({ action: 'hold', why: 'dust' });
    // Selling the whole holding is refused before it reaches the venue.
    expect(r.exec.unsupported(order(r.yes, { action: 'sell', contracts: 0.0031 }))).toMatch(/2 decimals/);

    r.venue.settle(r.game.conditionId, r.yes);
    for (const change of positions.settleMarket('poly', r.yes, 1, 3)) cash += change.cashDeltaCc;
    expect(positions.get('poly', r.yes, 'yes')).toBeUndefined();
    expect(positions.closed().at(-1)!).toMatchObject({ state: 'settled', contracts: 0, costCc: 0, openFeesCc: 0 });
    expect(positions.closed().at(-1)!.realisedCc).toBe(cash);
    // The venue charged 6.9989 x 0.973 = $6.809929 for the buy: a fraction of a centi-cent, booked
    // rounded against us (68,100 cc). So the booked cash is the venue's to within one centi-cent
    // per fill, never better than it.
    const venueUnits = contractsToMicros(r.venue.account(r.apiKey)!.collateralUsd) - startUnits;
    const sellFeeUnits = contractsToMicros(r.venue.account(r.apiKey)!.feesPaidUsd); // the buy's fee was kept in shares
    expect(venueUnits).toBe(-6_809_929 + 5_941_500 - sellFeeUnits + 3_100);
    expect(venueUnits - cash * 100).toBeGreaterThanOrEqual(0);
    expect(venueUnits - cash * 100).toBeLessThan(100 * 2);
    expect(venueUnits - cash * 100).toBe(71);
  });
});
