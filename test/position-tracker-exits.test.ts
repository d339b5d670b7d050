/**
 * Exit rules through the running position_tracker, real Redis and ZMQ: each rule fires exactly
 * once (one exit in flight per position, however many prices keep confirming it) with the right
 * reason and limit; near-certain winners and hedged pairs are held; an exit's fill closes the
 * position. Plus the money property over a random stream of trades, settlements and marks.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_FEES, feeCc } from '../src/core/fees.js';
import type { Fill, MarketRef } from '../src/core/messages.js';
import { Bankroll } from '../src/core/positions/bankroll.js';
import { PositionBook } from '../src/core/positions/position-book.js';
import { liquidationValueCc } from '../src/core/positions/position-marks.js';
import { Topic } from '../src/core/topics.js';
import { startService, type RunningService } from '../src/runtime/service.js';
import { positionTracker } from '../src/services/position-tracker/position-tracker.js';
import { samePosition } from '../src/services/position-tracker/recovery.js';
import { eventually } from './helpers/redis.js';
import { fill, gameInfo, gameState, price, TrackerHarness, trade } from './position-tracker-harness.js';

const START_CC = 10_000_000;
const kfee = (n: number, yes: number) => feeCc(DEFAULT_FEES.kalshi, n, yes);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let harnesses: TrackerHarness[] = [];
let services: RunningService[] = [];

afterEach(async () => {
  for (const s of services) await s.stop();
  for (const h of harnesses) await h.close();
  services = [];
  harnesses = [];
});

const EXIT_ENV = { PT_MIN_HOLD_MS: '0', PT_EXIT_TTL_MS: '60000' };

async function setUp(env: Record<string, string>): Promise<{ h: TrackerHarness; metric: (name: string) => number }> {
  const h = new TrackerHarness();
  harnesses.push(h);
  await h.startPublisher();
  const running = await startService(positionTracker, h.env({ ...EXIT_ENV, ...env }));
  services.push(running);
  const metric = (name: string) => running.ctx.metrics.snapshot()[name] ?? 0;
  await h.record();
  await h.joined(() => metric('sub.received'));
  return { h, metric };
}

const HOME: MarketRef = { venue: 'kalshi', market_id: 'KE', team: 'HOM', outcome: 'home' };

interface Case {
  name: string;
  reason: string;
  env?: Record<string, string>;
  /** Entry: YES at this price. */
  entry: number;
  bid: number;
  ask: number;
  /** Limit the exit must carry (YES terms). */
  limit: number;
  modelHome?: number;
  /** Publish prices only until marked (the stale rule needs silence afterwards). */
  quiet?: boolean;
}

const CASES: Case[] = [
  { name: 'take profit', reason: 'take_profit', entry: 0.5, bid: 0.6, ask: 0.61, limit: 0.59 },
  { name: 'stop loss (NBA: 3 points)', reason: 'stop_loss', entry: 0.5, bid: 0.46, ask: 0.47, limit: 0.45 },
  { name: 'edge gone (model crossed the bid)', reason: 'edge_gone', entry: 0.5, bid: 0.51, ask: 0.52, limit: 0.5, modelHome: 0.5 },
  { name: 'time (held too long)', reason: 'time', entry: 0.5, bid: 0.5, ask: 0.51, limit: 0.49, env: { PT_MAX_HOLD_MS: '400' } },
  { name: 'stale market', reason: 'stale_market', entry: 0.5, bid: 0.5, ask: 0.51, limit: 0.49, quiet: true, env: { PT_STALE_QUOTE_MS: '200', PT_STALE_EXIT_MS: '500' } },
];

