/**
 * Restart recovery with real processes: position_tracker runs as a child process (compiled by
 * tsc from src into a private folder, run by runServiceMain as `arbees run` does), is killed
 * with SIGKILL twice in the middle of a fast stream of trades (once mid-stream, once while it
 * is rebuilding), and after the last restart its positions, cash and closed stream must equal
 * an independent fold of the durable log: no position lost, none doubled, no closed entry
 * written twice, duplicates still ignored across the restart, the settlement applied once.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FEES, feeCc } from '../src/core/fees.js';
import type { Heartbeat, MarketRef, TradeCompleted } from '../src/core/messages.js';
import { Bankroll } from '../src/core/positions/bankroll.js';
import { PositionBook, type PositionSnapshot } from '../src/core/positions/position-book.js';
import { Topic } from '../src/core/topics.js';
import { registryKey } from '../src/bus/registry.js';
import { samePosition } from '../src/services/position-tracker/recovery.js';
import { parseSettlementFields } from '../src/services/position-tracker/settlement-record.js';
import { compareStreamIds } from '../src/services/position-tracker/stream-ids.js';
import { pairs, toTradeEntries } from '../src/services/position-tracker/trade-ingest.js';
import { eventually } from './helpers/redis.js';
import { fill, gameInfo, gameState, TrackerHarness, trade } from './position-tracker-harness.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURE = path.join(ROOT, 'test/fixtures/position-tracker-child.mjs');
const BUILD_DIR = path.join(ROOT, 'dist', `.pt-recovery-test-${randomBytes(4).toString('hex')}`);
const START_CC = 10_000_000;

beforeAll(() => {
  const tsc = path.join(ROOT, 'node_modules/.bin/tsc');
  const args = [
    '--outDir', BUILD_DIR, '--rootDir', ROOT, '--module', 'nodenext', '--moduleResolution', 'nodenext',
    '--target', 'es2022', '--lib', 'es2023', '--types', 'node', '--skipLibCheck', '--esModuleInterop', '--strict',
    path.join(ROOT, 'src/runtime/service.ts'),
    path.join(ROOT, 'src/services/position-tracker/position-tracker.ts'),
  ];
  const result = spawnSync(tsc, args, { cwd: ROOT, encoding: 'utf8' });
  if (!existsSync(path.join(BUILD_DIR, 'src/services/position-tracker/position-tracker.js'))) {
    throw new Error(`tsc did not emit the tracker:\n${result.stdout}\n${result.stderr}`);
  }
}, 180_000);

afterAll(() => rmSync(BUILD_DIR, { recursive: true, force: true }));

let children: ChildProcess[] = [];
let harness: TrackerHarness | null = null;

afterEach(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
  }
  children = [];
  await harness?.close();
  harness = null;
});

function spawnTracker(h: TrackerHarness): ChildProcess {
  const child = spawn(process.execPath, [FIXTURE], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, ...h.env({ LOG_LEVEL: process.env.PT_TEST_LOG ?? 'error', PT_READ_BATCH: '20' }), PT_DIST: BUILD_DIR },
  });
  children.push(child);
  return child;
}

async function kill9(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

async function heartbeat(h: TrackerHarness): Promise<Heartbeat | null> {
  const raw = await h.redis.get(registryKey('position_tracker', h.instance));
  return raw === null ? null : (JSON.parse(raw) as Heartbeat);
}

/** Applies the durable log like nobody in src does: trades in order, settlements after their trade. */
async function foldLog(h: TrackerHarness): Promise<{ book: PositionBook; bank: Bankroll; closed: PositionSnapshot[] }> {
  const trades = toTradeEntries((await h.redis.xrange(h.keys.tradesCompleted, '-', '+')) as [string, string[]][]);
  const settlements = ((await h.redis.xrange(h.keys.settlements, '-', '+')) as [string, string[]][]).map(([, f]) => parseSettlementFields(pairs(f))!);
  const book = new PositionBook();
  const bank = new Bankroll(START_CC);
  const closed: PositionSnapshot[] = [];
  const seen = new Set<string>();
  const settle = (s: (typeof settlements)[number]) => {
    for (const m of s.markets) {
      for (const c of book.settleMarket(m.venue, m.market_id, m.outcome_yes_price, s.ts)) {
        bank.applyCashDelta(c.cashDeltaCc);
        closed.push(c.position);
      }
    }
  };
  let next = 0;
  for (const entry of trades) {
    while (next < settlements.length && compareStreamIds(settlements[next]!.after_trade_id, entry.streamId) < 0) settle(settlements[next++]!);
    if (entry.trade === null || seen.has(entry.trade.trade_id)) continue;
    seen.add(entry.trade.trade_id);
    for (const f of entry.trade.fills) {
      try {
        const c = book.applyFill(f, { gameId: entry.trade.game_id, sport: entry.trade.sport, team: null }, entry.trade.decided_ts);
        bank.applyCashDelta(c.cashDeltaCc);
        if (c.position.state !== 'open') closed.push(c.position);
      } catch {
        // refused fill (sold more than held)
      }
    }
  }
  while (next < settlements.length) settle(settlements[next++]!);
  return { book, bank, closed };
}

