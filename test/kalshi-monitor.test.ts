/**
 * kalshi_monitor end to end: the Kalshi simulator over real HTTP/WebSocket, real Redis for the
 * registry and games:active, real ZMQ between a stand-in orchestrator, the monitor and the test's
 * subscriber. Proves: assignments from the hash and from game_info messages, prices that match
 * the venue's book with the right game and team, publish-on-top-change only, the final grace and
 * unsubscribe, recovery after a restart, halts on a sequence gap and on a venue outage (with the
 * degraded status), an empty book told apart from a dead feed, and start-up config errors.
 */
import { isDeepStrictEqual } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/core/errors.js';
import type { GameInfo, GameState, PriceUpdate } from '../src/core/messages.js';
import { KalshiSimVenue } from '../src/sim/kalshi/kalshi-sim-venue.js';
import type { QuoteLadder, SimGameView } from '../src/sim/world.js';
import { startService } from '../src/runtime/service.js';
import { makeKey, nbaGame } from './kalshi-helpers.js';
import { eventually } from './helpers/redis.js';
import { gameInfo, MonitorHarness } from './monitor-harness.js';
import { marketMonitorService } from '../src/services/market-monitor/market-monitor.js';

const kalshiMonitor = marketMonitorService('kalshi');

const key = makeKey('monitor-test-key');
const game = nbaGame('g-mon-nba-1');
const BOS = 'KXNBAGAME-26NOV24BOSLAL-BOS';
const LAL = 'KXNBAGAME-26NOV24BOSLAL-LAL';

const gameState = (gameId: string): GameState => ({
  game_id: gameId,
  sport: 'nba',
  status: 'final',
  period: 4,
  clock_s: 0,
  home_score: 100,
  away_score: 98,
  possession: null,
  situation: null,
  model_home_prob: 1,
  espn_home_prob: null,
  markets: [],
  updated_ts: 1,
});

const ladder = (bid: number, ask: number, size = 100, deepSize = size * 2): QuoteLadder => ({
  yesBids: [
    [bid, size],
    [bid - 0.01, deepSize],
  ],
  yesAsks: [
    [ask, size],
    [ask + 0.01, deepSize],
  ],
});

let h: MonitorHarness;
let venue: KalshiSimVenue;
let urls: { restUrl: string; wsUrl: string };

async function openVenue(port = 0, quotes: Record<string, QuoteLadder> = { [BOS]: ladder(0.44, 0.46), [LAL]: ladder(0.53, 0.55) }): Promise<void> {
  venue = new KalshiSimVenue({ seed: 7, port, pingIntervalMs: 200 });
  urls = await venue.start();
  venue.registerKey(key.keyId, key.publicKeyPem);
  venue.listGame(game);
  for (const [ticker, l] of Object.entries(quotes)) venue.setMakerQuotes(ticker, l);
}

function kalshiInfo(g: SimGameView, event: GameInfo['event'] = 'discovered'): GameInfo {
  const markets = venue.gameMarkets(g.id).map(({ ticker, outcome }) => ({
    venue: 'kalshi' as const,
    market_id: ticker,
    team: outcome === 'home' ? g.home.abbr : outcome === 'away' ? g.away.abbr : null,
    outcome,
  }));
  return gameInfo(g, markets, event);
}

const monitorEnv = (extra: Record<string, string> = {}) => ({
  KALSHI_WS_URL: urls.wsUrl,
  KALSHI_REST_URL: urls.restUrl,
  KALSHI_API_KEY: key.keyId,
  KALSHI_PRIVATE_KEY: key.privateKeyPem,
  KALSHI_WS_RECONNECT_BASE_MS: '50',
  KALSHI_WS_RECONNECT_MAX_MS: '300',
  KALSHI_WS_RESYNC_TIMEOUT_MS: '1000',
  KALSHI_WS_STALE_MS: '2000',
  ...extra,
});

/** What the venue's own book says the monitor must publish. */
function venueTop(ticker: string) {
  const t = venue.top(ticker);
  return {
    yes_bid: t.yesBidCc === null ? null : t.yesBidCc / 10_000,
    yes_bid_size: t.yesBidSize,
    yes_ask: t.yesAskCc === null ? null : t.yesAskCc / 10_000,
    yes_ask_size: t.yesAskSize,
  };
}