describe('position_tracker: each exit rule fires exactly once', () => {
  for (const c of CASES) {
    it(`${c.name} -> one signals.exit with reason ${c.reason}`, async () => {
      const { h, metric } = await setUp(c.env ?? {});
      h.publish(Topic.game('nba', 'ge'), 'game_info', gameInfo('ge', [HOME]));
      if (c.modelHome !== undefined) h.publish(Topic.game('nba', 'ge'), 'game_state', gameState('ge', 'live', 50, 50, c.modelHome));
      const id = await h.appendTrade(trade('e1', 'ge', [fill('KE', 'yes', 'buy', 10, c.entry, 0)]));
      await h.waitCursor(id);
      const pid = 'kalshi:KE:yes:1';
      await eventually(() => {
        if (c.modelHome !== undefined) h.publish(Topic.game('nba', 'ge'), 'game_state', gameState('ge', 'live', 50, 50, c.modelHome));
        const marked = h.positions(pid).some((p) => p.mark_yes_price === c.bid);
        if (!c.quiet || !marked) h.publishPrice(price('KE', c.bid, c.ask));
        return h.exits().length > 0;
      }, 10_000, `the ${c.reason} exit`);
      // The condition keeps holding: prices and clock ticks go on, and no second exit follows.
      for (let i = 0; i < 10; i++) {
        if (!c.quiet) h.publishPrice(price('KE', c.bid, c.ask));
        await sleep(40);
      }
      const exits = h.exits();
      expect(exits).toHaveLength(1);
      expect(exits[0]).toMatchObject({ reason: c.reason, position_id: pid, side: 'yes', contracts: 10, yes_price: c.limit, venue: 'kalshi', market_id: 'KE', game_id: 'ge' });
      expect(exits[0]!.expires_ts - exits[0]!.created_ts).toBe(60_000_000);
      expect(metric(`pt.exits_${c.reason}`)).toBe(1);
      expect(metric('pt.exits_in_flight')).toBe(1);
    });
  }

  it('the exit fill closes the position and frees it; a later position on the market gets its own exit', async () => {
    const { h } = await setUp({});
    const id = await h.appendTrade(trade('x1', 'ge', [fill('KE', 'yes', 'buy', 10, 0.5, kfee(10, 0.5))]));
    await h.waitCursor(id);
    await eventually(() => {
      h.publishPrice(price('KE', 0.6, 0.61));
      return h.exits().length === 1;
    }, 10_000, 'take profit');
    const exit = h.exits()[0]!;
    const done = await h.appendTrade(trade('x2', 'ge', [fill('KE', 'yes', 'sell', 10, 0.6, kfee(10, 0.6))], { source: 'exit', source_id: exit.exit_id }));
    await h.waitCursor(done);
    const closed = await h.closedEntries();
    expect(closed.map((c) => [c.positionId, c.state])).toEqual([['kalshi:KE:yes:1', 'closed']]);
    expect(closed[0]!.position.realized_pnl_cc).toBe(10 * 1000 - kfee(10, 0.5) - kfee(10, 0.6));
    const again = await h.appendTrade(trade('x3', 'ge', [fill('KE', 'yes', 'buy', 3, 0.5, 0)]));
    await h.waitCursor(again);
    await eventually(() => {
      h.publishPrice(price('KE', 0.6, 0.61));
      return h.exits().length === 2;
    }, 10_000, 'the second position exit');
    expect(h.exits()[1]).toMatchObject({ position_id: 'kalshi:KE:yes:2', contracts: 3, reason: 'take_profit' });
  });

  it('holds a near-certain winner to settlement and never exits a hedged pair on a price rule', async () => {
    const { h, metric } = await setUp({});
    const away: MarketRef = { venue: 'kalshi', market_id: 'KW', team: 'AWY', outcome: 'away' };
    h.publish(Topic.game('nba', 'gh'), 'game_info', gameInfo('gh', [HOME, away]));
    await sleep(100);
    await h.appendTrade(trade('h1', 'gh', [fill('KE', 'yes', 'buy', 5, 0.5, 0)]));
    // YES home on KE and YES away on KW: one of them pays whatever happens (no draws in the NBA).
    const b = await h.appendTrade(trade('h2', 'gh', [fill('KW', 'yes', 'buy', 5, 0.45, 0)]));
    await h.waitCursor(b);
    await eventually(() => {
      h.publishPrice(price('KE', 0.3, 0.31)); // 20 points down: a stop loss if naked
      h.publishPrice(price('KW', 0.95, 0.96)); // near certain
      return metric('pt.exits_hedged_held') > 3;
    }, 10_000, 'hedged positions held');
    expect(h.exits()).toHaveLength(0);

    // Naked, 45 points up: take profit would fire, but at 0.95 the rest is not worth spread and fees.
    const naked = await h.appendTrade(trade('h3', 'gn', [fill('KN', 'yes', 'buy', 5, 0.5, 0)]));
    await h.waitCursor(naked);
    await eventually(() => {
      h.publishPrice(price('KN', 0.95, 0.96));
      return h.positions('kalshi:KN:yes:1').some((p) => p.mark_yes_price === 0.95);
    }, 10_000, 'the naked winner marked');
    for (let i = 0; i < 5; i++) {
      h.publishPrice(price('KN', 0.95, 0.96));
      await sleep(60);
    }
    expect(h.exits()).toHaveLength(0);
    expect(metric('pt.exits_take_profit')).toBe(0);
  });
});

