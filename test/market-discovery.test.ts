/**
 * market_discovery against the Kalshi and Polymarket simulators over real HTTP and real Redis:
 * the service runs through startService, requests go through the reliable RPC queue with
 * discoverMarkets. Every simulated game across the eight leagues (same-city rivals included)
 * is found on both venues with the right ticker / token for each team; unlisted, ambiguous and
 * failing searches assign nothing and say why; results are cached with TTLs; concurrent
 * requests for one game make one venue search, in one instance and across two.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcClient } from '../src/bus/rpc-client.js';
import { RpcRemoteError } from '../src/core/errors.js';
import type { Sport } from '../src/core/topics.js';
import { startService, type RunningService } from '../src/runtime/service.js';
import { discoverMarkets } from '../src/core/market-discovery.js';
import type { DiscoveryReply } from '../src/core/market-discovery.js';
import { marketDiscovery } from '../src/services/market-discovery/market-discovery.js';
import { KalshiSimVenue } from '../src/sim/kalshi/kalshi-sim-venue.js';
import { PolymarketSimVenue, type SimGameListing } from '../src/sim/polymarket/polymarket-sim-venue.js';
import type { SimGameView } from '../src/sim/world.js';
import { CountingProxy, discoverable, simGame } from './market-discovery-harness.js';
import { TEST_REDIS_URL } from './helpers/redis.js';

const uid = randomBytes(4).toString('hex');
const QUEUE = `md-${uid}`;
const PREFIX = `t${uid}:discovery:`;
const NOT_FOUND_TTL_MS = 1_500;
const HOUR = 3_600_000;

let redis: Redis;
let dataDir: string;
let kalshi: KalshiSimVenue;
let poly: PolymarketSimVenue;
let kalshiProxy: CountingProxy;
let gammaProxy: CountingProxy;
let env: NodeJS.ProcessEnv;
let service: RunningService;
let client: RpcClient;
const polyListings = new Map<string, SimGameListing>();

/** A day far enough ahead that no two test days share a Kalshi date code by accident. */
const base = new Date(Date.UTC(2031, 2, 10, 23, 0, 0));
const at = (dayOffset: number, hourOffset = 0) => new Date(base.getTime() + dayOffset * 24 * HOUR + hourOffset * HOUR);

const PAIRS: [Sport, string, string][] = [
  ['nba', 'LAC', 'LAL'], ['nba', 'BOS', 'NY'], ['nba', 'GS', 'SA'], ['nba', 'UTAH', 'WSH'], ['nba', 'NO', 'BKN'],
  ['nfl', 'NYG', 'NYJ'], ['nfl', 'LAR', 'LAC'], ['nfl', 'DEN', 'LV'], ['nfl', 'NE', 'NO'], ['nfl', 'KC', 'GB'],
  ['nhl', 'NYI', 'NYR'], ['nhl', 'STL', 'LA'], ['nhl', 'VGK', 'TB'], ['nhl', 'UTAH', 'NJ'], ['nhl', 'FLA', 'WPG'],
  ['mlb', 'CHC', 'CHW'], ['mlb', 'LAD', 'LAA'], ['mlb', 'NYY', 'NYM'], ['mlb', 'SF', 'SD'], ['mlb', 'ATH', 'TEX'],
  ['mls', 'LAFC', 'LA'], ['mls', 'NYC', 'NY'], ['mls', 'SKC', 'STL'], ['mls', 'MTL', 'DC'], ['mls', 'ATL', 'ATX'],
  ['epl', 'MNC', 'MAN'], ['epl', 'TOT', 'ARS'], ['epl', 'WOL', 'BHA'], ['epl', 'NFO', 'WHU'],
  ['ncaaf', 'MICH', 'OSU'], ['ncaaf', 'UGA', 'ALA'], ['ncaaf', 'TEX', 'ORE'], ['ncaaf', 'ND', 'USC'],
  ['ncaab', 'UK', 'KU'], ['ncaab', 'MSU', 'DUKE'], ['ncaab', 'CONN', 'HOU'], ['ncaab', 'UNC', 'GONZ'], ['ncaab', 'PUR', 'UCLA'],
];
const LISTED: SimGameView[] = PAIRS.map(([sport, home, away], i) => simGame(`g${uid}${i}`, sport, home, away, at(i % 3, (i % 5) * 0.5)));

function list(g: SimGameView): void {
  kalshi.listGame(g);
  polyListings.set(g.id, poly.listGame(g));
}

const discover = (g: SimGameView, opts: { refresh?: boolean } = {}) => discoverMarkets(client, discoverable(g), { timeoutMs: 20_000, ...opts });
const metric = (s: RunningService, name: string) => s.ctx.metrics.snapshot()[`discovery.${name}`] ?? 0;

