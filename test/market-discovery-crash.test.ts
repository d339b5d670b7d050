/**
 * A market_discovery process killed (SIGKILL) in the middle of a venue search does not lose the
 * request: the RPC queue keeps it in the dead server's processing list, and the next instance
 * serves it, at once when it restarts under the same server id, or through the reaper after the
 * dead one's liveness expires when a different instance takes over. Real child processes run
 * `cli.js run market_discovery`, compiled by tsc from src into a private folder (so parallel
 * builds of dist/ by others cannot interfere).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RpcClient } from '../src/bus/rpc-client.js';
import { RpcKey } from '../src/bus/rpc-protocol.js';
import { discoverMarkets } from '../src/core/market-discovery.js';
import type { DiscoveryReply } from '../src/core/market-discovery.js';
import { KalshiSimVenue } from '../src/sim/kalshi/kalshi-sim-venue.js';
import { PolymarketSimVenue } from '../src/sim/polymarket/polymarket-sim-venue.js';
import type { SimGameView } from '../src/sim/world.js';
import { CountingProxy, discoverable, simGame } from './market-discovery-harness.js';
import { eventually, TEST_REDIS_URL } from './helpers/redis.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUILD_DIR = path.join(ROOT, 'dist', `.md-crash-test-${randomBytes(4).toString('hex')}`);
const CLI = path.join(BUILD_DIR, 'src/cli.js');
const uid = randomBytes(4).toString('hex');
const QUEUE = `mdc-${uid}`;
const PREFIX = `t${uid}:discovery:`;

let redis: Redis;
let dataDir: string;
let kalshi: KalshiSimVenue;
let poly: PolymarketSimVenue;
let kalshiProxy: CountingProxy;
let kalshiBase: string;
let gammaUrl: string;
let client: RpcClient;
const children: ChildProcess[] = [];

beforeAll(async () => {
  const tsc = path.join(ROOT, 'node_modules/.bin/tsc');
  const args = [
    '--outDir', BUILD_DIR, '--rootDir', ROOT, '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022',
    '--lib', 'es2023', '--types', 'node', '--skipLibCheck', '--esModuleInterop', '--strict', '--resolveJsonModule',
    path.join(ROOT, 'src/cli.ts'),
  ];
  // Type errors elsewhere in the project (parallel work) still emit; what matters is the output.
  const result = spawnSync(tsc, args, { cwd: ROOT, encoding: 'utf8' });
  if (!existsSync(path.join(BUILD_DIR, 'src/services/market-discovery/market-discovery.js'))) {
    throw new Error(`tsc did not emit market_discovery:\n${result.stdout}\n${result.stderr}`);
  }
  redis = new Redis(TEST_REDIS_URL);
  dataDir = mkdtempSync(path.join(tmpdir(), 'arb-mdc-'));
  kalshi = new KalshiSimVenue({ seed: 5 });
  poly = new PolymarketSimVenue({ seed: `mdc-${uid}` });
  const urls = await kalshi.start();
  gammaUrl = (await poly.start()).gammaUrl;
  kalshiProxy = new CountingProxy(new URL(urls.restUrl).origin);
  kalshiBase = `${await kalshiProxy.start()}/trade-api/v2`;
  client = new RpcClient(redis, { queue: QUEUE });
}, 180_000);

afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGKILL');
      await new Promise((r) => c.once('exit', r));
    }
  }
});

afterAll(async () => {
  await client?.close();
  await kalshiProxy?.close();
  await kalshi?.close();
  await poly?.close();
  if (redis) {
    const keys = [...(await redis.keys(`${PREFIX}*`)), ...(await redis.keys(`rpc:${QUEUE}:*`))];
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }
  rmSync(BUILD_DIR, { recursive: true, force: true });
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function startChild(serverId: string): ChildProcess {
  const child = spawn(process.execPath, [CLI, 'run', 'market_discovery'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      PATH: process.env.PATH,
      REDIS_URL: TEST_REDIS_URL,
      ARBEES_DATA_DIR: dataDir,
      ARBEES_INSTANCE: serverId,
      LOG_LEVEL: 'warn',
      MARKET_DISCOVERY_QUEUE: QUEUE,
      MARKET_DISCOVERY_KEY_PREFIX: PREFIX,
      MARKET_DISCOVERY_SERVER_ID: serverId,
      KALSHI_REST_URL: kalshiBase,
      POLYMARKET_GAMMA_URL: gammaUrl,
    },
  });
  children.push(child);
  return child;
}

async function waitServing(serverId: string): Promise<void> {
  await eventually(async () => (await redis.exists(RpcKey.server(QUEUE, serverId))) === 1, 30_000, `${serverId} serving`);
}

async function kill9(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

function listed(id: string, day: number): SimGameView {
  const g = simGame(id, 'nba', 'LAC', 'LAL', new Date(Date.UTC(2031, 5, 1 + day, 2, 30)));
  kalshi.listGame(g);
  poly.listGame(g);
  return g;
}

function expectFound(reply: DiscoveryReply, g: SimGameView): void {
  expect(reply.venues.kalshi!.status).toBe('found');
  expect(reply.venues.poly!.status).toBe('found');
  const truth = new Map(kalshi.gameMarkets(g.id).map((m) => [m.ticker, m.outcome]));
  for (const m of reply.venues.kalshi!.markets) expect(truth.get(m.market_id)).toBe(m.outcome);
  expect(reply.markets.filter((m) => m.venue === 'kalshi').map((m) => m.team).sort()).toEqual(['LAC', 'LAL']);
}

/** Sends a request and waits until a market_discovery child is inside the (held) Kalshi search. */
async function requestHeldInSearch(g: SimGameView, serverId: string): Promise<{ reply: Promise<DiscoveryReply> }> {
  kalshiProxy.hold();
  const arrived = kalshiProxy.nextRequest();
  const reply = discoverMarkets(client, discoverable(g), { timeoutMs: 60_000, retries: 0 });
  reply.catch(() => undefined); // observed below
  await arrived;
  expect(await redis.llen(RpcKey.processing(QUEUE, serverId))).toBe(1);
  return { reply };
}

