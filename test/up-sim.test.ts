/**
 * `arbees up` without live credentials: the simulator starts first, and every other child is
 * pointed at it (ESPN, Kalshi REST/WS with a key the simulator accepts, Polymarket Gamma/CLOB/WS).
 * With the test acting as the orchestrator (it writes games:active), the real monitors stream
 * the simulated books into the slow track. With credentials, or a bad simulator setting, no
 * simulator runs.
 */
import { createServer, type Server } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { GameInfo } from '../src/core/messages.js';
import { SlowKey } from '../src/core/slow-keys.js';
import { SIM_ENDPOINTS_KEY, type SimEndpoints } from '../src/sim/sim-endpoints.js';
import { EspnClient } from '../src/venues/espn/http.js';
import { KalshiHttpClient } from '../src/venues/kalshi/http.js';
import { GammaClient } from '../src/venues/polymarket/gamma.js';
import { eventually } from './helpers/redis.js';
import { alivePids, CLI, cleanUpAll, startUp, waitForOutput, waitUntilRunning } from './supervisor-harness.js';

afterEach(cleanUpAll);

const FREE_SIM_PORTS = { ARBEES_SIM_KALSHI_PORT: '0', ARBEES_SIM_GAMMA_PORT: '0', ARBEES_SIM_CLOB_PORT: '0' };

