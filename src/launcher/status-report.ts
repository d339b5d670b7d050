/**
 * `arbees status`: the dashboard's summary in the terminal (services, games, P&L, positions,
 * controls), read from the slow track of the running system; win rate and drawdown from the
 * recorder's Postgres when there is one (DATABASE_URL or the run file), else the Redis streams. The Redis comes from REDIS_URL,
 * else from the run file of `arbees up` in ARBEES_DATA_DIR, else 127.0.0.1:6379.
 */
import { Redis } from 'ioredis';
import type { AccountView, GameView, ServiceView } from '../core/api-protocol.js';
import { formatCc } from '../core/money.js';
import { loadConfig } from '../runtime/config.js';
import type pg from 'pg';
import type { ThrottledLogSink } from '../core/throttled-log.js';
import { openPool } from '../store/pg-pool.js';
import { HistoryReader as StoreHistoryReader } from '../store/history-reader.js';
import { RedisAccountHistory } from '../services/api/account-history.js';
import { RedisHistoryReader } from '../services/api/history-reader.js';
import { HistoryRouter } from '../services/api/history-router.js';
import { PostgresHistory } from '../services/api/postgres-history.js';
import { SlowStateReader } from '../services/api/state-reader.js';
import { RunFile } from './run-file.js';
import { prepareApiAccess, API_SERVICE } from './api-access.js';
import { baseConfigSpec } from '../runtime/base-config.js';

/** The Redis of the running system (also `arbees ledger`). */
export function redisUrlFor(env: NodeJS.ProcessEnv): string {
  if (env.REDIS_URL) return env.REDIS_URL;
  const dataDir = loadConfig({ dataDir: baseConfigSpec.dataDir }, env).dataDir;
  return new RunFile(dataDir).read()?.redis?.url ?? 'redis://127.0.0.1:6379';
}

/** A command's own Redis client (quick to fail, quiet about errors), connected; null when Redis does not answer. */
export async function connectCliRedis(url: string): Promise<Redis | null> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return redis;
  } catch {
    redis.disconnect();
    return null;
  }
}

const pad = (s: string, n: number) => (s.length >= n ? s.slice(0, n) : s + ' '.repeat(n - s.length));
const pct = (p: number | null | undefined) => (p === null || p === undefined ? '  – ' : `${(p * 100).toFixed(0).padStart(3)}¢`);

export function formatStatus(services: ServiceView[], games: GameView[], account: AccountView, dashboard: string | null): string {
  const healthy = services.filter((s) => s.status === 'healthy').length;
  const today = (account.day_realised_cc ?? 0) + account.unrealised_cc;
  const total = (account.realised_cc ?? 0) + account.unrealised_cc;
  const live = games.filter((g) => g.state !== null && g.state.status === 'live');
  const lines = [
    `arbees  mode ${account.mode.toUpperCase()}  kill switch ${account.control.kill_switch ? 'ON' : 'off'}  entries ${account.control.entries_paused ? 'PAUSED' : 'open'}`,
    `P&L today ${formatCc(today)}  total ${formatCc(total)}  exposure ${formatCc(account.open_exposure_cc)} in ${account.open_positions} position(s)  win rate ${account.win_rate === null ? '–' : `${Math.round(account.win_rate * 100)}% of ${account.closed_count}`}`,
    '',
    `services ${healthy}/${services.length} healthy`,
    ...services.map((s) => `  ${pad(`${s.service}.${s.instance}`, 24)} ${pad(s.status, 9)} heartbeat ${Math.round(s.age_ms / 100) / 10}s ago`),
    '',
    `games ${live.length} live of ${games.length} tracked`,
    ...live.slice(0, 20).map((g) => {
      const s = g.state!;
      const k = g.prices.find((p) => p.venue === 'kalshi');
      return `  ${pad(`${g.info.sport.toUpperCase()} ${g.info.away.abbr} ${s.away_score}-${s.home_score} ${g.info.home.abbr}`, 26)} P${s.period}  model ${pct(s.model_home_prob)}  kalshi ${pct(k?.yes_bid)}/${pct(k?.yes_ask)}`;
    }),
  ];
  if (dashboard !== null) lines.push('', `dashboard ${dashboard}`);
  return lines.join('\n') + '\n';
}

export async function runStatus(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const url = redisUrlFor(env);
  const redis = await connectCliRedis(url);
  if (redis === null) {
    process.stderr.write(`arbees status: no Redis at ${url.replace(/\/\/[^@]*@/, '//***@')}; is arbees up running? (set REDIS_URL or ARBEES_DATA_DIR)\n`);
    process.exitCode = 1;
    return;
  }
  const databaseUrl = databaseUrlFor(env);
  const pool = databaseUrl === null ? null : openPool(databaseUrl, { max: 2, connectTimeoutMs: 1_000 });
  try {
    const reader = new SlowStateReader(redis, accountHistory(redis, pool), loadConfig({ ttl: baseConfigSpec.registryTtlMs }, env).ttl);
    const [services, games, account] = await Promise.all([reader.services(), reader.games(), reader.account()]);
    const dataDir = loadConfig({ dataDir: baseConfigSpec.dataDir }, env).dataDir;
    const api = services.some((s) => s.service === API_SERVICE) ? prepareApiAccess([{ service: API_SERVICE }], dataDir, env) : null;
    process.stdout.write(formatStatus(services, games, account, api?.url ?? null));
  } finally {
    redis.disconnect();
    await pool?.end();
  }
}

/** The history database of the running system: DATABASE_URL, else the one `arbees up` recorded; null without one. */
function databaseUrlFor(env: NodeJS.ProcessEnv): string | null {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  const dataDir = loadConfig({ dataDir: baseConfigSpec.dataDir }, env).dataDir;
  return new RunFile(dataDir).read()?.postgres?.url ?? null;
}

const QUIET: ThrottledLogSink = { debug: () => {}, warn: () => {}, error: () => {} };

/** Totals (win rate, drawdown, mode) as the api reads them: the recorder's Postgres, else the Redis streams. */
function accountHistory(redis: Redis, pool: pg.Pool | null): HistoryRouter {
  const streams = new RedisHistoryReader(redis);
  return new HistoryRouter(streams, new RedisAccountHistory(streams), pool === null ? null : new PostgresHistory(new StoreHistoryReader(pool)), QUIET);
}
