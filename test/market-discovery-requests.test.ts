/**
 * market_discovery's request handling and configuration: any payload (fuzzed) is either served
 * or refused with ARB_DISCOVERY_INVALID_REQUEST, never anything else; venue lists in the
 * environment are validated with errors naming the variable.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ArbeesError, ConfigError } from '../src/core/errors.js';
import { loadConfig } from '../src/runtime/config.js';
import { marketDiscoveryConfigSpec } from '../src/services/market-discovery/market-discovery-config.js';
import { MarketDiscovery } from '../src/services/market-discovery/market-discovery-core.js';
import { testRedis } from './helpers/redis.js';

const { redis, prefix } = testRedis();
afterAll(() => redis.quit());

const options = {
  keyPrefix: `${prefix}discovery:`,
  foundTtlMs: 60_000,
  notFoundTtlMs: 1_000,
  errorTtlMs: 0,
  lockTtlMs: 1_000,
  lockWaitMs: 1_000,
  lockPollMs: 50,
  instanceId: 'fuzz',
};

const valid = {
  game_id: '401',
  sport: 'NBA',
  home: { name: 'Boston Celtics', abbr: 'BOS' },
  away: { name: 'Los Angeles Lakers', abbr: 'LAL' },
  start_time: '2031-03-10T23:00:00Z',
};

describe('market_discovery requests', () => {
  // No venue configured: only validation and reply shaping run.
  const discovery = new MarketDiscovery(redis, [], options);

  it('serves or refuses any payload with ARB_DISCOVERY_INVALID_REQUEST, never throwing anything else', async () => {
    const payload = fc.oneof(
      fc.anything(),
      fc.record({ game_id: fc.string(), sport: fc.constantFrom('nba', 'NFL', 'epl', 'cricket', ''), home: fc.anything(), away: fc.anything(), start_time: fc.string() }, { requiredKeys: [] }),
      fc.constant(valid),
    );
    await fc.assert(
      fc.asyncProperty(payload, async (p) => {
        try {
          const reply = await discovery.handle(p);
          expect(reply.markets).toEqual([]);
        } catch (err) {
          expect(err).toBeInstanceOf(ArbeesError);
          expect((err as ArbeesError).code).toBe('ARB_DISCOVERY_INVALID_REQUEST');
        }
      }),
      { numRuns: 500 },
    );
    expect(discovery.metrics().invalid_requests).toBeGreaterThan(0);
  });

  it('accepts a valid game in any sport casing and names the bad field of an invalid one', async () => {
    await expect(discovery.handle(valid)).resolves.toMatchObject({ game_id: '401', sport: 'nba', markets: [] });
    await expect(discovery.handle({ ...valid, start_time: 'soon' })).rejects.toThrow(/start_time: must be an ISO 8601 date/);
    await expect(discovery.handle({ ...valid, sport: 'cricket' })).rejects.toThrow(/sport/);
    await expect(discovery.handle({ ...valid, away: valid.home })).rejects.toThrow(/same team/);
  });
});

describe('market_discovery configuration', () => {
  it('defaults to the live hosts and the real series', () => {
    const c = loadConfig(marketDiscoveryConfigSpec, {});
    expect(c.kalshiRestUrl).toMatch(/^https:\/\/.*kalshi\.com\/trade-api\/v2$/);
    expect(c.gammaUrl).toBe('https://gamma-api.polymarket.com');
    expect(c.kalshiSeries.nba).toEqual(['KXNBAGAME']);
    expect(c.notFoundTtlMs).toBeLessThan(c.foundTtlMs);
  });

  it('merges per-sport overrides of series and tags', () => {
    const c = loadConfig(marketDiscoveryConfigSpec, { MARKET_DISCOVERY_KALSHI_SERIES: 'ncaab=KXNCAAMBGAME|KXNCAABGAME', MARKET_DISCOVERY_POLY_TAGS: 'ncaaf=cfb|ncaaf' });
    expect(c.kalshiSeries.ncaab).toEqual(['KXNCAAMBGAME', 'KXNCAABGAME']);
    expect(c.kalshiSeries.nfl).toEqual(['KXNFLGAME']);
    expect(c.polyTagSlugs.ncaaf).toEqual(['cfb', 'ncaaf']);
  });

  it.each([
    ['MARKET_DISCOVERY_KALSHI_SERIES', 'cricket=KXCRICKET'],
    ['MARKET_DISCOVERY_KALSHI_SERIES', 'nba'],
    ['MARKET_DISCOVERY_POLY_TAGS', 'nba=a=b'],
    ['MARKET_DISCOVERY_POLY_TAGS', 'nba=***'],
    ['MARKET_DISCOVERY_MIN_CONFIDENCE', '1.5'],
    ['KALSHI_REST_URL', 'ftp://x'],
  ])('refuses %s=%s naming the variable', (variable, value) => {
    expect(() => loadConfig(marketDiscoveryConfigSpec, { [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig(marketDiscoveryConfigSpec, { [variable]: value })).toThrow(variable);
  });
});