describe('market_discovery crash recovery (real child processes)', () => {
  it('serves a request whose server was killed mid-search once it restarts under the same id', async () => {
    const id = `mdc-a-${uid}`;
    const g = listed(`crashA${uid}`, 0);
    const first = startChild(id);
    await waitServing(id);
    const { reply: pending } = await requestHeldInSearch(g, id);
    await kill9(first);
    // The request survived the crash in the dead server's processing list, unanswered.
    expect(await redis.llen(RpcKey.processing(QUEUE, id))).toBe(1);
    let settled = false;
    void pending.then(() => (settled = true), () => (settled = true));
    kalshiProxy.release();
    await new Promise((r) => setTimeout(r, 300));
    expect(settled).toBe(false);

    const restartedAt = Date.now();
    startChild(id);
    const reply = await pending;
    expectFound(reply, g);
    // Served at once: no liveness TTL and no search-lock TTL to wait out for its own dead self.
    expect(Date.now() - restartedAt).toBeLessThan(4_000);
    expect(await redis.llen(RpcKey.processing(QUEUE, id))).toBe(0);
  }, 90_000);

  it('is served by another instance, through the reaper, when the dead one never comes back', async () => {
    const deadId = `mdc-b-${uid}`;
    const otherId = `mdc-c-${uid}`;
    const g = listed(`crashB${uid}`, 1);
    const doomed = startChild(deadId);
    await waitServing(deadId);
    const { reply: pending } = await requestHeldInSearch(g, deadId);
    await kill9(doomed);
    kalshiProxy.release();
    startChild(otherId);
    const reply = await pending;
    expectFound(reply, g);
    expect(await redis.llen(RpcKey.processing(QUEUE, deadId))).toBe(0);
  }, 90_000);
});
