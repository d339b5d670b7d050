/**
 * game_shard with real Redis, real ZMQ and a loopback ESPN: which games it follows (only those
 * naming it, from games:active and from game_info), its heartbeat capacity, game_state with the
 * model's probability, arbitrage and model-edge signals with the causing price's origin_ts and
 * id, high-edge copies, and the pregame prior kept in Redis.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registryKey } from '../src/bus/registry.js';
import { HeartbeatSchema } from '../src/core/messages.js';
import { eventually } from './helpers/redis.js';
import { nbaInfo, nbaPrice, nbaStub, ShardHarness } from './game-shard-harness.js';

let h: ShardHarness;
/**
 * Game ids unique per test: the slow-track keys a bridge may write for them (games:<sport>:<id>,
 * price:<venue>:<id>) are not prefixed, and a stale one would be recovered by the next test.
 */
let g1: string;
let g2: string;
let g3: string;

beforeEach(async () => {
  h = new ShardHarness();
  [g1, g2, g3] = ['a', 'b', 'c'].map((x) => `${x}${h.uid}`) as [string, string, string];
  await h.start();
});

afterEach(async () => {
  await h.close();
});

describe('game_shard assignments', () => {
  it('follows exactly the games that name it, from the hash and from game_info', async () => {
    await h.writeGame(nbaInfo(g1, h.shardId));
    await h.writeGame(nbaInfo(g2, 'game_shard.someone_else'));
    await h.writeGame(nbaInfo(g3, null));
    await h.startShard({ SHARD_CAPACITY: '7' });
    expect(h.metric('shard.games')).toBe(1);
    expect(h.metric('prices.markets')).toBe(4);

    // game_info moves g2 here and g1 away.
    await eventually(
      async () => {
        h.publishGame(nbaInfo(g2, h.shardId));
        h.publishGame(nbaInfo(g1, 'game_shard.someone_else'));
        await new Promise((r) => setTimeout(r, 30));
        return h.metric('registry.removed_reassigned') === 1 && h.metric('registry.added') === 2;
      },
      8_000,
      'g2 followed and g1 dropped',
    );
    expect(h.metric('shard.games')).toBe(1);

    // The heartbeat carries what the orchestrator's assigner reads.
    const raw = await h.redis.get(registryKey('game_shard', h.shardInstance));
    const hb = HeartbeatSchema.parse(JSON.parse(raw!));
    expect(hb.metrics['capacity']).toBe(7);
    expect(hb.status).toBe('healthy');
  });

  it('drops a game that leaves games:active (healing)', async () => {
    await h.writeGame(nbaInfo(g1, h.shardId));
    await h.startShard();
    expect(h.metric('shard.games')).toBe(1);
    await h.redis.hdel(h.gamesKey, g1);
    await eventually(() => h.metric('shard.games') === 0, 5_000, 'g1 dropped by the heal');
    expect(h.metric('registry.removed_gone')).toBe(1);
  });
});

