/**
 * Everything `arbees up` can be told, with its defaults, in one place: read from the environment,
 * validated once, frozen.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../core/errors.js';
import { simulatorConfigSpec } from '../services/simulator/simulator-config.js';
import type { SimPorts } from '../sim/sim-endpoints.js';
import { decideVenueMode, planForMode, type VenueModeDecision } from './venue-mode.js';
import { defineVar, loadConfig, parse } from '../runtime/config.js';
import { defaultServicePlan, parseServicePlan, type ServicePlan } from './up-services.js';

/** How `arbees up` runs the simulator ahead of the other services. */
export interface SimulatorPlan {
  readonly host: string;
  /** Wanted ports; 0 = any free port, a busy one falls back to a free one. */
  readonly ports: Readonly<SimPorts>;
  readonly speed: number;
  /** How long the simulator gets to answer on every port before `up` gives up. */
  readonly readyTimeoutMs: number;
}

export interface SupervisorOptions {
  /** Absolute data dir: redis/ (AOF), pgdata/, run/ (ipc sockets, the supervisor's run file). */
  readonly dataDir: string;
  /** Redis given by the user; when set nothing else is tried. */
  readonly redisUrl: string | undefined;
  /** Where an already running local Redis is looked for. */
  readonly redisProbeUrl: string;
  readonly redisServerBin: string;
  /** Port of a private redis-server; 0 = any free port. A busy port falls back to a free one. */
  readonly privateRedisPort: number;
  /** How long a user-given REDIS_URL may take to answer before `up` gives up. */
  readonly redisWaitMs: number;
  /** Postgres given by the user; when unset an embedded one is served (unless disabled). */
  readonly databaseUrl: string | undefined;
  readonly embeddedPostgres: boolean;
  /** Port of the embedded Postgres; 0 = any free port. */
  readonly postgresPort: number;
  readonly postgresMaxConnections: number;
  readonly services: readonly ServicePlan[];
  /** Live venues or simulators, and why. */
  readonly venues: VenueModeDecision;
  /** Set when the simulator runs first (simulator mode and a plan that talks to venues). */
  readonly simulator: SimulatorPlan | null;
  /** Prefix of child instance ids (`<prefix>-<n>`); children are `0`, `1`, ... without one. */
  readonly instancePrefix: string;
  readonly restartInitialMs: number;
  readonly restartMaxMs: number;
  /** A child that stayed up this long is healthy again: its next crash restarts fast. */
  readonly restartStableMs: number;
  /** How long children get to stop after SIGTERM before SIGKILL. */
  readonly stopTimeoutMs: number;
  readonly logFormat: 'pretty' | 'json';
  readonly color: boolean;
  /** The `arbees` entry point children are started from. */
  readonly cliPath: string;
  /** The embedded Postgres child's entry point. */
  readonly postgresMainPath: string;
  /** The configuration check child's entry point (config-check-main.ts). */
  readonly configCheckMainPath: string;
  /**
   * A service that rejects its configuration stops `up` (exit 78, everything stopped) unless
   * this is set (`--keep-going`, ARBEES_UP_KEEP_GOING=1): then the others keep running, with a
   * health alert and a repeated status line naming what is down.
   */
  readonly keepGoing: boolean;
  /** How often the keep-going status line about services that are down repeats. */
  readonly downRepeatMs: number;
}

const spec = {
  dataDir: defineVar({ env: 'ARBEES_DATA_DIR', default: '.data', parse: parse.string }),
  redisUrl: defineVar({ env: 'REDIS_URL', default: '', parse: parse.url('redis', 'rediss'), secret: true }),
  redisProbeUrl: defineVar({ env: 'ARBEES_REDIS_PROBE_URL', default: 'redis://127.0.0.1:6379', parse: parse.url('redis', 'rediss') }),
  redisServerBin: defineVar({ env: 'ARBEES_REDIS_SERVER_BIN', default: 'redis-server', parse: parse.string }),
  privateRedisPort: defineVar({ env: 'ARBEES_REDIS_PORT', default: 6380, parse: parse.int(0, 65535) }),
  redisWaitMs: defineVar({ env: 'ARBEES_REDIS_WAIT_MS', default: 10_000, parse: parse.int(0, 600_000) }),
  databaseUrl: defineVar({ env: 'DATABASE_URL', default: '', parse: parse.url('postgres', 'postgresql'), secret: true }),
  embeddedPostgres: defineVar({ env: 'ARBEES_EMBEDDED_POSTGRES', default: true, parse: parse.bool }),
  postgresPort: defineVar({ env: 'ARBEES_PG_PORT', default: 0, parse: parse.int(0, 65535) }),
  postgresMaxConnections: defineVar({ env: 'ARBEES_PG_MAX_CONNECTIONS', default: 32, parse: parse.int(1, 1000) }),
  services: defineVar<ServicePlan[] | null>({ env: 'ARBEES_SERVICES', default: null, parse: parseServicePlan }),
  instancePrefix: defineVar({ env: 'ARBEES_INSTANCE', default: '', parse: parseInstancePrefix }),
  restartInitialMs: defineVar({ env: 'ARBEES_RESTART_MIN_MS', default: 500, parse: parse.int(10, 600_000) }),
  restartMaxMs: defineVar({ env: 'ARBEES_RESTART_MAX_MS', default: 30_000, parse: parse.int(10, 3_600_000) }),
  restartStableMs: defineVar({ env: 'ARBEES_RESTART_STABLE_MS', default: 30_000, parse: parse.int(100, 3_600_000) }),
  stopTimeoutMs: defineVar({ env: 'ARBEES_STOP_TIMEOUT_MS', default: 12_000, parse: parse.int(100, 600_000) }),
  logFormat: defineVar({ env: 'ARBEES_LOG_FORMAT', default: 'pretty' as const, parse: parse.oneOf('pretty', 'json') }),
  color: defineVar({ env: 'ARBEES_COLOR', default: 'auto' as const, parse: parse.oneOf('auto', 'always', 'never') }),
  simReadyMs: defineVar({ env: 'ARBEES_SIM_READY_MS', default: 30_000, parse: parse.int(100, 600_000) }),
  keepGoing: defineVar({ env: 'ARBEES_UP_KEEP_GOING', default: false, parse: parse.bool }),
  downRepeatMs: defineVar({ env: 'ARBEES_UP_DOWN_REPEAT_MS', default: 30_000, parse: parse.int(100, 3_600_000) }),
};

