/**
 * The recorder against the real Redis and a real Postgres (the machine's server, and PGlite
 * where a restart is needed): every entry becomes its rows once, whatever is replayed; malformed
 * entries go to the dead-letter table without blocking; trimmed gaps become incidents; Postgres
 * down and back loses and duplicates nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SlowKey } from '../src/core/slow-keys.js';
import { Topic } from '../src/core/topics.js';
import { freePort } from '../src/launcher/process-utils.js';
import type { RunningService } from '../src/runtime/service.js';
import { EmbeddedPostgres } from '../src/store/embedded-postgres.js';
import { queryRows } from './helpers/postgres.js';
import { eventually, testRedis } from './helpers/redis.js';
import {
  appendSlow, appendTrade, caughtUp, deleteKeys, envelope, gameInfo, gameState, pendingCount, position, price, recorderEnv, recorderSetup, signal, startRecorder, T0, trade,
} from './recorder-harness.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const setup = () => recorderSetup(cleanups);

async function run(env: Record<string, string>): Promise<RunningService> {
  const svc = await startRecorder(env);
  cleanups.push(() => svc.stop());
  return svc;
}

/** Row count; -1 while the table does not exist yet (the recorder migrates as it starts). */
const count = async (url: string, table: string, where = 'true'): Promise<number> =>
  Number((await queryRows<{ n: string }>(url, `SELECT count(*) AS n FROM ${table} WHERE ${where}`).catch(() => [{ n: '-1' }]))[0]!.n);