describe('game_shard state and signals', () => {
  it('publishes game_state with the model and ESPN state, and again when ESPN moves', async () => {
    h.espn.set(nbaStub(g1, { period: 3, clockS: 400, homeScore: 70, awayScore: 60 }));
    await h.writeGame(nbaInfo(g1, h.shardId));
    await h.startShard();
    await eventually(() => h.statesOf(g1).some((s) => s.period === 3 && s.home_score === 70), 8_000, 'a game_state from ESPN');
    const s = h.statesOf(g1).find((x) => x.period === 3)!;
    expect(s).toMatchObject({ status: 'live', clock_s: 400, away_score: 60, sport: 'nba' });
    expect(s.model_home_prob).toBeGreaterThan(0.6);
    expect(s.model_home_prob).toBeLessThan(1);
    expect(s.markets.map((m) => m.market_id).sort()).toEqual([`K-${g1}-BOS`, `K-${g1}-LAL`, `P${g1}BOS`, `P${g1}LAL`]);
    expect(s.situation).toMatchObject({ overtime: false });

    h.espn.update(g1, { homeScore: 60, awayScore: 75, period: 4, clockS: 100 });
    await eventually(() => h.lastState(g1)?.away_score === 75, 5_000, 'the new score');
    expect(h.lastState(g1)!.model_home_prob).toBeLessThan(0.1);

    // Overtime is read as such.
    h.espn.update(g1, { homeScore: 90, awayScore: 90, period: 5, clockS: 300 });
    await eventually(() => h.lastState(g1)?.period === 5, 5_000, 'overtime');
    expect(h.lastState(g1)!.situation).toMatchObject({ overtime: true });
    expect(h.lastState(g1)!.model_home_prob).toBeGreaterThan(0.2);
    expect(h.lastState(g1)!.model_home_prob).toBeLessThan(0.8);
  });

  it('signals a cross-venue arbitrage with both legs, the price origin_ts and the price id as cause', async () => {
    await h.writeGame(nbaInfo(g1, h.shardId, { status: 'scheduled' }));
    await h.startShard();
    // Kalshi BOS 0.40 and Polymarket LAL 0.50: one of them pays $1, for 0.90 plus fees.
    await h.publishPriceUntilCounted(nbaPrice(g1, 'P-LAL', 0.48, 0.5), 'prices.ok');
    const origin = Date.now() * 1000 - 500;
    const id = h.publishPrice(nbaPrice(g1, 'K-BOS', 0.38, 0.4), origin);
    await eventually(() => h.signals.some((s) => s.envelope.cause === id), 5_000, 'the arbitrage signal');
    const got = h.signals.find((s) => s.envelope.cause === id)!;
    expect(got.envelope.origin_ts).toBe(origin);
    expect(got.topic).toBe(`signals.trade.${got.data.signal_id}`);
    expect(got.data.kind).toBe('arbitrage');
    expect(got.data.legs.map((l) => `${l.venue}:${l.market_id}:${l.side}`).sort()).toEqual([`kalshi:K-${g1}-BOS:yes`, `poly:P${g1}LAL:yes`]);
    expect(got.data.net_edge).toBeGreaterThan(0);
    expect(got.data.net_edge).toBeLessThan(0.1);
    expect(h.highEdge.some((s) => s.data.signal_id === got.data.signal_id)).toBe(false);

    // Far out of line: also on signals.high_edge.
    const id2 = h.publishPrice(nbaPrice(g1, 'K-BOS', 0.28, 0.3));
    await eventually(() => h.highEdge.some((s) => s.envelope.cause === id2), 5_000, 'the high-edge copy');
    const high = h.highEdge.find((s) => s.envelope.cause === id2)!;
    expect(high.topic).toBe(`signals.high_edge.${high.data.signal_id}`);
    expect(high.data.net_edge).toBeGreaterThanOrEqual(0.1);
    expect(h.signals.some((s) => s.data.signal_id === high.data.signal_id)).toBe(true);
  });

  it('keeps the pregame prior in Redis and trades model edge only once the game is live', async () => {
    h.espn.set(nbaStub(g1, { status: 'scheduled', period: 0, clockS: 0, homeScore: 0, awayScore: 0 }));
    await h.writeGame(nbaInfo(g1, h.shardId, { status: 'scheduled' }));
    await h.startShard({ SHARD_ARB_MIN_PROFIT_CC: '100000000' });
    // Pregame the market says 50/50.
    await h.publishPriceUntilCounted(nbaPrice(g1, 'K-BOS', 0.49, 0.51), 'prices.ok');
    await eventually(async () => (await h.redis.get(`${h.prefix}shard:prior:${g1}`)) !== null, 5_000, 'the prior saved');
    expect(JSON.parse((await h.redis.get(`${h.prefix}shard:prior:${g1}`))!)).toMatchObject({ home: 0.5, source: 'pregame', fixed: false });
    expect(h.signals).toHaveLength(0);
    expect(h.metric('signals.model_skip_not_in_play')).toBeGreaterThan(0);

    // Live: BOS up 8 with 6 minutes left; the market still asks 0.51 for BOS.
    h.espn.update(g1, { status: 'live', period: 4, clockS: 360, homeScore: 100, awayScore: 92 });
    await eventually(() => h.lastState(g1)?.home_score === 100, 5_000, 'the live state');
    const model = h.lastState(g1)!.model_home_prob!;
    expect(model).toBeGreaterThan(0.8);
    expect(model).toBeLessThan(0.97);
    await eventually(async () => JSON.parse((await h.redis.get(`${h.prefix}shard:prior:${g1}`))!).fixed === true, 5_000, 'the prior fixed');
    // The state change itself runs model edge over the books.
    await eventually(() => h.signals.some((s) => s.data.kind === 'model_edge'), 5_000, `a model-edge signal (${JSON.stringify(h.metrics())})`);
    const sig = h.signals.find((s) => s.data.kind === 'model_edge')!.data;
    expect(sig.legs).toHaveLength(1);
    expect(sig.legs[0]).toMatchObject({ venue: 'kalshi', market_id: `K-${g1}-BOS`, side: 'yes', yes_price: 0.51 });
    expect(sig.model_prob).toBeCloseTo(model, 6);
    expect(sig.net_edge).toBeGreaterThan(0.04);
    // A live price does not move the prior.
    h.publishPrice(nbaPrice(g1, 'K-BOS', 0.97, 0.98));
    await new Promise((r) => setTimeout(r, 300));
    expect(JSON.parse((await h.redis.get(`${h.prefix}shard:prior:${g1}`))!).home).toBe(0.5);
  });
});