describe('position_tracker restart recovery (kill -9 mid-stream)', () => {
  it('rebuilds exactly the positions, cash and closed entries of the durable log after two SIGKILLs', async () => {
    const h = new TrackerHarness();
    harness = h;
    await h.startPublisher();
    const settledMarkets: MarketRef[] = [
      { venue: 'kalshi', market_id: 'K1', team: 'HOM', outcome: 'home' },
      { venue: 'kalshi', market_id: 'K2', team: 'AWY', outcome: 'away' },
    ];
    await h.redis.hset(h.keys.activeGames, 'gk1', JSON.stringify(gameInfo('gk1', settledMarkets)));

    let child = spawnTracker(h);
    await eventually(async () => (await heartbeat(h))?.status === 'healthy', 20_000, 'the tracker up');
    await eventually(async () => {
      h.publish(Topic.game('nba', 'probe'), 'game_state', gameState('probe', 'live', 0, 0));
      return ((await heartbeat(h))?.metrics['sub.received'] ?? 0) > 0;
    }, 10_000, 'the tracker hearing the test publisher');

    // A seeded stream: buys and sells on both sides of three markets, a few duplicates and junk.
    let seed = 12345;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const sent: TradeCompleted[] = [];
    let last = '';
    const append = async (i: number, markets: string[]) => {
      if (i % 97 === 13) {
        last = await h.appendRaw(['type', 'trade_completed', 'data', `{"broken":${i}`]);
        return;
      }
      if (i % 41 === 7 && sent.length > 0) {
        last = await h.appendTrade(sent[rand(sent.length)]!, false); // a retried write: same trade_id
        return;
      }
      const market = markets[rand(markets.length)]!;
      const side = rand(2) === 0 ? 'yes' : 'no';
      const yes = (1 + rand(98)) / 100;
      const n = 1 + rand(30);
      const action = rand(3) === 0 ? 'sell' : 'buy';
      const gameId = market === 'K3' ? 'gk2' : 'gk1';
      const t = trade(`r${i}`, gameId, [fill(market, side, action, n, yes, feeCc(DEFAULT_FEES.kalshi, n, yes))]);
      sent.push(t);
      last = await h.appendTrade(t, false);
    };

    for (let i = 0; i < 150; i++) await append(i, ['K1', 'K2', 'K3']);
    // gk1 ends once the tracker has caught up (a fill it applied after the final would be
    // settled by a second record, which is right but not what this test counts).
    await h.waitCursor(last);
    await eventually(async () => {
      h.publish(Topic.game('nba', 'gk1'), 'game_state', gameState('gk1', 'final', 110, 104));
      return (await h.redis.xlen(h.keys.settlements)) === 1;
    }, 10_000, 'the gk1 settlement');
    for (let i = 150; i < 350; i++) await append(i, ['K3']);
    await kill9(child); // trades still arriving: the tracker is somewhere in the middle of them
    for (let i = 350; i < 450; i++) await append(i, ['K3']);

    child = spawnTracker(h);
    await new Promise((r) => setTimeout(r, 150 + rand(200)));
    await kill9(child); // killed again, during start-up / rebuild
    for (let i = 450; i < 500; i++) await append(i, ['K3']);
    child = spawnTracker(h);
    for (let i = 500; i < 600; i++) await append(i, ['K3']);
    const cp = await h.waitCursor(last, 30_000);

    const oracle = await foldLog(h);
    const rows = await h.openRows();
    const expectedOpen = oracle.book.open();
    expect(expectedOpen.length).toBeGreaterThan(0);
    expect([...rows.keys()].sort()).toEqual(expectedOpen.map((p) => p.positionId).sort());
    for (const p of expectedOpen) expect(samePosition(rows.get(p.positionId)!.book, p), p.positionId).toBe(true);
    expect(Number(cp.cash_cc)).toBe(oracle.bank.cashCc);
    expect(Number(cp.realised_cc)).toBe(oracle.book.totalRealisedCc());
    expect(Number(cp.cash_cc) + Number(cp.open_basis_cc)).toBe(START_CC + Number(cp.realised_cc));

    // Every closed or settled position appended exactly once, equal to the fold's.
    const closed = await h.closedEntries();
    const ids = closed.map((c) => c.positionId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(oracle.closed.map((p) => p.positionId).sort());
    const byId = new Map(oracle.closed.map((p) => [p.positionId, p]));
    for (const c of closed) expect(samePosition(c.book, byId.get(c.positionId)), c.positionId).toBe(true);
    expect(closed.some((c) => c.state === 'settled')).toBe(true);
    expect(await h.redis.xlen(h.keys.settlements)).toBe(1);

    // The snapshot each restart found agreed with the log at its committed point.
    const hb = await heartbeat(h);
    expect(hb?.metrics['pt.snapshot_mismatches']).toBe(0);
    expect(hb?.metrics['pt.trades_duplicate']).toBeGreaterThan(0);
    expect(hb?.metrics['pt.trades_malformed']).toBeGreaterThan(0);
  }, 120_000);
});