const topOf = (p: PriceUpdate | undefined) =>
  p && { yes_bid: p.yes_bid, yes_bid_size: p.yes_bid_size, yes_ask: p.yes_ask, yes_ask_size: p.yes_ask_size };

/**
 * PUB/SUB drops what is sent before the subscription is in place, so the first price may go
 * unseen: nudge the top size until a price with that size arrives.
 */
async function nudgeUntilPriced(ticker: string, bid: number, ask: number): Promise<void> {
  let size = 300;
  await eventually(
    async () => {
      venue.setMakerQuotes(ticker, ladder(bid, ask, ++size));
      await new Promise((r) => setTimeout(r, 40));
      return h.lastPrice(ticker)?.yes_bid_size === size;
    },
    8_000,
    `a price for ${ticker}`,
  );
}

beforeEach(async () => {
  h = new MonitorHarness();
  await h.startOrchestrator();
  await openVenue();
});

afterEach(async () => {
  await h.close();
  await venue.close();
});

describe('kalshi_monitor', () => {
  it('recovers its markets from games:active and publishes each top of book with game, team and origin_ts', async () => {
    await h.writeGame(kalshiInfo(game));
    await h.startMonitor(kalshiMonitor, monitorEnv());
    await nudgeUntilPriced(BOS, 0.44, 0.46);
    await nudgeUntilPriced(LAL, 0.53, 0.55);

    for (const [ticker, team] of [
      [BOS, 'BOS'],
      [LAL, 'LAL'],
    ] as const) {
      const last = h.pricesOf(ticker).at(-1)!;
      expect(last.topic).toBe(`prices.kalshi.${ticker}`);
      expect(last.data).toMatchObject({ venue: 'kalshi', market_id: ticker, game_id: game.id, team, status: 'open' });
      expect(topOf(last.data)).toEqual(venueTop(ticker));
      // origin_ts is when the venue frame arrived: before the publish, and recent.
      expect(last.envelope.origin_ts).toBeLessThanOrEqual(last.envelope.ts);
      expect(last.envelope.ts - last.envelope.origin_ts).toBeLessThan(1_000_000);
      expect(last.receivedUs - last.envelope.origin_ts).toBeLessThan(2_000_000);
    }
    // Order books (batched) carry the top levels in YES terms.
    await eventually(() => h.lastBook(BOS)?.yes_bids[0]?.[1] === venueTop(BOS).yes_bid_size, 5_000, 'order book of BOS');
    expect(h.lastBook(BOS)).toMatchObject({ venue: 'kalshi', market_id: BOS, game_id: game.id });
    expect(h.lastBook(BOS)!.yes_asks[0]).toEqual([0.46, venueTop(BOS).yes_ask_size]);
    expect(h.lastBook(BOS)!.yes_bids[1]?.[0]).toBe(0.43);
    // Quote snapshots (quotes.kalshi.<instance>) end on the same top as the last price, with its origin.
    const quoteMatchesLastPrice = (ticker: string) => {
      const last = h.pricesOf(ticker).at(-1)!;
      return isDeepStrictEqual(h.lastQuote(ticker), { ...last.data, origin_ts: last.envelope.origin_ts });
    };
    for (const ticker of [BOS, LAL]) await eventually(() => quoteMatchesLastPrice(ticker), 5_000, `quote of ${ticker} equal to its last price`);
    expect(h.quotes[0]!.topic).toBe(`quotes.kalshi.${h.monitor!.ctx.instance}`);
  });

  it('publishes on every top-of-book change and never on a change deeper in the book', async () => {
    await h.writeGame(kalshiInfo(game));
    await h.startMonitor(kalshiMonitor, monitorEnv());
    await nudgeUntilPriced(BOS, 0.44, 0.46);
    const topSize = h.lastPrice(BOS)!.yes_bid_size;
    const count = h.pricesOf(BOS).length;
    const booksBefore = h.books.length;

    venue.setMakerQuotes(BOS, ladder(0.44, 0.46, topSize, 999)); // second level only
    await eventually(() => h.books.length > booksBefore && h.lastBook(BOS)?.yes_bids[1]?.[1] === 999, 5_000, 'the deeper change in the order book');
    await new Promise((r) => setTimeout(r, 150));
    expect(h.pricesOf(BOS).length).toBe(count);

    venue.setMakerQuotes(BOS, ladder(0.47, 0.49, 120));
    await eventually(() => h.lastPrice(BOS)?.yes_bid === 0.47, 5_000, 'the new top');
    expect(topOf(h.lastPrice(BOS))).toEqual({ yes_bid: 0.47, yes_bid_size: 120, yes_ask: 0.49, yes_ask_size: 120 });
    // Every published price was a distinct top: no duplicates in a row.
    const seq = h.pricesOf(BOS).map((p) => JSON.stringify(topOf(p.data)) + p.data.status);
    for (let i = 1; i < seq.length; i++) expect(seq[i]).not.toBe(seq[i - 1]);
  });

  it('follows game_info on the hot path; a final keeps the markets for the grace period, then unsubscribes them', async () => {
    await h.startMonitor(kalshiMonitor, monitorEnv({ MONITOR_FINAL_GRACE_MS: '1500' }));
    const info = kalshiInfo(game);
    await h.publishGameUntil(info, () => h.lastPrice(BOS) !== undefined && h.lastPrice(LAL) !== undefined, 'prices after discovered');
    expect(h.lastPrice(LAL)).toMatchObject({ game_id: game.id, team: 'LAL', status: 'open' });

    // A game_state on the same prefix is not an assignment: ignored.
    for (let i = 0; i < 3; i++) h.publishGameState(gameState(game.id));
    await new Promise((r) => setTimeout(r, 150));
    const hb0 = await h.heartbeat();
    expect(hb0!.metrics.markets).toBe(2);

    for (let i = 0; i < 3; i++) {
      h.publishGame(kalshiInfo(game, 'final'));
      await new Promise((r) => setTimeout(r, 30));
    }
    // Inside the grace period the settlement moves are still published.
    venue.setMakerQuotes(BOS, ladder(0.97, 0.99, 50));
    await eventually(() => h.lastPrice(BOS)?.yes_bid === 0.97, 1_000, 'a price inside the grace period');

    await eventually(async () => (await h.heartbeat())?.metrics.markets === 0, 5_000, 'markets released');
    const count = h.pricesOf(BOS).length + h.pricesOf(LAL).length;
    venue.setMakerQuotes(BOS, ladder(0.5, 0.52, 10));
    venue.setMakerQuotes(LAL, ladder(0.3, 0.32, 10));
    await new Promise((r) => setTimeout(r, 300));
    expect(h.pricesOf(BOS).length + h.pricesOf(LAL).length).toBe(count);
    const hb = await h.heartbeat();
    expect(hb!.metrics['kalshi_ws.bookUpdates']).toBeGreaterThan(0);
  });

  it('a market settled at the venue is published as settled, from the market lifecycle channel', async () => {
    // Snapshots a minute apart: only the at-once send of a settlement can bring it within a second.
    await h.startMonitor(kalshiMonitor, monitorEnv({ MONITOR_QUOTES_INTERVAL_MS: '60000' }));
    await h.publishGameUntil(kalshiInfo(game), () => h.lastPrice(BOS) !== undefined && h.lastPrice(LAL) !== undefined, 'prices after discovered');
    venue.settle(LAL, 'no');
    venue.settle(BOS, 'yes');
    await eventually(() => h.lastPrice(LAL)?.status === 'settled' && h.lastPrice(BOS)?.status === 'settled', 5_000, 'settled');
    expect(h.lastPrice(LAL)).toMatchObject({ status: 'settled', last_price: 0 });
    expect(h.lastPrice(BOS)).toMatchObject({ status: 'settled', last_price: 1 });
    // A settlement does not wait for the next snapshot interval.
    await eventually(() => h.lastQuote(BOS)?.status === 'settled' && h.lastQuote(LAL)?.status === 'settled', 1_000, 'settled quotes');
    expect(h.lastQuote(LAL)).toMatchObject({ status: 'settled', last_price: 0 });
  });

  it('a monitor restarted mid-game recovers its assignments from the hash', async () => {
    await h.writeGame(kalshiInfo(game));
    await h.startMonitor(kalshiMonitor, monitorEnv());
    await nudgeUntilPriced(BOS, 0.44, 0.46);
    await h.stopMonitor();

    venue.setMakerQuotes(LAL, ladder(0.61, 0.63, 77));
    await h.startMonitor(kalshiMonitor, monitorEnv());
    await nudgeUntilPriced(LAL, 0.61, 0.63);
    expect(h.lastPrice(LAL)).toMatchObject({ game_id: game.id, team: 'LAL', status: 'open', yes_bid: 0.61, yes_ask: 0.63 });
    const hb = await h.heartbeat();
    expect(hb!.metrics.markets).toBe(2);
    expect(hb!.status).toBe('healthy');
  });

  it('heals from the hash: a game written without a message is picked up, unreadable entries are counted and skipped', async () => {
    await h.redis.hset(h.gamesKey, 'garbage', '{not json');
    await h.redis.hset(h.gamesKey, 'wrong-shape', JSON.stringify({ game_id: 'wrong-shape' }));
    await h.startMonitor(kalshiMonitor, monitorEnv({ MONITOR_HEAL_INTERVAL_MS: '200' }));
    expect((await h.heartbeat())!.metrics.assignment_errors).toBeGreaterThanOrEqual(2);
    await h.writeGame(kalshiInfo(game));
    await eventually(async () => (await h.heartbeat())?.metrics.markets === 2, 5_000, 'healed assignments');
    await nudgeUntilPriced(BOS, 0.44, 0.46);
    expect(h.lastPrice(BOS)).toMatchObject({ game_id: game.id, team: 'BOS' });
  });

  it('a sequence gap halts the price once (no old numbers), then the resynced book publishes the venue’s prices', async () => {
    await h.writeGame(kalshiInfo(game));
    await h.startMonitor(kalshiMonitor, monitorEnv());
    await nudgeUntilPriced(BOS, 0.44, 0.46);
    const from = h.prices.length;

    venue.faults.skipSeq(1);
    venue.setMakerQuotes(BOS, ladder(0.4, 0.42, 55));
    await eventually(() => h.lastPrice(BOS)?.yes_bid === 0.4 && h.lastPrice(BOS)?.status === 'open', 5_000, 'the resynced price');

    const after = h.prices.slice(from).map((p) => p.data);
    const halted = after.filter((p) => p.status === 'halted');
    expect(halted.length).toBeGreaterThanOrEqual(1);
    for (const p of halted) expect(p).toMatchObject({ yes_bid: null, yes_ask: null, yes_bid_size: 0, yes_ask_size: 0 });
    // Never two halts in a row for one market.
    const bos = after.filter((p) => p.market_id === BOS).map((p) => p.status);
    for (let i = 1; i < bos.length; i++) expect(bos[i] === 'halted' && bos[i - 1] === 'halted').toBe(false);
    expect(topOf(h.lastPrice(BOS))).toEqual(venueTop(BOS));
    // The heartbeat carries the client's gap counter (refreshed every 100 ms here).
    await eventually(async () => ((await h.heartbeat())?.metrics['kalshi_ws.gaps'] ?? 0) >= 1, 2_000, 'the gap counter');
  });

  it('a venue outage shows as degraded with halted prices; on recovery the status is healthy and prices are fresh', async () => {
    await h.writeGame(kalshiInfo(game));
    await h.startMonitor(kalshiMonitor, monitorEnv());
    await nudgeUntilPriced(BOS, 0.44, 0.46);
    await nudgeUntilPriced(LAL, 0.53, 0.55);
    const port = Number(new URL(urls.wsUrl).port);

    await venue.close();
    await eventually(async () => (await h.heartbeat())?.status === 'degraded', 5_000, 'degraded status');
    expect((await h.heartbeat())!.detail).toBe('kalshi ws down');
    await eventually(() => h.lastPrice(BOS)?.status === 'halted' && h.lastPrice(LAL)?.status === 'halted', 5_000, 'halted prices');
    expect(h.lastPrice(BOS)).toMatchObject({ yes_bid: null, yes_ask: null, game_id: game.id, team: 'BOS' });
    await eventually(async () => (await h.heartbeat())?.metrics.ws_disconnects === 1, 2_000, 'one disconnect counted');

    // The venue returns with different quotes: the monitor must show those, not the old ones.
    await openVenue(port, { [BOS]: ladder(0.3, 0.33, 40), [LAL]: ladder(0.66, 0.69, 45) });
    await eventually(async () => (await h.heartbeat())?.status === 'healthy', 10_000, 'healthy again');
    await eventually(() => h.lastPrice(BOS)?.status === 'open' && h.lastPrice(LAL)?.status === 'open', 10_000, 'fresh prices');
    expect(topOf(h.lastPrice(BOS))).toEqual({ yes_bid: 0.3, yes_bid_size: 40, yes_ask: 0.33, yes_ask_size: 40 });
    expect(topOf(h.lastPrice(LAL))).toEqual({ yes_bid: 0.66, yes_bid_size: 45, yes_ask: 0.69, yes_ask_size: 45 });
    await eventually(async () => (await h.heartbeat())?.metrics.ws_up === 1, 2_000, 'ws_up');
    expect((await h.heartbeat())!.metrics.ws_reconnects).toBe(1);
  });

  it('starts while the venue is unreachable: degraded until it appears, then prices flow', async () => {
    await h.writeGame(kalshiInfo(game));
    const port = Number(new URL(urls.wsUrl).port);
    await venue.close();
    await h.startMonitor(kalshiMonitor, monitorEnv());
    await eventually(async () => (await h.heartbeat())?.status === 'degraded', 5_000, 'degraded while never connected');
    expect((await h.heartbeat())!.detail).toBe('kalshi ws down (not connected yet)');
    await openVenue(port);
    await eventually(async () => (await h.heartbeat())?.status === 'healthy', 10_000, 'healthy once the venue is up');
    await nudgeUntilPriced(BOS, 0.44, 0.46);
    expect(h.lastPrice(BOS)).toMatchObject({ status: 'open', team: 'BOS', yes_bid: 0.44 });
    // Coming up the first time is not a reconnect.
    expect((await h.heartbeat())!.metrics.ws_reconnects ?? 0).toBe(0);
  });

  it('an empty book is open with no prices, not halted', async () => {
    await h.writeGame(kalshiInfo(game));
    await h.startMonitor(kalshiMonitor, monitorEnv());
    await nudgeUntilPriced(BOS, 0.44, 0.46);
    venue.setMakerQuotes(BOS, { yesBids: [], yesAsks: [] });
    await eventually(() => h.lastPrice(BOS)?.yes_bid === null, 5_000, 'the empty book');
    expect(h.lastPrice(BOS)).toMatchObject({ status: 'open', yes_bid: null, yes_ask: null, yes_bid_size: 0, yes_ask_size: 0 });
  });

  it('refuses to start against a real Kalshi host without a key, and with a key the venue rejects', async () => {
    const noKey = h.baseEnv({ ARBEES_INSTANCE: `nk${h.uid}`, KALSHI_WS_URL: 'wss://external-api-ws.kalshi.com/trade-api/ws/v2' });
    const err = await startService(kalshiMonitor, noKey).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe('KALSHI_API_KEY');

    const stranger = makeKey('never-registered');
    const badKey = h.baseEnv({
      ARBEES_INSTANCE: `bk${h.uid}`,
      ...monitorEnv({ KALSHI_API_KEY: stranger.keyId, KALSHI_PRIVATE_KEY: stranger.privateKeyPem }),
    });
    const err2 = await startService(kalshiMonitor, badKey).catch((e: unknown) => e);
    expect((err2 as { code?: string }).code).toBe('ARB_KALSHI_AUTH');
  });
});