describe('game_shard score change', () => {
  it('signals a scoring play the market has not priced yet, when enabled', async () => {
    h.espn.set(nbaStub(g1, { status: 'scheduled', period: 0, clockS: 0, homeScore: 0, awayScore: 0 }));
    await h.writeGame(nbaInfo(g1, h.shardId, { status: 'scheduled' }));
    await h.startShard({ SHARD_SCORE_CHANGE_SIGNALS: 'true', SHARD_ARB_MIN_PROFIT_CC: '100000000', SHARD_DEBOUNCE_MS: '60000' });
    await h.publishPriceUntilCounted(nbaPrice(g1, 'K-BOS', 0.49, 0.51), 'prices.ok');
    await eventually(async () => (await h.redis.get(`${h.prefix}shard:prior:${g1}`)) !== null, 5_000, 'the prior saved');

    // Tied late in the fourth: the market is right, no edge.
    h.espn.update(g1, { status: 'live', period: 4, clockS: 300, homeScore: 100, awayScore: 100 });
    await eventually(() => h.lastState(g1)?.home_score === 100, 5_000, 'the tied state');
    const tied = h.lastState(g1)!.model_home_prob!;
    await h.publishPriceUntilCounted(nbaPrice(g1, 'K-BOS', Math.round(tied * 100 - 1) / 100, Math.round(tied * 100 + 1) / 100), 'prices.ok');
    await new Promise((r) => setTimeout(r, 300));
    expect(h.signals).toHaveLength(0);

    // BOS hits a three; the book has not moved since.
    h.espn.update(g1, { homeScore: 103, clockS: 290 });
    await eventually(() => h.signals.some((s) => s.data.kind === 'score_change'), 5_000, `a score-change signal (${JSON.stringify(h.metrics())})`);
    const sig = h.signals.find((s) => s.data.kind === 'score_change')!;
    expect(sig.data.legs[0]).toMatchObject({ market_id: `K-${g1}-BOS`, side: 'yes' });
    expect(sig.data.model_prob).toBeGreaterThan(tied + 0.05);
    expect(sig.envelope.cause).toBeUndefined();
    expect(h.signals.filter((s) => s.data.kind === 'model_edge')).toHaveLength(0);
  });
});