function serviceEnv(instance: string): NodeJS.ProcessEnv {
  return { ...env, ARBEES_INSTANCE: instance, MARKET_DISCOVERY_SERVER_ID: `md-${uid}-${instance}` };
}

beforeAll(async () => {
  redis = new Redis(TEST_REDIS_URL);
  dataDir = mkdtempSync(path.join(tmpdir(), 'arb-md-'));
  kalshi = new KalshiSimVenue({ seed: 11 });
  poly = new PolymarketSimVenue({ seed: `md-${uid}` });
  const { restUrl } = await kalshi.start();
  const { gammaUrl } = await poly.start();
  kalshiProxy = new CountingProxy(new URL(restUrl).origin);
  gammaProxy = new CountingProxy(gammaUrl);
  const kalshiBase = `${await kalshiProxy.start()}/trade-api/v2`;
  const gammaBase = await gammaProxy.start();
  for (const g of LISTED) list(g);
  env = {
    REDIS_URL: TEST_REDIS_URL,
    ARBEES_DATA_DIR: dataDir,
    ARBEES_HEARTBEAT_MS: '200',
    LOG_LEVEL: 'silent',
    MARKET_DISCOVERY_QUEUE: QUEUE,
    MARKET_DISCOVERY_KEY_PREFIX: PREFIX,
    KALSHI_REST_URL: kalshiBase,
    POLYMARKET_GAMMA_URL: gammaBase,
    // Every search reads the venue afresh, so request counts at the proxies are exact.
    MARKET_DISCOVERY_LISTING_TTL_MS: '0',
    MARKET_DISCOVERY_RELIST_AFTER_MS: '0',
    MARKET_DISCOVERY_NOT_FOUND_TTL_MS: String(NOT_FOUND_TTL_MS),
    MARKET_DISCOVERY_VENUE_TIMEOUT_MS: '5000',
  };
  service = await startService(marketDiscovery, serviceEnv('1'));
  client = new RpcClient(redis, { queue: QUEUE });
}, 60_000);