describe('position_tracker: money is conserved through the service', () => {
  it('cash + open basis = initial + realised; cash + liquidation value = initial + realised + unrealised; same as an independent fold', async () => {
    const { h } = await setUp({ PT_MIN_HOLD_MS: '600000' });
    const markets: MarketRef[] = ['P0', 'P1', 'P2'].map((m, i) => ({ venue: 'kalshi', market_id: m, team: null, outcome: i === 1 ? 'away' : 'home' }));
    h.publish(Topic.game('nba', 'gp'), 'game_info', gameInfo('gp', markets));
    const op = fc.record({
      market: fc.integer({ min: 0, max: 2 }),
      side: fc.constantFrom<'yes' | 'no'>('yes', 'no'),
      action: fc.constantFrom<'buy' | 'sell'>('buy', 'buy', 'sell'),
      contracts: fc.integer({ min: 1, max: 40 }),
      cents: fc.integer({ min: 1, max: 99 }),
    });
    const ops = fc.sample(fc.array(op, { minLength: 30, maxLength: 30 }), { seed: 7, numRuns: 1 })[0]!;
    const oracle = new PositionBook();
    const bank = new Bankroll(START_CC);
    let last = '';
    for (const [i, o] of ops.entries()) {
      const yes = o.cents / 100;
      const f: Fill = fill(`P${o.market}`, o.side, o.action, o.contracts, yes, kfee(o.contracts, yes));
      const t = trade(`p${i}`, 'gp', [f]);
      last = await h.appendTrade(t);
      try {
        bank.applyCashDelta(oracle.applyFill(f, { gameId: 'gp', sport: 'nba', team: null }, t.decided_ts).cashDeltaCc);
      } catch {
        // refused by the book (sold more than held): the service refuses it too
      }
    }
    const cp = await h.waitCursor(last);
    expect(Number(cp.cash_cc)).toBe(bank.cashCc);
    expect(Number(cp.realised_cc)).toBe(oracle.totalRealisedCc());
    expect(Number(cp.cash_cc) + Number(cp.open_basis_cc)).toBe(START_CC + Number(cp.realised_cc));
    const rows = await h.openRows();
    expect(rows.size).toBe(oracle.open().length);
    for (const p of oracle.open()) expect(samePosition(rows.get(p.positionId)?.book, p)).toBe(true);

    // Marks: equity at liquidation value is the same identity with unrealised P&L added.
    const tops = [
      { yesBid: 0.42, yesAsk: 0.44 },
      { yesBid: 0.61, yesAsk: 0.63 },
      { yesBid: 0.2, yesAsk: 0.25 },
    ];
    await eventually(() => {
      tops.forEach((top, m) => h.publishPrice(price(`P${m}`, top.yesBid, top.yesAsk)));
      const latest = oracle.open().map((p) => h.positions(p.positionId).at(-1));
      return latest.every((p) => p !== undefined && p.mark_yes_price !== null);
    }, 10_000, 'every open position marked');
    let liquidation = 0;
    let unrealised = 0;
    for (const p of oracle.open()) {
      const top = tops[Number(p.marketId.slice(1))]!;
      liquidation += liquidationValueCc(p, top, DEFAULT_FEES.kalshi)!;
      const heard = h.positions(p.positionId).at(-1)!;
      unrealised += heard.unrealized_pnl_cc;
    }
    expect(bank.cashCc + liquidation).toBe(START_CC + oracle.totalRealisedCc() + unrealised);

    // Settle the game: everything left becomes cash, and the identity holds with nothing open.
    await eventually(async () => {
      h.publish(Topic.game('nba', 'gp'), 'game_state', gameState('gp', 'final', 3, 1));
      return (await h.openRows()).size === 0;
    }, 10_000, 'the settlement');
    for (const m of markets) for (const c of oracle.settleMarket('kalshi', m.market_id, m.outcome === 'home' ? 1 : 0, 0)) bank.applyCashDelta(c.cashDeltaCc);
    await eventually(async () => Number((await h.checkpoint()).open_positions) === 0, 5_000, 'checkpoint after settlement');
    const end = await h.checkpoint();
    expect(Number(end.cash_cc)).toBe(bank.cashCc);
    expect(Number(end.cash_cc)).toBe(START_CC + Number(end.realised_cc));
    expect(Number(end.realised_cc)).toBe(oracle.totalRealisedCc());
  });
});