describe('game_shard ESPN polling and game_state pacing', () => {
  it('fetches one scoreboard per league per tick for all its games, with a sleep between ticks', async () => {
    const nba = [g1, g2, g3];
    const nhl = `h${h.uid}`;
    for (const id of nba) {
      h.espn.set(nbaStub(id));
      await h.writeGame(nbaInfo(id, h.shardId));
    }
    h.espn.set({ ...nbaStub(nhl), sport: 'nhl', period: 2, clockS: 600, homeScore: 1, awayScore: 1 });
    await h.writeGame({ ...nbaInfo(nhl, h.shardId), sport: 'nhl' });
    await h.startShard({ SHARD_POLL_MS: '200' });
    await eventually(() => h.metric('espn.ticks') >= 2, 5_000, 'two ticks');
    const ticks0 = h.metric('espn.ticks');
    const requests0 = h.espn.requests;
    await new Promise((r) => setTimeout(r, 1_000));
    const ticks = h.metric('espn.ticks') - ticks0;
    const requests = h.espn.requests - requests0;
    // 1 s at one tick per 200 ms: about 5 ticks, never a tight loop.
    expect(ticks).toBeGreaterThanOrEqual(3);
    expect(ticks).toBeLessThanOrEqual(6);
    // Two leagues: two requests per tick, whatever the number of games.
    expect(Math.abs(requests - 2 * ticks)).toBeLessThanOrEqual(2);
    // Every game got its state from the shared scoreboards (moved once more, so that the
    // recorder, which may have joined after the first game_state, hears it).
    for (const id of [...nba, nhl]) h.espn.update(id, { clockS: 100 });
    await eventually(() => [...nba, nhl].every((id) => h.lastState(id)?.clock_s === 100), 5_000, 'every game state');
    expect(h.lastState(nhl)!.sport).toBe('nhl');
  });

  it('publishes a game_state at most once per interval however fast its prices change', async () => {
    await h.writeGame(nbaInfo(g1, h.shardId, { status: 'scheduled' }));
    await h.startShard({ SHARD_STATE_MIN_INTERVAL_MS: '200' });
    await h.publishPriceUntilCounted(nbaPrice(g1, 'K-BOS', 0.5, 0.52), 'prices.ok');
    const from = h.states.length;
    for (let i = 0; i < 60; i++) {
      h.publishPrice(nbaPrice(g1, 'K-BOS', i === 59 ? 0.51 : 0.5, 0.52, { yes_bid_size: 100 + i }));
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 400));
    const got = h.states.slice(from).filter((s) => s.data.game_id === g1);
    // 1.2 s of changes every 20 ms: about 6 states, not 60, and the last price (sent inside a
    // window) still goes out when the window ends.
    expect(got.length).toBeGreaterThanOrEqual(3);
    expect(got.length).toBeLessThanOrEqual(9);
    for (let i = 1; i < got.length; i++) expect(got[i]!.envelope.ts - got[i - 1]!.envelope.ts).toBeGreaterThanOrEqual(190_000);
    expect(got.at(-1)!.data.markets.find((m) => m.market_id === `K-${g1}-BOS`)!.yes_bid).toBe(0.51);
  });

  it('repeats an unchanged game_state every refresh interval, and none before the start delay', async () => {
    h.espn.set(nbaStub(g1, { status: 'halftime', period: 2, clockS: 0 }));
    await h.writeGame(nbaInfo(g1, h.shardId));
    const started = Date.now() * 1000;
    await h.startShard({ SHARD_STATE_REFRESH_MS: '300', SHARD_START_DELAY_MS: '500' });
    await new Promise((r) => setTimeout(r, 1_700));
    const got = h.states.filter((s) => s.data.game_id === g1);
    expect(got[0]!.envelope.ts - started).toBeGreaterThanOrEqual(500_000);
    // First state at ~0.5 s, then one about every 0.3 s although nothing changed.
    expect(got.length).toBeGreaterThanOrEqual(3);
    expect(got.length).toBeLessThanOrEqual(6);
    expect(got.every((s) => s.data.status === 'halftime')).toBe(true);
  });
});
