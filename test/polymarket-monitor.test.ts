/**
 * polymarket_monitor end to end: the Polymarket simulator's market WebSocket over real sockets,
 * real Redis and real ZMQ. Proves: each team token is published under its own token id with its
 * team (the reference system's defect was one unlabelled id for both), top-only publishing,
 * hot-path game_info and final with unsubscribe (seen in the simulator's own subscription
 * layout), recovery after a restart, halts and degraded status on a venue outage with fresh
 * prices after it, and settlement published as settled.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GameInfo, PriceUpdate } from '../src/core/messages.js';
import { PolymarketSimVenue, type SimGameListing } from '../src/sim/polymarket/polymarket-sim-venue.js';
import type { QuoteLadder } from '../src/sim/world.js';
import { eventually } from './helpers/redis.js';
import { simGame } from './helpers/polymarket-games.js';
import { gameInfo, MonitorHarness } from './monitor-harness.js';
import { marketMonitorService } from '../src/services/market-monitor/market-monitor.js';

const polymarketMonitor = marketMonitorService('poly');

const game = simGame('g-mon-poly-1', 'nba', 'BOS', 'LAL', '2026-11-25T00:30:00Z', 0.55);

const ladder = (bid: number, ask: number, size = 100, deepSize = size * 2): QuoteLadder => ({
  yesBids: [
    [bid, size],
    [Math.round((bid - 0.01) * 100) / 100, deepSize],
  ],
  yesAsks: [
    [ask, size],
    [Math.round((ask + 0.01) * 100) / 100, deepSize],
  ],
});

let h: MonitorHarness;
let venue: PolymarketSimVenue;
let wsUrl: string;
let listing: SimGameListing;
let home: string; // LAL token
let away: string; // BOS token

async function openVenue(ports: { gammaPort?: number; clobPort?: number } = {}, quotes?: Record<string, QuoteLadder>): Promise<void> {
  venue = new PolymarketSimVenue({ seed: 'monitor-test', ...ports });
  ({ wsUrl } = await venue.start());
  listing = venue.listGame(game);
  home = listing.tokens.find((t) => t.result === 'home')!.tokenId;
  away = listing.tokens.find((t) => t.result === 'away')!.tokenId;
  for (const [token, l] of Object.entries(quotes ?? { [home]: ladder(0.54, 0.56), [away]: ladder(0.44, 0.46) })) venue.setMakerQuotes(token, l);
}

function polyInfo(event: GameInfo['event'] = 'discovered'): GameInfo {
  const markets = listing.tokens.map((t) => ({ venue: 'poly' as const, market_id: t.tokenId, team: t.team, outcome: t.result }));
  return gameInfo(game, markets, event);
}

const monitorEnv = (extra: Record<string, string> = {}) => ({
  POLYMARKET_WS_URL: wsUrl,
  POLYMARKET_WS_RECONNECT_BASE_MS: '50',
  POLYMARKET_WS_RECONNECT_MAX_MS: '300',
  POLYMARKET_WS_PING_MS: '200',
  POLYMARKET_WS_STALE_MS: '2000',
  ...extra,
});

const topOf = (p: PriceUpdate | undefined) =>
  p && { yes_bid: p.yes_bid, yes_bid_size: p.yes_bid_size, yes_ask: p.yes_ask, yes_ask_size: p.yes_ask_size };

async function nudgeUntilPriced(token: string, bid: number, ask: number): Promise<void> {
  let size = 300;
  await eventually(
    async () => {
      venue.setMakerQuotes(token, ladder(bid, ask, ++size));
      await new Promise((r) => setTimeout(r, 40));
      return h.lastPrice(token)?.yes_bid_size === size;
    },
    8_000,
    `a price for ${token}`,
  );
}

const subscribedAssets = () => venue.wsLayout().flat();

beforeEach(async () => {
  h = new MonitorHarness();
  await h.startOrchestrator();
  await openVenue();
});

afterEach(async () => {
  await h.close();
  await venue.close();
});

describe('polymarket_monitor', () => {
  it('publishes each team token under its own id with its game and team, from games:active', async () => {
    await h.writeGame(polyInfo());
    await h.startMonitor(polymarketMonitor, monitorEnv());
    await nudgeUntilPriced(home, 0.54, 0.56);
    await nudgeUntilPriced(away, 0.44, 0.46);

    const lal = h.pricesOf(home).at(-1)!;
    expect(lal.topic).toBe(`prices.poly.${home}`);
    expect(lal.data).toMatchObject({ venue: 'poly', market_id: home, game_id: game.id, team: 'LAL', status: 'open', yes_bid: 0.54, yes_ask: 0.56 });
    expect(lal.envelope.origin_ts).toBeLessThanOrEqual(lal.envelope.ts);
    expect(lal.envelope.ts - lal.envelope.origin_ts).toBeLessThan(1_000_000);
    expect(h.lastPrice(away)).toMatchObject({ market_id: away, team: 'BOS', yes_bid: 0.44, yes_ask: 0.46 });
    await eventually(() => h.lastBook(home)?.yes_asks[1]?.[0] === 0.57, 5_000, 'order book');
    expect(h.lastBook(home)).toMatchObject({ venue: 'poly', market_id: home, game_id: game.id, book_seq: null });
  });

  it('publishes on top-of-book changes only', async () => {
    await h.writeGame(polyInfo());
    await h.startMonitor(polymarketMonitor, monitorEnv());
    await nudgeUntilPriced(home, 0.54, 0.56);
    const size = h.lastPrice(home)!.yes_bid_size;
    const count = h.pricesOf(home).length;
    venue.setMakerQuotes(home, ladder(0.54, 0.56, size, 777));
    await eventually(() => h.lastBook(home)?.yes_bids[1]?.[1] === 777, 5_000, 'the deeper change in the order book');
    await new Promise((r) => setTimeout(r, 150));
    expect(h.pricesOf(home).length).toBe(count);
    venue.setMakerQuotes(home, ladder(0.6, 0.62, 10));
    await eventually(() => h.lastPrice(home)?.yes_bid === 0.6, 5_000, 'new top');
    expect(topOf(h.lastPrice(home))).toEqual({ yes_bid: 0.6, yes_bid_size: 10, yes_ask: 0.62, yes_ask_size: 10 });
  });

  it('follows game_info; after a final and its grace period the tokens are unsubscribed at the venue', async () => {
    await h.startMonitor(polymarketMonitor, monitorEnv({ MONITOR_FINAL_GRACE_MS: '400' }));
    await h.publishGameUntil(polyInfo(), () => h.lastPrice(home) !== undefined && h.lastPrice(away) !== undefined, 'prices after discovered');
    expect(subscribedAssets().sort()).toEqual([home, away].sort());

    await h.publishGameUntil(polyInfo('final'), () => subscribedAssets().length === 0, 'unsubscribed after the final', 5_000);
    const count = h.prices.length;
    venue.setMakerQuotes(home, ladder(0.7, 0.72));
    await new Promise((r) => setTimeout(r, 200));
    expect(h.prices.length).toBe(count);
  });

  it('recovers its tokens from the hash after a restart', async () => {
    await h.writeGame(polyInfo());
    await h.startMonitor(polymarketMonitor, monitorEnv());
    await nudgeUntilPriced(home, 0.54, 0.56);
    await h.stopMonitor();
    await eventually(() => subscribedAssets().length === 0, 5_000, 'the old monitor gone');
    await h.startMonitor(polymarketMonitor, monitorEnv());
    await eventually(() => subscribedAssets().length === 2, 5_000, 'subscribed again');
    await nudgeUntilPriced(away, 0.41, 0.43);
    expect(h.lastPrice(away)).toMatchObject({ game_id: game.id, team: 'BOS', yes_bid: 0.41, yes_ask: 0.43, status: 'open' });
  });

  it('a venue outage halts the prices and degrades the status; recovery brings fresh prices', async () => {
    await h.writeGame(polyInfo());
    await h.startMonitor(polymarketMonitor, monitorEnv());
    await nudgeUntilPriced(home, 0.54, 0.56);
    const clobPort = Number(new URL(wsUrl).port);

    await venue.close();
    await eventually(async () => (await h.heartbeat())?.status === 'degraded', 5_000, 'degraded');
    expect((await h.heartbeat())!.detail).toBe('polymarket ws down');
    await eventually(() => h.lastPrice(home)?.status === 'halted', 5_000, 'halted price');
    expect(h.lastPrice(home)).toMatchObject({ yes_bid: null, yes_ask: null, team: 'LAL' });

    await openVenue({ clobPort }, { [home]: ladder(0.31, 0.34, 12), [away]: ladder(0.65, 0.68, 13) });
    await eventually(async () => (await h.heartbeat())?.status === 'healthy', 10_000, 'healthy again');
    await eventually(() => h.lastPrice(home)?.status === 'open' && h.lastPrice(away)?.yes_bid === 0.65, 10_000, 'fresh prices');
    expect(topOf(h.lastPrice(home))).toEqual({ yes_bid: 0.31, yes_bid_size: 12, yes_ask: 0.34, yes_ask_size: 12 });
    await eventually(async () => {
      const m = (await h.heartbeat())?.metrics;
      return m?.ws_disconnects === 1 && m.ws_reconnects === 1;
    }, 2_000, 'one disconnect and one reconnect counted');
  });

  it('a resolved market is published as settled, winner 1 and loser 0', async () => {
    await h.writeGame(polyInfo());
    await h.startMonitor(polymarketMonitor, monitorEnv());
    await nudgeUntilPriced(home, 0.54, 0.56);
    await nudgeUntilPriced(away, 0.44, 0.46);
    venue.settleGame(game.id, 'home');
    await eventually(() => h.lastPrice(home)?.status === 'settled' && h.lastPrice(away)?.status === 'settled', 5_000, 'settled prices');
    expect(h.lastPrice(home)).toMatchObject({ last_price: 1, yes_bid: null, yes_ask: null });
    expect(h.lastPrice(away)).toMatchObject({ last_price: 0 });
  });
});