describe('recorder', () => {
  it('records each kind of entry into its table, and the same entries twice make one row each', async () => {
    const { redis, prefix, url } = await setup();
    const env = recorderEnv(prefix, url);
    const sig = envelope('trade_signal', signal('s1'), 'm-s1');
    const high = envelope('high_edge_signal', signal('s1'), 'm-s1h');
    const info = envelope('game_info', gameInfo('g1'), 'm-g1');
    const state = envelope('game_state', gameState('g1', T0 + 1), 'm-st1');
    const final = envelope('game_state', gameState('g1', T0 + 2, { status: 'final', home_score: 101, away_score: 99 }), 'm-st2');
    const px = envelope('price', price('KX-G1-HOM', 0.54, 0.56), 'm-p1');
    const pos = envelope('position', position('p1'), 'm-pos1');
    const writeAll = async () => {
      await appendTrade(redis, prefix, trade('t1'));
      await appendSlow(redis, prefix + SlowKey.signalsStream, Topic.tradeSignal('s1'), sig);
      await appendSlow(redis, prefix + SlowKey.signalsStream, Topic.highEdgeSignal('s1'), high);
      await appendSlow(redis, prefix + SlowKey.gameEvents, Topic.game('nba', 'g1'), info);
      await appendSlow(redis, prefix + SlowKey.gameEvents, Topic.game('nba', 'g1'), state);
      await appendSlow(redis, prefix + SlowKey.gameEvents, Topic.game('nba', 'g1'), final);
      await appendSlow(redis, prefix + SlowKey.pricesStream('kalshi'), Topic.price('kalshi', 'KX-G1-HOM'), px);
      await appendSlow(redis, prefix + SlowKey.mirrorStream('positions'), Topic.position('p1'), pos);
      await redis.xadd(prefix + SlowKey.positionsClosed, '*', 'position_id', 'p1', 'state', 'settled', 'ts', String(T0 + 9),
        'data', JSON.stringify(position('p1', { state: 'settled', contracts: 0, realized_pnl_cc: 43_200, updated_ts: T0 + 9 })), 'book', '{}');
      await redis.xadd(prefix + SlowKey.positionsSettlements, '*', 'settlement_id', 'st-g1', 'game_id', 'g1', 'data', JSON.stringify({
        settlement_id: 'st-g1', game_id: 'g1', sport: 'nba', home_score: 101, away_score: 99, after_trade_id: '0-0',
        markets: [{ venue: 'kalshi', market_id: 'KX-G1-HOM', outcome: 'home', outcome_yes_price: 1 }], ts: T0 + 8 }));
    };
    await writeAll();
    await run(env);
    const expected = { trades: 1, fills: 1, signals: 1, games: 1, game_states: 2, prices: 1, positions: 1, position_events: 2, settlements: 1 };
    const counts = async () => Object.fromEntries(await Promise.all(Object.keys(expected).map(async (t) => [t, await count(url, t)])));
    await eventually(async () => (await counts()).settlements === 1 && (await counts()).positions === 1, 10_000, 'rows recorded');
    await eventually(async () => JSON.stringify(await counts()) === JSON.stringify(expected), 5_000, 'all rows');
    expect(await queryRows(url, 'SELECT high_edge FROM signals')).toEqual([{ high_edge: true }]);
    expect(await queryRows(url, 'SELECT status, home_score, away_score FROM games')).toEqual([{ status: 'final', home_score: 101, away_score: 99 }]);
    expect(await queryRows(url, 'SELECT state, realized_pnl_cc, closed_ts FROM positions')).toEqual([{ state: 'settled', realized_pnl_cc: '43200', closed_ts: String(T0 + 9) }]);
    expect(await queryRows(url, 'SELECT fees_cc, status FROM trades')).toEqual([{ fees_cc: '1800', status: 'filled' }]);

    // The same messages again (new stream entries, same message ids), then the whole streams replayed from scratch.
    await writeAll();
    await eventually(async () => caughtUp(redis, prefix + SlowKey.positionsSettlements), 5_000, 'second copies read');
    await eventually(async () => JSON.stringify(await counts()) === JSON.stringify(expected), 5_000, 'unchanged counts');
    await cleanups.pop()!(); // stop the recorder
    for (const key of await redis.keys(`${prefix}*`)) if ((await redis.type(key)) === 'stream') await redis.xgroup('DESTROY', key, 'recorder');
    await run(env);
    await eventually(async () => caughtUp(redis, prefix + SlowKey.positionsSettlements), 5_000, 'replayed');
    await new Promise((r) => setTimeout(r, 300));
    expect(await counts()).toEqual(expected);
  });

  it('records a fractional Polymarket fill with the cash the venue moved, and an old whole-contract fill with none', async () => {
    const { redis, prefix, url } = await setup();
    await appendTrade(redis, prefix, trade('t-old'));
    await appendTrade(redis, prefix, trade('t-frac', {
      fills: [{ venue: 'poly', market_id: 'tok-1', side: 'yes', action: 'buy', contracts: 9.853401, yes_price: 0.5075, fee_cc: 0, order_id: null, notional_cc: 50_001 }],
    }));
    await run(recorderEnv(prefix, url));
    await eventually(async () => (await count(url, 'fills')) === 2, 10_000, 'fills recorded');
    expect(await queryRows(url, 'SELECT trade_id, contracts, notional_cc FROM fills ORDER BY trade_id')).toEqual([
      { trade_id: 't-frac', contracts: 9.853401, notional_cc: '50001' },
      { trade_id: 't-old', contracts: 10, notional_cc: null },
    ]);
  });

  it('parks malformed entries in dead_letters, acknowledges them and records what follows', async () => {
    const { redis, prefix, url } = await setup();
    const stream = prefix + SlowKey.tradesCompleted;
    await redis.xadd(stream, '*', 'garbage', 'yes');
    await appendSlow(redis, stream, Topic.tradeCompleted('bad'), envelope('trade_completed', { trade_id: 'bad', fills: 'none' }));
    await redis.xadd(stream, '*', 'topic', 't', 'id', 'x', 'src', 's', 'seq', '1', 'ts', '1', 'type', 'price', 'origin_ts', '1', 'data', '{"venue":"nope\u0000"}');
    await appendTrade(redis, prefix, trade('good'));
    const svc = await run(recorderEnv(prefix, url));
    await eventually(async () => (await count(url, 'trades')) === 1 && (await count(url, 'dead_letters')) === 3, 10_000, 'dead letters');
    expect(await pendingCount(redis, stream)).toBe(0);
    const problems = await queryRows<{ problem: string }>(url, 'SELECT problem FROM dead_letters ORDER BY entry_id');
    expect(problems[0]!.problem).toMatch(/not a slow-track entry/);
    expect(problems[1]!.problem).toMatch(/trade_completed/);
    expect(svc.ctx.metrics.get('dead_letters')).toBe(3);
  });

  it('records a stream trimmed past what it had read as an incident with the entries lost', async () => {
    const { redis, prefix, url } = await setup();
    const stream = prefix + SlowKey.tradesCompleted;
    await appendTrade(redis, prefix, trade('a1'));
    const env = recorderEnv(prefix, url);
    let svc = await run(env);
    await eventually(async () => (await count(url, 'trades')) === 1, 10_000, 'first trade');
    await cleanups.pop()!();
    for (let i = 0; i < 10; i++) await appendTrade(redis, prefix, trade(`b${i}`));
    await redis.xtrim(stream, 'MAXLEN', 4); // 6 of the 10 unread entries gone
    svc = await run(env);
    await eventually(async () => (await count(url, 'trades')) === 5, 10_000, 'trades after the gap');
    await eventually(async () => (await count(url, 'incidents', "kind = 'stream_gap'")) === 1, 10_000, 'gap incident');
    const [incident] = await queryRows<{ detail: { lost: number; stream: string }; severity: string }>(url, 'SELECT detail, severity FROM incidents');
    expect(incident!.detail.lost).toBe(6);
    expect(incident!.detail.stream).toBe(stream);
    expect(incident!.severity).toBe('warning');
    expect(svc.ctx.metrics.get('gap_entries_lost')).toBe(6);
  });

  it('keeps recording when Redis forgets the streams and its group (restarted empty), with a critical incident', async () => {
    const { redis, prefix, url } = await setup();
    await appendTrade(redis, prefix, trade('v1'));
    const svc = await run(recorderEnv(prefix, url));
    await eventually(async () => (await count(url, 'trades')) === 1, 10_000, 'first trade');
    // What an empty restart does to the recorder's streams: gone, with the group on them.
    const streams = await redis.keys(`${prefix}*`);
    await redis.del(...streams);
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < 3; i++) await appendTrade(redis, prefix, trade(`v-after-${i}`));
    await eventually(async () => (await count(url, 'trades')) === 4, 10_000, 'trades written after the streams vanished');
    await eventually(async () => (await count(url, 'incidents', "kind = 'stream_gap' AND severity = 'critical'")) >= 1, 10_000, 'critical gap incident');
    expect(svc.ctx.metrics.get('streams_vanished')).toBeGreaterThanOrEqual(1);
  });

  it('waits while Postgres is down and resumes from its last ack: nothing lost, nothing duplicated', async () => {
    const { redis, prefix } = testRedis();
    cleanups.push(async () => {
      await deleteKeys(redis, prefix);
      redis.disconnect();
    });
    const dir = mkdtempSync(path.join(tmpdir(), 'arb-rec-pg-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const port = await freePort();
    let pg = await EmbeddedPostgres.start({ dataDir: dir, port });
    cleanups.push(() => pg.stop());
    const svc = await run(recorderEnv(prefix, pg.url));
    for (let i = 0; i < 50; i++) await appendTrade(redis, prefix, trade(`x${i}`));
    await eventually(async () => (await count(pg.url, 'trades')) === 50, 15_000, 'first 50');
    await pg.stop();
    for (let i = 50; i < 150; i++) await appendTrade(redis, prefix, trade(`x${i}`));
    await eventually(() => svc.ctx.metrics.get('postgres_errors') > 0, 10_000, 'recorder noticed');
    expect(await pendingCount(redis, prefix + SlowKey.tradesCompleted)).toBeGreaterThan(0);
    pg = await EmbeddedPostgres.start({ dataDir: dir, port });
    await eventually(async () => (await count(pg.url, 'trades').catch(() => 0)) === 150, 20_000, 'all 150 after restart');
    await eventually(async () => (await pendingCount(redis, prefix + SlowKey.tradesCompleted)) === 0, 5_000, 'all acked');
    expect(await count(pg.url, 'fills')).toBe(150);
  });

  it('trims positions:closed only below what it has committed, and never trades:completed', async () => {
    const { redis, prefix, url } = await setup();
    const closed = prefix + SlowKey.positionsClosed;
    const addClosed = (id: string) => redis.xadd(closed, '*', 'position_id', id, 'state', 'closed', 'ts', String(T0),
      'data', JSON.stringify(position(id, { state: 'closed', contracts: 0, updated_ts: T0 })), 'book', '{}');
    for (let i = 0; i < 5; i++) await addClosed(`c${i}`);
    for (let i = 0; i < 5; i++) await appendTrade(redis, prefix, trade(`d${i}`));
    // Keep nothing older than 0 ms: everything committed may go, at once.
    const svc = await run(recorderEnv(prefix, url, { RECORDER_DURABLE_KEEP_MS: '0', RECORDER_TRIM_EVERY_MS: '100' }));
    await eventually(async () => (await count(url, 'positions')) === 5 && (await count(url, 'trades')) === 5, 10_000, 'recorded');
    await eventually(async () => (await redis.xlen(closed)) === 0, 5_000, 'committed closes trimmed');
    expect(svc.ctx.metrics.get('durable_trimmed')).toBeGreaterThanOrEqual(5);
    expect(await redis.xlen(prefix + SlowKey.tradesCompleted)).toBe(5);
    await cleanups.pop()!(); // stopped: what arrives now is not committed, so it stays
    for (let i = 5; i < 8; i++) await addClosed(`c${i}`);
    await run(recorderEnv(prefix, url, { RECORDER_DURABLE_KEEP_MS: '0', RECORDER_TRIM_EVERY_MS: '100', DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' }));
    await new Promise((r) => setTimeout(r, 500));
    expect(await redis.xlen(closed)).toBe(3);
  });
});
