/**
 * Every pre-trade risk check, end to end through the running service (the pure engine has its
 * own unit tests in src/core/risk): price sanity, book sanity (crossed, spread, fat finger),
 * size caps per order / market / game / sport / total (sizing makes an order fit, and says so
 * when nothing fits), exits larger than the position, the order rate limit, the daily loss limit
 * (realised plus marked) and the available balance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExitSignal, TradeCompleted } from '../src/core/messages.js';
import { nowMicros } from '../src/core/time.js';
import { ExecHarness, modelSignal } from './execution-harness.js';

const filledOf = (t: TradeCompleted) => t.fills.reduce((s, f) => s + f.contracts, 0);
const settle = () => new Promise((r) => setTimeout(r, 120));

function exitOf(p: { id: string; marketId: string; contracts: number; yesPrice: number; gameId?: string }): ExitSignal {
  const now = nowMicros();
  return { exit_id: p.id, position_id: `pos-${p.id}`, game_id: p.gameId ?? 'g1', venue: 'kalshi', market_id: p.marketId, side: 'yes', contracts: p.contracts, yes_price: p.yesPrice, reason: 'take_profit', created_ts: now, expires_ts: now + 30_000_000 };
}

describe('price and book sanity, size and exposure caps, exits', () => {
  const h = new ExecHarness();
  const m = (name: string) => `KX${name}-${h.uid}`;

  beforeAll(async () => {
    await h.startSource();
    await h.startExec({
      EXEC_MAX_CONTRACTS_PER_ORDER: '30',
      EXEC_MAX_MARKET_USD: '20',
      EXEC_MAX_GAME_USD: '30',
      EXEC_MAX_SPORT_USD: '40',
      EXEC_MAX_TOTAL_USD: '50',
      EXEC_MAX_SPREAD: '0.05',
      EXEC_MIN_SIDE_PRICE: '0.05',
      EXEC_MAX_SIDE_PRICE: '0.95',
    });
  }, 60_000);
  afterAll(() => h.close());

  async function trade(signal: ReturnType<typeof modelSignal>): Promise<TradeCompleted> {
    h.publishSignal(signal);
    return h.waitTrade(signal.signal_id);
  }

  it('RISK_PRICE_OUT_OF_RANGE: a limit outside [0.05, 0.95]', async () => {
    h.publishBook('kalshi', m('PR'), [[0.95, 50]], [[0.97, 50]]);
    await settle();
    const t = await trade(modelSignal({ marketId: m('PR'), yesPrice: 0.97, contracts: 5, modelProb: null }));
    expect(t.reason).toMatch(/^RISK_PRICE_OUT_OF_RANGE/);
  });

  it('RISK_BOOK_CROSSED, RISK_SPREAD_TOO_WIDE, RISK_LIMIT_THROUGH_BOOK', async () => {
    h.publishBook('kalshi', m('CR'), [[0.5, 50]], [[0.45, 50]]);
    h.publishBook('kalshi', m('SP'), [[0.3, 50]], [[0.45, 50]]);
    h.publishBook('kalshi', m('FF'), [[0.39, 50]], [[0.4, 1], [0.45, 100]]);
    await settle();
    expect((await trade(modelSignal({ marketId: m('CR'), yesPrice: 0.46, contracts: 5, modelProb: null }))).reason).toMatch(/^RISK_BOOK_CROSSED/);
    expect((await trade(modelSignal({ marketId: m('SP'), yesPrice: 0.46, contracts: 5, modelProb: null }))).reason).toMatch(/^RISK_SPREAD_TOO_WIDE/);
    expect((await trade(modelSignal({ marketId: m('FF'), yesPrice: 0.45, contracts: 20, modelProb: null }))).reason).toMatch(/^RISK_LIMIT_THROUGH_BOOK/);
  });

  it('caps an order at the contracts per order, then at the market, game, sport and total exposure left; nothing left is EXEC_SIZE_ZERO', async () => {
    const book = (id: string) => h.publishBook('kalshi', id, [[0.39, 500]], [[0.4, 500]], null);
    for (const id of ['A', 'B', 'C', 'D']) book(m(id));
    await settle();
    // 30 contracts per order ($12 at 0.40).
    const a1 = await trade(modelSignal({ marketId: m('A'), yesPrice: 0.4, contracts: 100, modelProb: null, gameId: 'gA' }));
    expect(filledOf(a1)).toBe(30);
    // Market A: $20 - $12 = $8 left = 20 contracts.
    const a2 = await trade(modelSignal({ marketId: m('A'), yesPrice: 0.4, contracts: 100, modelProb: null, gameId: 'gA' }));
    expect(filledOf(a2)).toBe(20);
    const a3 = await trade(modelSignal({ marketId: m('A'), yesPrice: 0.4, contracts: 100, modelProb: null, gameId: 'gA' }));
    expect(a3.status).toBe('rejected');
    expect(a3.reason).toMatch(/^EXEC_SIZE_ZERO: .*risk cap 0/);
    // Game gA: $30 - $20 = $10 left = 25 contracts on another market of the game.
    const b1 = await trade(modelSignal({ marketId: m('B'), yesPrice: 0.4, contracts: 100, modelProb: null, gameId: 'gA' }));
    expect(filledOf(b1)).toBe(25);
    // Sport nba: $40 - $30 = $10 left = 25 contracts in another game.
    const c1 = await trade(modelSignal({ marketId: m('C'), yesPrice: 0.4, contracts: 100, modelProb: null, gameId: 'gC' }));
    expect(filledOf(c1)).toBe(25);
    const c2 = await trade(modelSignal({ marketId: m('C'), yesPrice: 0.4, contracts: 100, modelProb: null, gameId: 'gC' }));
    expect(c2.reason).toMatch(/^EXEC_SIZE_ZERO/);
    // Total $50 - $40 = $10 in another sport: 25 contracts.
    const d = { ...modelSignal({ marketId: m('D'), yesPrice: 0.4, contracts: 100, modelProb: null, gameId: 'gD' }), sport: 'nhl' as const };
    expect(filledOf(await trade(d))).toBe(25);
    const d2 = { ...modelSignal({ marketId: m('D'), yesPrice: 0.4, contracts: 100, modelProb: null, gameId: 'gD' }), sport: 'nhl' as const };
    expect((await trade(d2)).reason).toMatch(/^EXEC_SIZE_ZERO/);
  });

  it('an exit sells what is held (realising P&L); one larger than the position is RISK_EXIT_EXCEEDS_POSITION', async () => {
    const tooBig = exitOf({ id: `x1-${h.uid}`, marketId: m('A'), contracts: 51, yesPrice: 0.39, gameId: 'gA' });
    h.publishExit(tooBig);
    const t1 = await h.waitTrade(tooBig.exit_id);
    expect(t1).toMatchObject({ source: 'exit', trade_id: `exit-${tooBig.exit_id}`, status: 'rejected' });
    expect(t1.reason).toMatch(/^RISK_EXIT_EXCEEDS_POSITION: sell 51 yes but 50 held/);
    const ok = exitOf({ id: `x2-${h.uid}`, marketId: m('A'), contracts: 50, yesPrice: 0.39, gameId: 'gA' });
    h.publishExit(ok);
    const t2 = await h.waitTrade(ok.exit_id);
    expect(t2.status).toBe('filled');
    expect(t2.fills).toEqual([expect.objectContaining({ action: 'sell', side: 'yes', contracts: 50, yes_price: 0.39 })]);
    // Market A is flat again, so its exposure is released ($20 left in every limit): a new entry fits the per-order 30.
    const again = await trade(modelSignal({ marketId: m('A'), yesPrice: 0.4, contracts: 100, modelProb: null, gameId: 'gA' }));
    expect(filledOf(again)).toBe(30);
  });
});

describe('order rate limit', () => {
  const h = new ExecHarness();
  beforeAll(async () => {
    await h.startSource();
    await h.startExec({ EXEC_MAX_ORDERS_PER_WINDOW: '2', EXEC_ORDER_RATE_WINDOW_MS: '60000' });
  }, 60_000);
  afterAll(() => h.close());

  it('the third order in the window is RISK_RATE_LIMIT', async () => {
    const id = `KXRL-${h.uid}`;
    h.publishBook('kalshi', id, [[0.39, 500]], [[0.4, 500]]);
    await settle();
    const out: TradeCompleted[] = [];
    for (let i = 0; i < 3; i++) {
      const s = modelSignal({ marketId: id, yesPrice: 0.4, contracts: 1, modelProb: null });
      h.publishSignal(s);
      out.push(await h.waitTrade(s.signal_id));
    }
    expect(out.map((t) => t.status)).toEqual(['filled', 'filled', 'rejected']);
    expect(out[2]!.reason).toMatch(/^RISK_RATE_LIMIT: 2 orders in the last 60 s/);
  });
});

describe('daily loss limit (realised plus marked) and available balance', () => {
  const h = new ExecHarness();
  beforeAll(async () => {
    await h.startSource();
    await h.startExec({ EXEC_MAX_DAILY_LOSS_USD: '5', EXEC_BANKROLL_USD: '20' });
  }, 60_000);
  afterAll(() => h.close());

  it('sizes to the cash available, then RISK_DAILY_LOSS once the marked loss reaches the limit', async () => {
    const id = `KXDL-${h.uid}`;
    h.publishBook('kalshi', id, [[0.59, 500]], [[0.6, 500]]);
    await settle();
    // $20 of cash buys at most 32 at 0.60 with the worst-case fee reserved.
    const first = modelSignal({ marketId: id, yesPrice: 0.6, contracts: 1000, modelProb: null });
    h.publishSignal(first);
    const t1 = await h.waitTrade(first.signal_id);
    expect(filledOf(t1)).toBe(32);
    const broke = modelSignal({ marketId: id, yesPrice: 0.6, contracts: 10, modelProb: null });
    h.publishSignal(broke);
    expect((await h.waitTrade(broke.signal_id)).reason).toMatch(/^EXEC_SIZE_ZERO: .*risk cap 0/);
    // The market falls: 32 held at a 0.30 bid is marked about $9.6 down, beyond the $5 limit.
    const other = `KXDL2-${h.uid}`;
    h.publishBook('kalshi', id, [[0.3, 500]], [[0.31, 500]]);
    h.publishBook('kalshi', other, [[0.1, 500]], [[0.11, 500]]);
    await settle();
    const after = modelSignal({ marketId: other, yesPrice: 0.11, contracts: 1, modelProb: null });
    h.publishSignal(after);
    expect((await h.waitTrade(after.signal_id)).reason).toMatch(/^RISK_DAILY_LOSS/);
  });
});
