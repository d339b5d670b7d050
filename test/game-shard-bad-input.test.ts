/**
 * game_shard on bad input, over real sockets: every case is counted and none produces a signal.
 * A crafted arbitrage (Kalshi BOS 0.40 + Polymarket LAL 0.50) would signal on a good update;
 * here the update that completes it is unknown, late, crossed, empty or halted, the game is final
 * or postponed, or ESPN goes backwards (ignored: game_state never shows it). ESPN failures open
 * the breaker without stopping the price path.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nowMicros } from '../src/core/time.js';
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
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeEach(async () => {
  h = new ShardHarness();
  [g1, g2, g3] = ['a', 'b', 'c'].map((x) => `${x}${h.uid}`) as [string, string, string];
  await h.start();
});

afterEach(async () => {
  await h.close();
});

/** Starts the shard on g1 with the Polymarket LAL leg of an arbitrage in place. */
async function withOneLeg(extra: Record<string, string> = {}, infoOver = {}): Promise<void> {
  await h.writeGame(nbaInfo(g1, h.shardId, { status: 'scheduled', ...infoOver }));
  await h.startShard(extra);
  await h.publishPriceUntilCounted(nbaPrice(g1, 'P-LAL', 0.48, 0.5), 'prices.ok');
}

describe('game_shard bad prices', () => {
  it('ignores and counts a price of a market it does not follow (prefix subscription)', async () => {
    await withOneLeg({ SHARD_PRICE_SUBSCRIPTION: 'prefix' });
    await h.publishPriceUntilCounted({ ...nbaPrice(g1, 'K-BOS', 0.38, 0.4), market_id: 'K-OTHER' }, 'prices.unknown_market');
    await sleep(200);
    expect(h.signals).toHaveLength(0);
  });

  it('filters other markets before decoding them with exact subscriptions', async () => {
    await withOneLeg();
    // Same prefix as a followed market: the transport delivers it, the exact filter drops it.
    await eventually(
      async () => {
        h.publishPrice({ ...nbaPrice(g1, 'P-LAL', 0.38, 0.4), market_id: `P${g1}LALX` });
        await sleep(30);
        return h.metric('sub.filtered') > 0;
      },
      5_000,
      'the exact filter',
    );
    expect(h.metric('prices.unknown_market')).toBe(0);
    expect(h.signals).toHaveLength(0);
  });

  it('keeps a late price out of signals and counts it', async () => {
    await withOneLeg({ SHARD_PRICE_MAX_DELAY_MS: '500' });
    h.publishPrice(nbaPrice(g1, 'K-BOS', 0.38, 0.4), nowMicros() - 5_000_000);
    await eventually(() => h.metric('prices.late') === 1, 5_000, 'the late price counted');
    await sleep(200);
    expect(h.signals).toHaveLength(0);
    // The late price is not a leg for the next good update either.
    h.publishPrice(nbaPrice(g1, 'P-LAL', 0.47, 0.49));
    await eventually(() => h.metric('prices.ok') >= 2, 5_000, 'the next good price');
    await sleep(200);
    expect(h.signals).toHaveLength(0);
  });

  it('does not use a leg older than the price TTL', async () => {
    await withOneLeg({ SHARD_PRICE_TTL_MS: '300' });
    await sleep(500);
    h.publishPrice(nbaPrice(g1, 'K-BOS', 0.38, 0.4));
    await eventually(() => h.metric('prices.ok') >= 2, 5_000, 'the price');
    await sleep(200);
    expect(h.signals).toHaveLength(0);
    // The stale leg is left out, so no arbitrage is even possible: the detector is not run.
    expect(h.metric('signals.arb_gated')).toBeGreaterThan(0);
  });

  it.each([
    ['crossed', (g: string) => nbaPrice(g, 'K-BOS', 0.42, 0.4)],
    ['empty', (g: string) => nbaPrice(g, 'K-BOS', null, null)],
    ['not_open', (g: string) => nbaPrice(g, 'K-BOS', null, null, { status: 'halted' })],
  ] as const)('counts a %s book and signals nothing', async (verdict, priceOf) => {
    await withOneLeg();
    h.publishPrice(priceOf(g1));
    await eventually(() => h.metric(`prices.${verdict}`) === 1, 5_000, `the ${verdict} book counted`);
    await sleep(200);
    expect(h.signals).toHaveLength(0);
  });

  it('drops malformed price data (schema not met) without a signal', async () => {
    await withOneLeg();
    h.publishPrice({ ...nbaPrice(g1, 'K-BOS', 0.38, 0.4), yes_ask: 7 });
    h.publishPrice({ ...nbaPrice(g1, 'K-BOS', 0.38, 0.4), game_id: 'another-game' });
    await eventually(() => h.metric('prices.invalid') === 1 && h.metric('prices.game_mismatch') === 1, 5_000, 'both counted');
    await sleep(200);
    expect(h.signals).toHaveLength(0);
  });

  it('signals nothing for a final game, even on a perfect arbitrage', async () => {
    await withOneLeg({}, { event: 'final', status: 'final' });
    h.publishPrice(nbaPrice(g1, 'K-BOS', 0.28, 0.3));
    await eventually(() => h.metric('signals.frozen_skips') >= 1, 5_000, 'the frozen skip');
    expect(h.signals).toHaveLength(0);
  });
});

