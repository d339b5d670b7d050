/**
 * execution_service in sim mode against a Polymarket simulator that keeps a BUY's fee out of the
 * shares credited (POLYMARKET_BUY_FEE_IN_SHARES): the entry books the exact net shares the venue
 * holds, an exit of exactly that holding (9.85 shares) passes the risk engine and the executor,
 * the venue ends holding nothing, and the cash booked in trades:completed is the venue's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExitSignal, Fill } from '../src/core/messages.js';
import { contractsToMicros } from '../src/core/money.js';
import { fillNotionalCc } from '../src/core/positions/position-book.js';
import { nowMicros } from '../src/core/time.js';
import { PolymarketSimVenue } from '../src/sim/polymarket/polymarket-sim-venue.js';
import { ExecHarness, modelSignal } from './execution-harness.js';
import { nbaGame } from './kalshi-helpers.js';

const h = new ExecHarness();
let poly: PolymarketSimVenue;
let token = '';
const game = nbaGame(`g-frac-${h.uid}`);

/** Cash a fill moved by the book's account, fees included (negative: paid). */
const cashOf = (f: Fill) => (f.action === 'buy' ? -(fillNotionalCc(f) + f.fee_cc) : fillNotionalCc(f) - f.fee_cc);

/** The simulated wallet: collateral in cc (asserted whole) and the token's shares. */
function wallet(): { cashCc: number; shares: number } {
  const [account] = poly.accounts();
  const units = contractsToMicros(account!.collateralUsd);
  expect(units % 100).toBe(0);
  return { cashCc: units / 100, shares: account!.shares[token] ?? 0 };
}

beforeAll(async () => {
  poly = new PolymarketSimVenue({ seed: `frac-${h.uid}`, buyFeeInShares: true });
  const { clobUrl } = await poly.start();
  token = poly.listGame(game).tokens[0]!.tokenId;
  await h.startSource();
  await h.startExec({ EXEC_MODE: 'sim', POLYMARKET_CLOB_URL: clobUrl, POLYMARKET_BUY_FEE_IN_SHARES: 'true', EXEC_ORDER_TIMEOUT_MS: '2000' });
}, 60_000);

afterAll(async () => {
  await h.close();
  await poly?.close();
});

describe('a fee taken in shares, through execution_service', () => {
  it('books the 9.85 shares the venue credits for 10 bought, exits exactly 9.85, and the cash matches the venue', async () => {
    poly.setMakerQuotes(token, { yesBids: [[0.44, 100]], yesAsks: [[0.5, 100]] });
    h.publishBook('poly', token, [[0.44, 100]], [[0.5, 100]], game.id);
    await new Promise((r) => setTimeout(r, 150));
    const before = wallet();
    const signal = { ...modelSignal({ venue: 'poly', marketId: token, yesPrice: 0.5, contracts: 10, modelProb: null }), game_id: game.id };
    h.publishSignal(signal);
    const entry = await h.waitTrade(signal.signal_id);
    expect(entry.status).toBe('filled');
    expect(entry.fills).toEqual([expect.objectContaining({ action: 'buy', contracts: 9.85 })]);
    const start = wallet();
    expect(start.shares).toBe(9.85);
    expect(cashOf(entry.fills[0]!)).toBe(start.cashCc - before.cashCc); // $5.00: the fee was kept in shares

    const now = nowMicros();
    const exit: ExitSignal = { exit_id: `x-${h.uid}`, position_id: `poly:${token}:yes:1`, game_id: game.id, venue: 'poly', market_id: token, side: 'yes', contracts: 9.85, yes_price: 0.44, reason: 'stop_loss', created_ts: now, expires_ts: now + 30_000_000 };
    h.publishExit(exit);
    const out = await h.waitTrade(exit.exit_id);
    expect(out.status).toBe('filled');
    expect(out.fills).toEqual([expect.objectContaining({ action: 'sell', contracts: 9.85 })]);
    const end = wallet();
    expect(end.shares).toBe(0);
    // The exit's booked cash is exactly what the wallet received, and the round trip's P&L is the wallet's.
    expect(cashOf(out.fills[0]!)).toBe(end.cashCc - start.cashCc);
    expect(cashOf(entry.fills[0]!) + cashOf(out.fills[0]!)).toBe(end.cashCc - before.cashCc);
    expect(end.cashCc - before.cashCc).toBe(-50_000 + 43_340 - 729); // 9.85 x 0.44 less the sell's fee (0.03 x 9.85 x 0.44 x 0.56, up to the cc)
  });
});
