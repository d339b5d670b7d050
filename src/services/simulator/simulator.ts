/**
 * The simulator service: the whole simulated outside world (games on an ESPN-compatible server,
 * Kalshi and Polymarket venues with market makers) in one process, for `arbees up` without live
 * credentials, demos and tests. Its endpoints go to the Redis key `sim:endpoints`; its counters
 * (games live/final, ladders pushed, orders matched) ride on the heartbeat.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../core/errors.js';
import { defineService } from '../../runtime/service.js';
import { SimRunner, type SimRunnerOptions } from '../../sim/sim-runner.js';
import { simulatorConfigSpec, type SimulatorConfig } from './simulator-config.js';

const SUMMARY_EVERY_MS = 60_000;

function kalshiKeys(c: SimulatorConfig): SimRunnerOptions['kalshiKeys'] {
  if (c.kalshiKeyId === '' && c.kalshiPublicKeyPath === '') return [];
  if (c.kalshiKeyId === '') throw new ConfigError('ARBEES_SIM_KALSHI_KEY_ID', 'is required when ARBEES_SIM_KALSHI_PUBLIC_KEY_PATH is set');
  if (c.kalshiPublicKeyPath === '') throw new ConfigError('ARBEES_SIM_KALSHI_PUBLIC_KEY_PATH', 'is required when ARBEES_SIM_KALSHI_KEY_ID is set');
  let publicKeyPem: string;
  try {
    publicKeyPem = readFileSync(c.kalshiPublicKeyPath, 'utf8');
  } catch (err) {
    throw new ConfigError('ARBEES_SIM_KALSHI_PUBLIC_KEY_PATH', `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return [{ keyId: c.kalshiKeyId, publicKeyPem }];
}

function simRunnerOptions(c: SimulatorConfig): Partial<SimRunnerOptions> {
  if (c.liveShare + c.soonShare > 1) throw new ConfigError('ARBEES_SIM_SOON_SHARE', 'plus ARBEES_SIM_LIVE_SHARE must not exceed 1');
  return {
    seed: c.seed,
    speed: c.speed,
    games: c.games,
    leagues: c.leagues,
    liveShare: c.liveShare,
    soonShare: c.soonShare,
    host: c.host,
    ports: { espn: c.espnPort, kalshi: c.kalshiPort, gamma: c.gammaPort, clob: c.clobPort },
    quoteIntervalMs: c.quoteIntervalMs,
    makerTimings: { lagMs: c.makerLagMs } as SimRunnerOptions['makerTimings'],
    maker: { episodeProb: c.episodeProb },
    kalshiKeys: kalshiKeys(c),
  };
}

export const simulator = defineService({
  name: 'simulator',
  description: 'simulated games (ESPN) and Kalshi/Polymarket venues with market makers on loopback',
  configSpec: simulatorConfigSpec,
  checkConfig: (c) => void simRunnerOptions(c),
  async start(ctx) {
    const c = ctx.config;
    const runner = new SimRunner(simRunnerOptions(c));
    ctx.onStop(() => runner.close());
    const endpoints = await runner.start();
    ctx.metrics.provide('sim', () => {
      const s = runner.stats();
      return {
        games_live: s.gamesLive,
        games_final: s.gamesFinal,
        games_scheduled: s.gamesScheduled,
        markets_quoted: s.marketsQuoted,
        quotes_pushed: s.quotesPushed,
        quote_errors: s.quoteErrors,
        orders_matched: s.ordersMatched,
        games_settled: s.gamesSettled,
        settle_errors: s.settleErrors,
        quote_cpu_ms_max: s.quoteCpuMsMax,
      };
    });
    const published = JSON.stringify({ ...endpoints, speed: c.speed, seed: c.seed, pid: process.pid, startedAt: new Date().toISOString() });
    await ctx.redis.set(c.endpointsKey, published);
    ctx.onStop(async () => {
      // Withdraw the endpoints only if they are still ours (a newer simulator may have replaced them).
      if ((await ctx.redis.get(c.endpointsKey)) === published) await ctx.redis.del(c.endpointsKey);
    });
    runner.world.on('final', (g) =>
      ctx.log.info({ game: g.id, sport: g.sport, score: `${g.away.abbr} ${g.awayScore} - ${g.homeScore} ${g.home.abbr}`, winner: g.winner }, 'game final; markets settled'),
    );
    const summary = setInterval(() => {
      const s = runner.stats();
      ctx.log.info({ live: s.gamesLive, final: s.gamesFinal, scheduled: s.gamesScheduled, pushed: s.quotesPushed, matched: s.ordersMatched }, 'simulated world');
    }, SUMMARY_EVERY_MS);
    summary.unref();
    ctx.onStop(() => clearInterval(summary));
    const s = runner.stats();
    ctx.log.info(
      { ...endpoints, speed: c.speed, seed: c.seed, games: c.games, live: s.gamesLive, markets: runner.quotedMarkets().length },
      `simulated world at ${c.speed}x: ${s.gamesLive} games live, ${s.gamesScheduled} scheduled`,
    );
  },
});