describe('game_shard bad ESPN state', () => {
  it('ignores a state going backwards, accepts a confirmed correction, and freezes on postponed', async () => {
    h.espn.set(nbaStub(g1, { period: 3, clockS: 200, homeScore: 70, awayScore: 60 }));
    await h.writeGame(nbaInfo(g1, h.shardId));
    await h.startShard({ SHARD_STATE_CONFIRMATIONS: '5' });
    await eventually(() => h.lastState(g1)?.period === 3, 5_000, 'the first state');

    // A stale copy: an earlier period with a lower score, for two polls.
    h.espn.update(g1, { period: 2, clockS: 500, homeScore: 40 });
    await eventually(() => h.metric('shard.state_backwards') >= 2, 5_000, 'the backwards state counted');
    h.espn.update(g1, { period: 3, clockS: 150, homeScore: 72, awayScore: 60 });
    await eventually(() => h.lastState(g1)?.home_score === 72, 5_000, 'the forward state');
    expect(h.statesOf(g1).every((s) => s.period >= 3 && s.home_score >= 70)).toBe(true);

    // An overturned basket persists: after 5 identical observations it is a correction.
    h.espn.update(g1, { homeScore: 70 });
    await eventually(() => h.lastState(g1)?.home_score === 70, 5_000, 'the confirmed correction');
    expect(h.metric('shard.state_corrected')).toBe(1);

    // Postponed: frozen, no more polling of it, no signals.
    h.espn.update(g1, { status: 'postponed' });
    await eventually(() => h.lastState(g1)?.status === 'postponed', 5_000, 'postponed');
    const requests = h.espn.requests;
    await sleep(400);
    expect(h.espn.requests).toBe(requests);
    await h.publishPriceUntilCounted(nbaPrice(g1, 'P-LAL', 0.48, 0.5), 'signals.frozen_skips');
    h.publishPrice(nbaPrice(g1, 'K-BOS', 0.28, 0.3));
    await sleep(200);
    expect(h.signals).toHaveLength(0);
  });

  it('keeps trading arbitrage while ESPN fails (breaker open), and stops model edge on a stale state', async () => {
    h.espn.set(nbaStub(g1, { period: 4, clockS: 360, homeScore: 100, awayScore: 92 }));
    await h.writeGame(nbaInfo(g1, h.shardId));
    await h.startShard({ SHARD_ESPN_BREAKER_FAILURES: '2', SHARD_ESPN_BREAKER_OPEN_MS: '60000', SHARD_STATE_TTL_MS: '300', SHARD_ARB_MIN_PROFIT_CC: '100' });
    await eventually(() => h.lastState(g1)?.period === 4, 5_000, 'the first state');
    h.espn.failNext = 1_000;
    await eventually(() => h.metric('shard.espn_ok') === 0, 5_000, 'the breaker open');
    const requests = h.espn.requests;
    await sleep(400);
    // Open: nothing requested, and still a sleep between rounds (no busy loop).
    expect(h.espn.requests).toBe(requests);
    expect(h.metric('espn.refused_open')).toBeGreaterThan(0);

    await h.publishPriceUntilCounted(nbaPrice(g1, 'P-LAL', 0.48, 0.5), 'prices.ok');
    const id = h.publishPrice(nbaPrice(g1, 'K-BOS', 0.38, 0.4));
    await eventually(() => h.signals.some((s) => s.envelope.cause === id), 5_000, 'the arbitrage');
    expect(h.signals.every((s) => s.data.kind === 'arbitrage')).toBe(true);
    expect(h.metric('signals.model_skip_stale_state')).toBeGreaterThan(0);
  });
});