function holdPort(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

/** What the orchestrator would write for one simulated game: its markets on both venues. */
async function assignLiveGame(redis: Redis, e: SimEndpoints): Promise<{ kalshi: string[]; poly: string[] }> {
  const espn = new EspnClient({ baseUrl: e.espnBaseUrl, minIntervalMs: 0 });
  const games = await espn.scoreboard('nba');
  const game = games.find((g) => g.status === 'live') ?? games[0]!;
  const [away, home] = [game.away.team.abbr!, game.home.team.abbr!];
  const kalshiMarkets = (await new KalshiHttpClient({ baseUrl: e.kalshiRestUrl }).getAllMarkets({ seriesTicker: 'KXNBAGAME' })).filter((m) =>
    m.eventTicker.endsWith(`${away}${home}`.replace(/[^A-Z0-9]/g, '')),
  );
  const gammaMarket = (await new GammaClient({ baseUrl: e.polyGammaUrl }).listEvents({ tagSlug: 'nba' })).items
    .flatMap((ev) => ev.markets)
    .find((m) => m.gameId === game.id)!;
  const info: GameInfo = {
    event: 'discovered',
    game_id: game.id,
    sport: 'nba',
    name: `${away} at ${home}`,
    home: { name: game.home.team.name!, abbr: home },
    away: { name: game.away.team.name!, abbr: away },
    start_time: game.startTime!,
    status: game.status,
    markets: [
      ...kalshiMarkets.map((m) => ({ venue: 'kalshi' as const, market_id: m.ticker, team: m.ticker.split('-').at(-1)!, outcome: m.ticker.endsWith(`-${home}`) ? ('home' as const) : ('away' as const) })),
      ...gammaMarket.clobTokenIds.map((id, i) => ({ venue: 'poly' as const, market_id: id, team: i === 0 ? away : home, outcome: i === 0 ? ('away' as const) : ('home' as const) })),
    ],
    shard: null,
  };
  await redis.hset(SlowKey.activeGames, game.id, JSON.stringify(info));
  return { kalshi: kalshiMarkets.map((m) => m.ticker), poly: gammaMarket.clobTokenIds };
}

async function streamIds(redis: Redis, stream: string): Promise<Set<string>> {
  const entries = await redis.xrevrange(stream, '+', '-', 'COUNT', 500);
  const ids = new Set<string>();
  for (const [, fields] of entries) {
    const topic = fields[fields.indexOf('topic') + 1] ?? '';
    ids.add(topic.split('.').slice(2).join('.'));
  }
  return ids;
}

describe('arbees up on the simulators', () => {
  it('starts the simulator first and the monitors stream its books into the slow track', async () => {
    expect(existsSync(CLI), 'run `npx tsc -p .` first (npm test does)').toBe(true);
    const busy = await holdPort();
    const up = startUp({
      ARBEES_SERVICES: 'zmq_listener,kalshi_monitor,polymarket_monitor',
      ARBEES_SIM_ESPN_PORT: String(busy.port),
      ...FREE_SIM_PORTS,
      ARBEES_SIM_SPEED: '20',
      ARBEES_SIM_GAMES: '16',
      ARBEES_SIM_LIVE_SHARE: '0.8',
      ARBEES_SIM_SOON_SHARE: '0.2',
      MONITOR_HEAL_INTERVAL_MS: '300',
      // Whatever the developer's shell holds, the children must get the simulator's.
      ESPN_BASE_URL: 'http://127.0.0.1:1',
      KALSHI_WS_URL: 'ws://127.0.0.1:1/x',
    });
    try {
      const state = await waitUntilRunning(up, 4, 60_000);
      expect(state.children.map((c) => c.service)).toEqual(['simulator', 'zmq_listener', 'kalshi_monitor', 'polymarket_monitor']);
      // zmq_listener runs at a lower priority (niceness 10) and may log its start last.
      await waitForOutput(up, /zmq_listener started/, 1, 30_000);
      await waitForOutput(up, /kalshi_monitor started/, 1, 30_000);
      await waitForOutput(up, /polymarket_monitor started/, 1, 30_000);
      await waitForOutput(up, /Stop {7}Ctrl-C/);
      const out = up.output();
      expect(out).toContain(`simulator espn port ${busy.port} is busy; using`);
      expect(out).toMatch(/Venues {5}SIMULATED at 20x speed \(no live credentials configured/);
      // The simulator answered before any other service was started.
      expect(out.indexOf('simulated world at 20x')).toBeGreaterThan(-1);
      expect(out.indexOf('simulated world at 20x')).toBeLessThan(out.indexOf('zmq_listener started'));
      expect(out.indexOf('simulated world at 20x')).toBeLessThan(out.indexOf('kalshi_monitor started'));
      // The Kalshi monitor signs with the key made in the data dir (its start verifies it).
      expect(out).not.toContain('no Kalshi key configured');
      expect(existsSync(path.join(up.dataDir, 'sim', 'kalshi-key.pem'))).toBe(true);

      const redis = new Redis(state.redis!.url);
      try {
        const endpoints = JSON.parse((await redis.get(SIM_ENDPOINTS_KEY))!) as SimEndpoints & { speed: number };
        expect(endpoints.speed).toBe(20);
        expect(endpoints.espnBaseUrl).not.toBe(`http://127.0.0.1:${busy.port}`);
        expect(out).toContain(`ESPN ${endpoints.espnBaseUrl}  Kalshi ${endpoints.kalshiRestUrl}`);

        const assigned = await assignLiveGame(redis, endpoints);
        expect(assigned.kalshi).toHaveLength(2);
        expect(assigned.poly).toHaveLength(2);
        await eventually(
          async () => {
            const [k, p] = await Promise.all([streamIds(redis, SlowKey.pricesStream('kalshi')), streamIds(redis, SlowKey.pricesStream('poly'))]);
            return assigned.kalshi.every((t) => k.has(t)) && assigned.poly.every((t) => p.has(t));
          },
          30_000,
          'prices of the assigned markets in prices:kalshi and prices:poly',
        ).catch((err: Error) => {
          throw new Error(`${err.message}\n--- output ---\n${up.output()}`);
        });
        const latest = await redis.hgetall(SlowKey.latestPrice('kalshi', assigned.kalshi[0]!));
        expect(Object.keys(latest).length).toBeGreaterThan(0);
      } finally {
        redis.disconnect();
      }

      // zmq_listener runs with the node flags and niceness `arbees up` gives it (UP_NODE_FLAGS, UP_NICENESS).
      const listener = state.children.find((c) => c.service === 'zmq_listener')!;
      expect(readFileSync(`/proc/${listener.pid}/cmdline`, 'utf8').split('\0')).toContain('--max-semi-space-size=32');
      expect(getPriority(listener.pid!)).toBe(10);
      // The critical path runs with a small young generation (RSS).
      const monitor = state.children.find((c) => c.service === 'kalshi_monitor')!;
      expect(readFileSync(`/proc/${monitor.pid}/cmdline`, 'utf8').split('\0')).toContain('--max-semi-space-size=4');

      const pids = up.knownPids();
      up.proc.kill('SIGINT');
      expect(await up.exited).toBe(0);
      expect(alivePids(pids)).toEqual([]);
      // The simulator stopped after the services that use it.
      const stopped = up.output();
      expect(stopped.indexOf('simulator stopped')).toBeGreaterThan(stopped.indexOf('kalshi_monitor stopped'));
    } finally {
      busy.server.close();
    }
  }, 120_000);

  it('with live credentials no simulator runs, even when listed', async () => {
    const up = startUp({ ARBEES_SERVICES: 'simulator,zmq_listener', KALSHI_API_KEY: 'live-key-id' });
    const state = await waitUntilRunning(up, 1, 30_000);
    expect(state.children.map((c) => c.service)).toEqual(['zmq_listener']);
    await waitForOutput(up, /Stop {7}Ctrl-C/);
    expect(up.output()).toMatch(/Venues {5}LIVE \(credentials set \(KALSHI_API_KEY\)\)/);
    expect(existsSync(path.join(up.dataDir, 'sim'))).toBe(false);
    up.proc.kill('SIGTERM');
    expect(await up.exited).toBe(0);
  }, 60_000);

  it('a bad simulator setting stops arbees up with exit 78 naming the variable', async () => {
    const up = startUp({ ARBEES_SERVICES: 'simulator,zmq_listener', ARBEES_SIM_SPEED: '500' });
    expect(await up.exited).toBe(78);
    expect(up.output()).toContain('ARBEES_SIM_SPEED must be between 1 and 60');
  }, 30_000);

  it('a simulator that rejects its configuration at start stops arbees up with exit 78', async () => {
    const up = startUp({ ARBEES_SERVICES: 'simulator,zmq_listener', ARBEES_SIMULATOR__ARBEES_SIM_LEAGUES: 'curling', ...FREE_SIM_PORTS, ARBEES_SIM_ESPN_PORT: '0' });
    expect(await up.exited).toBe(78);
    expect(up.output()).toContain('ARBEES_SIM_LEAGUES must list leagues');
    expect(alivePids(up.knownPids())).toEqual([]);
  }, 60_000);
});
