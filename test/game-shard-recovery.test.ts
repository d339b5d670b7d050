/**
 * game_shard recovery from Redis: the pregame prior survives a restart (a live price does not
 * replace it), the latest prices come back from the slow-track hashes at start and after a gap on
 * the hot path, and the last published game_state is the baseline ESPN is compared with.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GameState } from '../src/core/messages.js';
import { nowMicros } from '../src/core/time.js';
import { Topic } from '../src/core/topics.js';
import { eventually } from './helpers/redis.js';
import { nbaInfo, nbaPrice, nbaStub, ShardHarness } from './game-shard-harness.js';

let h: ShardHarness;
/** Game ids are unique per test: the slow-track keys of their markets are not prefixed. */
let g: string;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const priorOf = async () => JSON.parse((await h.redis.get(`${h.prefix}shard:prior:${g}`)) ?? 'null') as { home: number; fixed: boolean; source: string } | null;

beforeEach(async () => {
  h = new ShardHarness();
  g = `g${h.uid}`;
  await h.start();
});

afterEach(async () => {
  await h.close();
});

describe('game_shard restart recovery', () => {
  it('keeps the pregame prior across a restart: a live price after it does not replace it', async () => {
    h.espn.set(nbaStub(g, { status: 'scheduled', period: 0, clockS: 0, homeScore: 0, awayScore: 0 }));
    await h.writeGame(nbaInfo(g, h.shardId, { status: 'scheduled' }));
    await h.startShard();
    await h.publishPriceUntilCounted(nbaPrice(g, 'K-BOS', 0.61, 0.63), 'prices.ok');
    await eventually(async () => (await priorOf())?.home === 0.62, 5_000, 'the pregame prior saved');
    await h.stopShard();

    // While the shard is down the game starts and the market moves.
    h.espn.update(g, { status: 'live', period: 1, clockS: 500, homeScore: 10, awayScore: 2 });
    await h.writeGame(nbaInfo(g, h.shardId, { status: 'live' }));
    await h.startShard();
    await eventually(() => h.metric('shard.prior_loaded') === 1, 5_000, 'the prior read back');
    await h.publishPriceUntilCounted(nbaPrice(g, 'K-BOS', 0.8, 0.82), 'prices.ok');
    await eventually(async () => (await priorOf())?.fixed === true, 5_000, 'the prior fixed at go-live');
    expect(await priorOf()).toMatchObject({ home: 0.62, source: 'pregame', fixed: true });
  });

  it('takes the latest prices from the slow track at start and trades on them as legs', async () => {
    await h.writeGame(nbaInfo(g, h.shardId, { status: 'scheduled' }));
    await h.writeLatestPrice(nbaPrice(g, 'P-LAL', 0.48, 0.5), nowMicros() - 1_000);
    // Too old to be a leg: shown, never traded.
    await h.writeLatestPrice(nbaPrice(g, 'K-LAL', 0.3, 0.31), nowMicros() - 60_000_000);
    await h.startShard();
    await eventually(() => h.metric('shard.recovered_prices') === 2, 5_000, 'two prices recovered');
    await eventually(() => h.lastState(g)?.markets.find((m) => m.market_id === `P${g}LAL`)?.yes_ask === 0.5, 5_000, 'the recovered price in game_state');
    const id = h.publishPrice(nbaPrice(g, 'K-BOS', 0.38, 0.4));
    await eventually(() => h.signals.some((s) => s.envelope.cause === id), 5_000, 'the arbitrage with the recovered leg');
    const legs = h.signals.find((s) => s.envelope.cause === id)!.data.legs.map((l) => l.market_id).sort();
    expect(legs).toEqual([`K-${g}-BOS`, `P${g}LAL`]);
  });

  it('re-reads the prices after a gap on the hot path', async () => {
    await h.writeGame(nbaInfo(g, h.shardId, { status: 'scheduled' }));
    await h.startShard();
    await h.publishPriceUntilCounted(nbaPrice(g, 'K-BOS', 0.58, 0.6), 'prices.ok');
    // The Polymarket update is lost on the hot path but reached the bridge...
    await h.writeLatestPrice(nbaPrice(g, 'P-LAL', 0.48, 0.5), nowMicros());
    // ...and the next Kalshi update shows a hole in its sequence (5 messages skipped).
    const recoveries = h.metric('shard.recoveries');
    const topic = Topic.price('kalshi', `K-${g}-BOS`);
    const seqs = (h.monitorPublisher() as unknown as { seqs: Map<string, number> }).seqs;
    seqs.set(topic, (seqs.get(topic) ?? 0) + 5);
    h.publishPrice(nbaPrice(g, 'K-BOS', 0.57, 0.59));
    await eventually(() => h.metric('sub.gaps') >= 5 && h.metric('shard.recoveries') > recoveries, 5_000, 'the gap and the recovery');
    await eventually(() => h.metric('shard.recovered_prices') >= 1, 5_000, 'the lost price recovered');
    const id = h.publishPrice(nbaPrice(g, 'K-BOS', 0.38, 0.4));
    await eventually(() => h.signals.some((s) => s.envelope.cause === id), 5_000, 'the arbitrage using the recovered leg');
  });

  it('compares ESPN with the last published state after a restart', async () => {
    const last: GameState = {
      game_id: g,
      sport: 'nba',
      status: 'live',
      period: 4,
      clock_s: 200,
      home_score: 80,
      away_score: 70,
      possession: null,
      situation: null,
      model_home_prob: 0.9,
      espn_home_prob: null,
      markets: [],
      updated_ts: nowMicros(),
    };
    await h.writeLatestGameState(last);
    // ESPN's CDN serves an older copy (for fewer polls than make a correction).
    h.espn.set(nbaStub(g, { period: 3, clockS: 500, homeScore: 60, awayScore: 55 }));
    await h.writeGame(nbaInfo(g, h.shardId));
    await h.startShard({ SHARD_STATE_CONFIRMATIONS: '100' });
    await eventually(() => h.metric('shard.recovered_states') === 1, 5_000, 'the state recovered');
    await eventually(() => h.metric('shard.state_backwards') >= 2, 5_000, 'the stale copy ignored');
    await sleep(200);
    expect(h.statesOf(g).map((s) => `${s.period}:${s.home_score}`)).toEqual(['4:80']);
  });
});