afterAll(async () => {
  await client?.close();
  await service?.stop();
  await kalshiProxy?.close();
  await gammaProxy?.close();
  await kalshi?.close();
  await poly?.close();
  const keys = [...(await redis.keys(`${PREFIX}*`)), ...(await redis.keys(`rpc:${QUEUE}:*`))];
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Asserts a found reply is exactly the simulators' listing of `g`, each contract paying on the right team. */
function expectListedMarkets(reply: DiscoveryReply, g: SimGameView): void {
  const soccer = g.sport === 'mls' || g.sport === 'epl';
  const k = reply.venues.kalshi!;
  const p = reply.venues.poly!;
  expect(k.status, `${g.sport} ${g.away.abbr}@${g.home.abbr} kalshi: ${k.reason}`).toBe('found');
  expect(p.status, `${g.sport} ${g.away.abbr}@${g.home.abbr} poly: ${p.reason}`).toBe('found');

  const truth = new Map(kalshi.gameMarkets(g.id).map((m) => [m.ticker, m.outcome]));
  expect(k.markets).toHaveLength(soccer ? 3 : 2);
  for (const m of k.markets) {
    expect(truth.get(m.market_id), `${m.market_id} pays on ${m.outcome}`).toBe(m.outcome);
    expect(m.team).toBe(m.outcome === 'home' ? g.home.abbr : m.outcome === 'away' ? g.away.abbr : null);
    expect(m.confidence).toBeGreaterThanOrEqual(0.8);
  }

  const tokens = new Map(polyListings.get(g.id)!.markets.flatMap((m) => m.tokens.map((t) => [t.tokenId, { ...t, conditionId: m.conditionId }] as const)));
  expect(p.markets).toHaveLength(soccer ? 3 : 2);
  for (const m of p.markets) {
    const t = tokens.get(m.market_id);
    expect(t, `token ${m.market_id} is listed`).toBeDefined();
    expect(t!.paysOnResult, `token ${m.market_id} pays when its result happens`).toBe(true);
    expect(t!.result).toBe(m.outcome);
    expect(m.team).toBe(t!.team);
    expect(m.condition_id).toBe(t!.conditionId);
    const no = tokens.get(m.no_token_id ?? '');
    expect(no, 'the complementary token is named').toBeDefined();
    expect(no!.tokenId).not.toBe(m.market_id);
  }
  expect(new Set(reply.markets.map((m) => `${m.venue}:${m.outcome}`)).size).toBe(soccer ? 6 : 4);
}

describe('market_discovery against the simulated venues', () => {
  it('finds 100% of the listed games on both venues, with the team each contract pays on', async () => {
    const replies = await Promise.all(LISTED.map((g) => discover(g)));
    LISTED.forEach((g, i) => expectListedMarkets(replies[i]!, g));
    expect(new Set(LISTED.map((g) => g.sport)).size).toBe(8);
  }, 60_000);

  it('assigns nothing to a game no venue lists, says why, and caches that briefly', async () => {
    const g = simGame(`nolist${uid}`, 'nba', 'MIA', 'ORL', at(1, 2));
    const reply = await discover(g);
    expect(reply.markets).toEqual([]);
    for (const v of [reply.venues.kalshi!, reply.venues.poly!]) {
      expect(v.status).toBe('not_found');
      expect(v.markets).toEqual([]);
      expect(v.reason).toMatch(/ORL at MIA/);
    }
    const ttl = await redis.pttl(`${PREFIX}game:nba:${g.id}:kalshi`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(NOT_FOUND_TTL_MS);
  });

  it('leaves Polymarket unassigned when its outcome labels fit both teams (Tigers v Tigers), with the reason', async () => {
    for (const g of [simGame(`tig${uid}`, 'ncaaf', 'LSU', 'CLEM', at(4)), simGame(`cats${uid}`, 'ncaab', 'VILL', 'ARIZ', at(4, 1))]) {
      list(g);
      const reply = await discover(g);
      expect(reply.venues.kalshi!.status).toBe('found'); // Kalshi's codes tell the teams apart
      expect(reply.venues.poly!.status).toBe('ambiguous');
      expect(reply.venues.poly!.reason).toMatch(/fits both/);
      expect(reply.venues.poly!.markets).toEqual([]);
      expect(reply.markets.every((m) => m.venue === 'kalshi')).toBe(true);
    }
  });

  it('refuses to choose between two listings of the same game', async () => {
    const start = at(5);
    const first = simGame(`dup1${uid}`, 'nhl', 'BOS', 'MTL', start);
    const second = simGame(`dup2${uid}`, 'nhl', 'BOS', 'MTL', start);
    list(first);
    list(second);
    const reply = await discover(first);
    expect(reply.venues.kalshi).toMatchObject({ status: 'ambiguous', markets: [] });
    expect(reply.venues.kalshi!.reason).toMatch(/several Kalshi events/);
    expect(reply.venues.poly).toMatchObject({ status: 'ambiguous', markets: [] });
    expect(reply.markets).toEqual([]);
  });

  it('tells the same teams apart on consecutive days', async () => {
    const day1 = simGame(`ser1${uid}`, 'mlb', 'BOS', 'NYY', at(6));
    const day2 = simGame(`ser2${uid}`, 'mlb', 'BOS', 'NYY', at(7));
    list(day1);
    list(day2);
    const [r1, r2] = await Promise.all([discover(day1), discover(day2)]);
    expectListedMarkets(r1, day1);
    expectListedMarkets(r2, day2);
    expect(r1.venues.kalshi!.event_id).not.toBe(r2.venues.kalshi!.event_id);
    expect(r1.venues.poly!.event_id).not.toBe(r2.venues.poly!.event_id);
  });

  it('serves a repeated request from the Redis cache without asking the venues', async () => {
    const g = LISTED[0]!;
    await discover(g);
    kalshiProxy.reset();
    gammaProxy.reset();
    const hitsBefore = metric(service, 'cache_hits');
    const again = await discover(g);
    expect(again.venues.kalshi!.from_cache).toBe(true);
    expect(again.venues.poly!.from_cache).toBe(true);
    expectListedMarkets(again, g);
    expect(kalshiProxy.requests + gammaProxy.requests).toBe(0);
    expect(metric(service, 'cache_hits') - hitsBefore).toBe(2);
    // Found results live long, much longer than not-found ones.
    expect(await redis.pttl(`${PREFIX}game:${g.sport}:${g.id}:kalshi`)).toBeGreaterThan(HOUR);
  });

  it('expires a not-found result after its short TTL, then finds the newly listed game', async () => {
    const g = simGame(`late${uid}`, 'epl', 'CHE', 'LIV', at(8));
    const before = await discover(g);
    expect(before.venues.kalshi!.status).toBe('not_found');
    list(g);
    const cached = await discover(g);
    expect(cached.venues.kalshi).toMatchObject({ status: 'not_found', from_cache: true });
    await new Promise((r) => setTimeout(r, NOT_FOUND_TTL_MS + 200));
    const after = await discover(g);
    expect(after.venues.kalshi!.from_cache).toBe(false);
    expectListedMarkets(after, g);
  });

  it('treats an unreadable or mismatched cache entry as a miss, never as an answer', async () => {
    const g = LISTED[3]!;
    const key = `${PREFIX}game:${g.sport}:${g.id}:kalshi`;
    await redis.set(key, '{not json', 'PX', 60_000);
    const unreadable = metric(service, 'unreadable_cache_entries');
    const r1 = await discover(g);
    expect(r1.venues.kalshi!.from_cache).toBe(false);
    expectListedMarkets(r1, g);
    expect(metric(service, 'unreadable_cache_entries')).toBeGreaterThan(unreadable);
    // The same game id now names another game (other teams): the cached answer must not be reused.
    const reused = simGame(g.id, g.sport, 'DEN', 'DAL', at(12));
    const r2 = await discover(reused);
    expect(r2.venues.kalshi).toMatchObject({ status: 'not_found', from_cache: false, markets: [] });
  });

  it('searches again on refresh', async () => {
    const g = LISTED[1]!;
    await discover(g);
    const searches = metric(service, 'searches_kalshi');
    const fresh = await discover(g, { refresh: true });
    expect(fresh.venues.kalshi!.from_cache).toBe(false);
    expectListedMarkets(fresh, g);
    expect(metric(service, 'searches_kalshi')).toBe(searches + 1);
  });

  it('coalesces concurrent requests for one game into one venue search', async () => {
    const g = simGame(`co${uid}`, 'nfl', 'SEA', 'SF', at(9));
    list(g);
    kalshiProxy.reset();
    gammaProxy.reset();
    const k0 = metric(service, 'searches_kalshi');
    const p0 = metric(service, 'searches_poly');
    const replies = await Promise.all(Array.from({ length: 6 }, () => discover(g)));
    for (const r of replies) expectListedMarkets(r, g);
    expect(metric(service, 'searches_kalshi') - k0).toBe(1);
    expect(metric(service, 'searches_poly') - p0).toBe(1);
    // One search = one series listing on Kalshi and one league listing on Gamma.
    expect(kalshiProxy.requests).toBe(1);
    expect(gammaProxy.requests).toBe(1);
  });

  it('coalesces across two market_discovery instances on one queue', async () => {
    const second = await startService(marketDiscovery, serviceEnv('2'));
    try {
      const g = simGame(`co2${uid}`, 'nba', 'MIL', 'CHI', at(10));
      list(g);
      kalshiProxy.reset();
      gammaProxy.reset();
      const k0 = metric(service, 'searches_kalshi') + metric(second, 'searches_kalshi');
      const replies = await Promise.all(Array.from({ length: 10 }, () => discover(g)));
      for (const r of replies) expectListedMarkets(r, g);
      expect(metric(service, 'searches_kalshi') + metric(second, 'searches_kalshi') - k0).toBe(1);
      expect(kalshiProxy.requests).toBe(1);
      expect(gammaProxy.requests).toBe(1);
      const served = (s: RunningService) => s.ctx.metrics.snapshot()['rpc.served'] ?? 0;
      expect(served(second)).toBeGreaterThan(0); // both instances really took requests
    } finally {
      await second.stop();
    }
  });

  it('answers a malformed request with a clear error and keeps serving', async () => {
    const invalid0 = metric(service, 'invalid_requests');
    for (const bad of [null, 'x', { game_id: 'g', sport: 'cricket' }, { ...discoverable(LISTED[0]!), start_time: 'tomorrow' }]) {
      const err = await client.call(bad, { timeoutMs: 5_000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RpcRemoteError);
      expect((err as RpcRemoteError).remoteCode).toBe('ARB_DISCOVERY_INVALID_REQUEST');
    }
    expect(metric(service, 'invalid_requests') - invalid0).toBe(4);
    expectListedMarkets(await discover(LISTED[2]!, { refresh: true }), LISTED[2]!);
  });

  it('reports a failing venue as an error without caching it, while the other venue answers', async () => {
    const g = simGame(`fail${uid}`, 'nhl', 'EDM', 'CGY', at(11));
    list(g);
    kalshi.faults.failNext(10, 503);
    const failed = await discover(g);
    expect(failed.venues.kalshi!.status).toBe('error');
    expect(failed.venues.kalshi!.reason).toMatch(/ARB_DISCOVERY_VENUE_FAILED/);
    expect(failed.venues.poly!.status).toBe('found');
    expect(await redis.exists(`${PREFIX}game:nhl:${g.id}:kalshi`)).toBe(0);
    kalshi.faults.failNext(0);
    expectListedMarkets(await discover(g), g);
  });
});
