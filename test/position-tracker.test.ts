/**
 * position_tracker through the service, on real Redis and real ZMQ: trades appended to a
 * test-unique trades:completed (and published on a test publisher), P&L and cash to the
 * centi-cent, bad input, marks from published prices for held markets only, and settlement at
 * a game final.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_FEES, feeCc } from '../src/core/fees.js';
import { nowMicros } from '../src/core/time.js';
import { Topic } from '../src/core/topics.js';
import type { PriceUpdate } from '../src/core/messages.js';
import { latestGameValue } from '../src/bus/slow-track.js';
import { startService, type RunningService } from '../src/runtime/service.js';
import { positionTracker } from '../src/services/position-tracker/position-tracker.js';
import { eventually } from './helpers/redis.js';
import { fill, gameInfo, gameState, price, TrackerHarness, trade } from './position-tracker-harness.js';

const START_CC = 10_000_000; // $1000
const kfee = (n: number, yes: number) => feeCc(DEFAULT_FEES.kalshi, n, yes);

let harnesses: TrackerHarness[] = [];
let services: RunningService[] = [];

afterEach(async () => {
  for (const s of services) await s.stop();
  for (const h of harnesses) await h.close();
  services = [];
  harnesses = [];
});

async function setUp(env: Record<string, string> = {}): Promise<{ h: TrackerHarness; metric: (name: string) => number }> {
  const h = new TrackerHarness();
  harnesses.push(h);
  await h.startPublisher();
  const running = await startService(positionTracker, h.env(env));
  services.push(running);
  const metric = (name: string) => running.ctx.metrics.snapshot()[name] ?? 0;
  await h.record();
  await h.joined(() => metric('sub.received'));
  return { h, metric };
}

describe('position_tracker: P&L from trades:completed', () => {
  it('builds positions per market and side with average price, fees, realised P&L and cash in integer cc', async () => {
    const { h } = await setUp();
    const buyYes = fill('KX-A', 'yes', 'buy', 10, 0.4, kfee(10, 0.4));
    const buyNo = fill('KX-A', 'no', 'buy', 5, 0.7, kfee(5, 0.7)); // NO at yes 0.70 costs 0.30
    const sellYes = fill('KX-A', 'yes', 'sell', 4, 0.55, kfee(4, 0.55));
    await h.appendTrade(trade('t1', 'g1', [buyYes]));
    await h.appendTrade(trade('t2', 'g1', [buyNo]));
    const last = await h.appendTrade(trade('t3', 'g1', [sellYes]));
    const cp = await h.waitCursor(last);

    const releasedFee = Math.floor((buyYes.fee_cc * 4) / 10);
    const realised = 4 * 5500 - 16_000 - releasedFee - sellYes.fee_cc;
    const cash = START_CC - 40_000 - buyYes.fee_cc - 15_000 - buyNo.fee_cc + 22_000 - sellYes.fee_cc;
    expect(Number(cp.cash_cc)).toBe(cash);
    expect(Number(cp.realised_cc)).toBe(realised);
    expect(Number(cp.cash_cc) + Number(cp.open_basis_cc)).toBe(START_CC + Number(cp.realised_cc));

    const rows = await h.openRows();
    const yes = rows.get('kalshi:KX-A:yes:1')!;
    const no = rows.get('kalshi:KX-A:no:1')!;
    expect(yes.book).toMatchObject({ contracts: 6, costCc: 24_000, openFeesCc: buyYes.fee_cc - releasedFee, realisedCc: realised });
    expect(yes.position).toMatchObject({ side: 'yes', contracts: 6, avg_yes_price: 0.4, cost_cc: 24_000, realized_pnl_cc: realised });
    // NO kept in NO terms for money and shown as a YES price: average 0.30 NO = yes 0.70.
    expect(no.position).toMatchObject({ side: 'no', contracts: 5, avg_yes_price: 0.7, cost_cc: 15_000, fees_cc: buyNo.fee_cc });

    await eventually(() => h.positions('kalshi:KX-A:yes:1').some((p) => p.contracts === 6), 5_000, 'positions.<id> on the hot path');
    expect(h.positions('kalshi:KX-A:yes:1').at(-1)).toMatchObject({ contracts: 6, realized_pnl_cc: realised, state: 'open' });
  });

  it('ignores a duplicate trade_id, counts malformed entries and refused fills, and alerts a trade that never became durable', async () => {
    const { h, metric } = await setUp({ PT_DURABLE_WAIT_MS: '300' });
    const buy = fill('KX-B', 'yes', 'buy', 10, 0.5, 0);
    await h.appendTrade(trade('d1', 'g1', [buy]));
    await h.appendTrade(trade('d1', 'g1', [buy])); // the execution service retried its write
    await h.appendRaw(['type', 'trade_completed', 'data', '{not json']);
    await h.appendRaw(['type', 'trade_completed', 'data', JSON.stringify({ trade_id: 'x', fills: 'no' })]);
    await h.appendRaw(['type', 'price', 'data', '{}']);
    await h.appendTrade(trade('d2', 'g1', [fill('KX-B', 'yes', 'sell', 11, 0.5, 0)])); // more than held
    const last = await h.appendTrade(trade('d3', 'g1', [fill('KX-B', 'no', 'sell', 1, 0.5, 0), fill('KX-B', 'yes', 'sell', 2, 0.6, 0)]));
    const cp = await h.waitCursor(last);
    expect(metric('pt.trades_duplicate')).toBe(1);
    expect(metric('pt.trades_malformed')).toBe(3);
    expect(metric('pt.fills_refused')).toBe(2);
    expect(metric('pt.fills_applied')).toBe(2);
    expect((await h.openRows()).get('kalshi:KX-B:yes:1')!.book.contracts).toBe(8);
    expect(Number(cp.cash_cc)).toBe(START_CC - 50_000 + 12_000);

    // Heard on the hot path only: counted and alerted, never applied.
    h.publish(Topic.tradeCompleted('ghost'), 'trade_completed', trade('ghost', 'g1', [fill('KX-G', 'yes', 'buy', 1, 0.5, 0)]));
    await eventually(() => metric('pt.trades_not_durable') === 1, 5_000, 'the not-durable alert');
    expect((await h.openRows()).has('kalshi:KX-G:yes:1')).toBe(false);
    expect(metric('pt.hot_duplicates')).toBeGreaterThanOrEqual(1); // d1 was heard twice
  });
});

describe('position_tracker: a trimmed log is reported', () => {
  it('says so at start when trades:completed lost entries (the rebuild cannot be exact then)', async () => {
    const h = new TrackerHarness();
    harnesses.push(h);
    await h.appendTrade(trade('old1', 'g1', [fill('KX-T', 'yes', 'buy', 1, 0.5, 0)]), false);
    await h.appendTrade(trade('old2', 'g1', [fill('KX-T', 'yes', 'buy', 1, 0.5, 0)]), false);
    await h.redis.xtrim(h.keys.tradesCompleted, 'MAXLEN', 1);
    const running = await startService(positionTracker, h.env());
    services.push(running);
    expect(running.ctx.metrics.snapshot()['pt.log_trimmed']).toBe(1);
    expect((await h.openRows()).get('kalshi:KX-T:yes:1')?.book.contracts).toBe(1);
  });
});

describe('position_tracker: marks of held markets only', () => {
  it('PT_MARK_SOURCE=prices: marks at the exit side from published prices, filters a prefix-alike market, and unsubscribes when flat', async () => {
    const { h, metric } = await setUp({ PT_MARK_SOURCE: 'prices' });
    const entryFee = kfee(10, 0.5);
    const id = await h.appendTrade(trade('m1', 'g1', [fill('KX-M', 'yes', 'buy', 10, 0.5, entryFee)]));
    await h.waitCursor(id);
    expect(metric('pt.held_markets')).toBe(1);
    const pid = 'kalshi:KX-M:yes:1';
    await eventually(() => {
      h.publish(Topic.price('kalshi', 'KX-M'), 'price', price('KX-M', 0.55, 0.57));
      return h.positions(pid).some((p) => p.mark_yes_price === 0.55);
    }, 10_000, 'a marked position');
    const marked = h.positions(pid).find((p) => p.mark_yes_price === 0.55)!;
    expect(marked.unrealized_pnl_cc).toBe(10 * 5500 - kfee(10, 0.55) - 50_000 - entryFee);

    // `prices.kalshi.KX-M2` matches the transport prefix of KX-M but is not held: filtered out.
    const filteredBefore = metric('sub.filtered');
    for (let i = 0; i < 5; i++) h.publish(Topic.price('kalshi', 'KX-M2'), 'price', price('KX-M2', 0.1, 0.12));
    await eventually(() => metric('sub.filtered') >= filteredBefore + 5, 5_000, 'filtered prices');
    expect(h.positions(pid).every((p) => p.mark_yes_price === null || p.mark_yes_price === 0.55)).toBe(true);

    const flat = await h.appendTrade(trade('m2', 'g1', [fill('KX-M', 'yes', 'sell', 10, 0.55, kfee(10, 0.55))]));
    await h.waitCursor(flat);
    expect(metric('pt.held_markets')).toBe(0);
    const closed = await h.closedEntries();
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ positionId: pid, state: 'closed' });
    expect(closed[0]!.position.realized_pnl_cc).toBe(5_000 - entryFee - kfee(10, 0.55));
    // The closing message itself is on its way (it leaves at the end of the tracker's turn).
    await eventually(() => h.positions(pid).some((p) => p.state === 'closed'), 5_000, 'the closed position heard');
    const heardBefore = h.positions(pid).length;
    for (let i = 0; i < 5; i++) h.publish(Topic.price('kalshi', 'KX-M'), 'price', price('KX-M', 0.7, 0.72));
    await new Promise((r) => setTimeout(r, 300));
    expect(h.positions(pid)).toHaveLength(heardBefore);
  });

  it('marks moved by one quote snapshot leave as one batch frame, each position heard', async () => {
    const { h, metric } = await setUp({ PT_MARK_PUBLISH_MS: '0' });
    const markets = ['KX-B1', 'KX-B2', 'KX-B3', 'KX-B4'];
    let last = '';
    for (const [i, m] of markets.entries()) last = await h.appendTrade(trade(`b${i}`, 'g1', [fill(m, 'yes', 'buy', 10, 0.5, kfee(10, 0.5))]));
    await h.waitCursor(last);
    const framesBefore = metric('pub.sent_frames');
    const publishedBefore = metric('pub.published');
    const now = nowMicros();
    h.publish(Topic.quotes('kalshi', 'mon0'), 'quotes', { venue: 'kalshi', quotes: markets.map((m) => ({ ...price(m, 0.61, 0.63), origin_ts: now })) });
    await eventually(() => markets.every((m) => h.positions(`kalshi:${m}:yes:1`).some((p) => p.mark_yes_price === 0.61)), 10_000, 'all four marked');
    // Four position messages from one turn of the tracker, in one frame on positions.~batch.
    expect(metric('pub.published') - publishedBefore).toBe(markets.length);
    expect(metric('pub.sent_frames') - framesBefore).toBe(1);
  });

  it('quote snapshots (the default): marks held markets from them, skips the rest, stops when flat, and hears no prices', async () => {
    const { h, metric } = await setUp();
    const entryFee = kfee(10, 0.5);
    const id = await h.appendTrade(trade('q1', 'g1', [fill('KX-Q', 'yes', 'buy', 10, 0.5, entryFee)]));
    await h.waitCursor(id);
    const pid = 'kalshi:KX-Q:yes:1';
    const snapshot = (quotes: PriceUpdate[]) => {
      const now = nowMicros();
      h.publish(Topic.quotes('kalshi', 'mon0'), 'quotes', { venue: 'kalshi', quotes: quotes.map((q) => ({ ...q, origin_ts: now })) });
    };
    // One snapshot holds many markets; only the held one marks.
    const others = Array.from({ length: 50 }, (_, i) => price(`KX-OTHER${i}`, 0.2, 0.22));
    await eventually(() => {
      snapshot([...others, price('KX-Q', 0.55, 0.57)]);
      return h.positions(pid).some((p) => p.mark_yes_price === 0.55);
    }, 10_000, 'a position marked from a snapshot');
    const marked = h.positions(pid).find((p) => p.mark_yes_price === 0.55)!;
    expect(marked.unrealized_pnl_cc).toBe(10 * 5500 - kfee(10, 0.55) - 50_000 - entryFee);
    expect(metric('pt.quote_snapshots')).toBeGreaterThan(0);
    expect(metric('pt.marks_applied')).toBeGreaterThan(0);
    // Prices of a held market are not even received: the tracker did not subscribe to them.
    await new Promise((r) => setTimeout(r, 300)); // the last snapshots of the loop above land first
    const receivedBefore = metric('sub.received');
    for (let i = 0; i < 5; i++) h.publish(Topic.price('kalshi', 'KX-Q'), 'price', price('KX-Q', 0.9, 0.91));
    await new Promise((r) => setTimeout(r, 300));
    expect(metric('sub.received')).toBe(receivedBefore);
    expect(h.positions(pid).some((p) => p.mark_yes_price === 0.9)).toBe(false);

    const flat = await h.appendTrade(trade('q2', 'g1', [fill('KX-Q', 'yes', 'sell', 10, 0.55, kfee(10, 0.55))]));
    await h.waitCursor(flat);
    await eventually(() => h.positions(pid).some((p) => p.state === 'closed'), 5_000, 'the closed position heard');
    const heardBefore = h.positions(pid).length;
    for (let i = 0; i < 5; i++) snapshot([price('KX-Q', 0.7, 0.72)]);
    await new Promise((r) => setTimeout(r, 300));
    expect(h.positions(pid)).toHaveLength(heardBefore);
  });
});

describe('position_tracker: settlement at the game final', () => {
  it('settles every held contract of the game at 1 or 0 with fees included, records it durably, and only once', async () => {
    const { h, metric } = await setUp({ PT_FINAL_GRACE_MS: '60000' });
    const markets = [
      { venue: 'kalshi' as const, market_id: 'KH', team: 'HOM', outcome: 'home' as const },
      { venue: 'kalshi' as const, market_id: 'KA', team: 'AWY', outcome: 'away' as const },
    ];
    await eventually(async () => {
      h.publish(Topic.game('nba', 'gs1'), 'game_info', gameInfo('gs1', markets));
      return true;
    });
    const f1 = fill('KH', 'yes', 'buy', 10, 0.6, kfee(10, 0.6));
    const f2 = fill('KA', 'no', 'buy', 4, 0.4, kfee(4, 0.4)); // NO on the away team at 0.60
    const f3 = fill('KA', 'yes', 'buy', 2, 0.4, kfee(2, 0.4));
    await h.appendTrade(trade('s1', 'gs1', [f1]));
    const last = await h.appendTrade(trade('s2', 'gs1', [f2, f3]));
    await h.waitCursor(last);

    // game_info final alone waits (grace) for the final score; the final game_state settles.
    h.publish(Topic.game('nba', 'gs1'), 'game_info', gameInfo('gs1', markets, 'final'));
    await new Promise((r) => setTimeout(r, 300));
    expect(await h.redis.xlen(h.keys.settlements)).toBe(0);
    expect((await h.openRows()).size).toBe(3);
    await eventually(async () => {
      h.publish(Topic.game('nba', 'gs1'), 'game_state', gameState('gs1', 'final', 101, 99));
      return (await h.openRows()).size === 0;
    }, 10_000, 'settlement');
    for (let i = 0; i < 5; i++) h.publish(Topic.game('nba', 'gs1'), 'game_state', gameState('gs1', 'final', 101, 99));
    await new Promise((r) => setTimeout(r, 300));

    const settlements = (await h.redis.xrange(h.keys.settlements, '-', '+')) as [string, string[]][];
    expect(settlements).toHaveLength(1);
    const record = JSON.parse(settlements[0]![1][settlements[0]![1].indexOf('data') + 1]!);
    expect(record).toMatchObject({ game_id: 'gs1', home_score: 101, away_score: 99, after_trade_id: last });
    expect(record.markets).toEqual([
      { venue: 'kalshi', market_id: 'KH', outcome: 'home', outcome_yes_price: 1 },
      { venue: 'kalshi', market_id: 'KA', outcome: 'away', outcome_yes_price: 0 },
    ]);
    const closed = await h.closedEntries();
    const realised = Object.fromEntries(closed.map((c) => [c.positionId, c.position.realized_pnl_cc]));
    expect(closed.every((c) => c.state === 'settled')).toBe(true);
    expect(realised).toEqual({
      'kalshi:KH:yes:1': 100_000 - 60_000 - f1.fee_cc,
      'kalshi:KA:no:1': 40_000 - 24_000 - f2.fee_cc,
      'kalshi:KA:yes:1': 0 - 8_000 - f3.fee_cc,
    });
    const cp = await h.checkpoint();
    expect(Number(cp.cash_cc)).toBe(START_CC + Object.values(realised).reduce((a, b) => a + b, 0));
    expect(Number(cp.open_basis_cc)).toBe(0);
    expect(metric('pt.settlements_recorded')).toBe(1);

    // A final for a game nobody holds changes nothing.
    h.publish(Topic.game('nba', 'nobody'), 'game_state', gameState('nobody', 'final', 1, 0));
    await eventually(() => metric('pt.finals_without_positions') >= 1, 5_000, 'the unknown final counted');
    expect(await h.redis.xlen(h.keys.settlements)).toBe(1);
  });

  it('a game_info final with no final game_state settles on the last score once the grace has passed', async () => {
    const { h } = await setUp({ PT_FINAL_GRACE_MS: '300' });
    const markets = [{ venue: 'kalshi' as const, market_id: 'KG', team: 'AWY', outcome: 'away' as const }];
    const id = await h.appendTrade(trade('gi1', 'gi', [fill('KG', 'no', 'buy', 5, 0.3, 0)]));
    await h.waitCursor(id);
    h.publish(Topic.game('nba', 'gi'), 'game_state', gameState('gi', 'live', 88, 80));
    const started = Date.now();
    await eventually(async () => {
      h.publish(Topic.game('nba', 'gi'), 'game_info', gameInfo('gi', markets, 'final'));
      return (await h.openRows()).size === 0;
    }, 10_000, 'settlement after the grace');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    const closed = await h.closedEntries();
    // NO on the away team bought at yes 0.30 (NO costs 0.70); the away team lost: NO pays 1.
    expect(closed).toMatchObject([{ positionId: 'kalshi:KG:no:1', state: 'settled', position: { realized_pnl_cc: 5 * 3000 } }]);
  });

  it('settles a final the hot path never delivered, from the slow track (games:active + latest game key)', async () => {
    const h = new TrackerHarness();
    harnesses.push(h);
    const markets = [{ venue: 'kalshi' as const, market_id: 'KR', team: 'HOM', outcome: 'home' as const }];
    await h.redis.hset(h.keys.activeGames, 'gr', JSON.stringify(gameInfo('gr', markets)));
    const running = await startService(positionTracker, h.env({ PT_GAME_REFRESH_MS: '200' }));
    services.push(running);
    const id = await h.appendTrade(trade('r1', 'gr', [fill('KR', 'yes', 'buy', 2, 0.25, 0)]), false);
    await h.waitCursor(id);
    await new Promise((r) => setTimeout(r, 400));
    expect((await h.openRows()).size).toBe(1);
    const envelope = { v: 1, type: 'game_state', id: 'x', src: 'shard.0', seq: 1, ts: nowMicros(), origin_ts: nowMicros(), data: gameState('gr', 'final', 5, 2) };
    await h.redis.set(h.keys.gameLatest('nba', 'gr'), latestGameValue(Topic.game('nba', 'gr'), envelope));
    await eventually(async () => (await h.openRows()).size === 0, 5_000, 'settlement from the slow track');
    expect(await h.closedEntries()).toMatchObject([{ positionId: 'kalshi:KR:yes:1', state: 'settled', position: { realized_pnl_cc: 2 * 7500 } }]);
  });

  it('leaves a level final of a sport without draws open and says so', async () => {
    const { h, metric } = await setUp();
    const markets = [{ venue: 'kalshi' as const, market_id: 'KT', team: 'HOM', outcome: 'home' as const }];
    h.publish(Topic.game('nba', 'gt1'), 'game_info', gameInfo('gt1', markets));
    const id = await h.appendTrade(trade('tie1', 'gt1', [fill('KT', 'yes', 'buy', 3, 0.5, 0)]));
    await h.waitCursor(id);
    await eventually(() => {
      h.publish(Topic.game('nba', 'gt1'), 'game_info', gameInfo('gt1', markets));
      h.publish(Topic.game('nba', 'gt1'), 'game_state', gameState('gt1', 'final', 100, 100));
      return metric('pt.settlements_unresolved') === 1;
    }, 10_000, 'the unresolved settlement');
    expect((await h.openRows()).size).toBe(1);
    expect(await h.redis.xlen(h.keys.settlements)).toBe(0);
  });
});