const simSpec = {
  host: simulatorConfigSpec.host,
  speed: simulatorConfigSpec.speed,
  espn: simulatorConfigSpec.espnPort,
  kalshi: simulatorConfigSpec.kalshiPort,
  gamma: simulatorConfigSpec.gammaPort,
  clob: simulatorConfigSpec.clobPort,
};

function parseInstancePrefix(raw: string, env: string): string {
  if (!/^[A-Za-z0-9_:-]{1,64}$/.test(raw)) throw new ConfigError(env, 'may hold only letters, digits, _ : - (at most 64)');
  return raw;
}

const here = path.dirname(fileURLToPath(import.meta.url));

export interface SupervisorOptionsOverrides {
  /** Whether stdout is a terminal (colour in auto mode). */
  isTty?: boolean;
  cwd?: string;
}

export function supervisorOptionsFromEnv(env: NodeJS.ProcessEnv = process.env, overrides: SupervisorOptionsOverrides = {}): SupervisorOptions {
  const c = loadConfig(spec, env);
  if (c.restartMaxMs < c.restartInitialMs) {
    throw new ConfigError('ARBEES_RESTART_MAX_MS', `must be at least ARBEES_RESTART_MIN_MS (${c.restartInitialMs})`);
  }
  const venues = decideVenueMode(env);
  const { plan, simulator } = planForMode(c.services ?? defaultServicePlan(), venues.mode);
  let simulatorPlan: SimulatorPlan | null = null;
  if (simulator) {
    const sim = loadConfig(simSpec, env);
    simulatorPlan = Object.freeze({
      host: sim.host,
      ports: Object.freeze({ espn: sim.espn, kalshi: sim.kalshi, gamma: sim.gamma, clob: sim.clob }),
      speed: sim.speed,
      readyTimeoutMs: c.simReadyMs,
    });
  }
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  const color = c.color === 'always' || (c.color === 'auto' && !noColor && (overrides.isTty ?? false));
  return Object.freeze({
    dataDir: path.resolve(overrides.cwd ?? process.cwd(), c.dataDir),
    redisUrl: c.redisUrl === '' ? undefined : c.redisUrl,
    redisProbeUrl: c.redisProbeUrl,
    redisServerBin: c.redisServerBin,
    privateRedisPort: c.privateRedisPort,
    redisWaitMs: c.redisWaitMs,
    databaseUrl: c.databaseUrl === '' ? undefined : c.databaseUrl,
    embeddedPostgres: c.embeddedPostgres,
    postgresPort: c.postgresPort,
    postgresMaxConnections: c.postgresMaxConnections,
    services: Object.freeze(plan),
    venues: Object.freeze(venues),
    simulator: simulatorPlan,
    instancePrefix: c.instancePrefix,
    restartInitialMs: c.restartInitialMs,
    restartMaxMs: c.restartMaxMs,
    restartStableMs: c.restartStableMs,
    stopTimeoutMs: c.stopTimeoutMs,
    logFormat: c.logFormat,
    color,
    // Compiled layout: dist/src/launcher/ -> dist/src/cli.js and dist/src/store/.
    cliPath: path.resolve(here, '../cli.js'),
    postgresMainPath: path.resolve(here, '../store/embedded-postgres-main.js'),
    configCheckMainPath: path.resolve(here, 'config-check-main.js'),
    keepGoing: c.keepGoing,
    downRepeatMs: c.downRepeatMs,
  });
}

/** `<prefix>-<n>` or `<n>`: a valid topic id either way. */
export function childInstanceId(options: Pick<SupervisorOptions, 'instancePrefix'>, index: number): string {
  return options.instancePrefix === '' ? String(index) : `${options.instancePrefix}-${index}`;
}
