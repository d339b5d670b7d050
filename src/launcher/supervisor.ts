/**
 * The supervisor behind `arbees up`: finds or starts Redis and Postgres, starts every planned
 * service as its own child process (`arbees run <service>`), restarts crashed ones with backoff,
 * shows their logs prefixed with their names, and stops everything in order: services first,
 * then the Postgres and Redis they flush into.
 */
import { EventEmitter } from 'node:events';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { ArbeesError, errorMessage } from '../core/errors.js';
import { simEndpointsFor, simEnvironment, type SimEndpoints, type SimPorts } from '../sim/sim-endpoints.js';
import { ensureSimKalshiKey } from '../sim/sim-kalshi-key.js';
import { waitForSimEndpoints } from './sim-readiness.js';
import { LIVE_CREDENTIAL_VARS } from '../runtime/venue-credentials.js';
import { SIMULATOR_SERVICE } from './venue-mode.js';
import { ChildLogFormatter } from './child-log-formatter.js';
import { scrubString } from '../runtime/logger.js';
import { ManagedChild } from './managed-child.js';
import { LocalNotifySink } from './local-notify-sink.js';
import { UP_NICENESS, UP_NODE_FLAGS } from './up-services.js';
import { freePort, portIsFree, reclaimStaleProcess } from './process-utils.js';
import { findOrStartRedis, type RedisEndpoint } from './redis-server.js';
import type { RestartBackoffOptions } from './restart-backoff.js';
import { RunFile, type UpState } from './run-file.js';
import { childInstanceId, type SupervisorOptions } from './supervisor-options.js';
import { prepareApiAccess, type ApiAccess } from './api-access.js';
import { ensureBusKey } from '../runtime/bus-key.js';
import type { BusKeys } from '../bus/envelope-signer.js';
import { describeProblems, runConfigPreflight, type ConfigCheckRequest } from './config-preflight.js';
import { DownServices } from './down-services.js';
import { HealthAlertWriter } from './health-alert-writer.js';
import { SlowKey } from '../core/slow-keys.js';
import { registryKey } from '../bus/registry.js';
import { loadConfig } from '../runtime/config.js';
import { notifyConfigSpec } from '../services/notification-service/notification-service-config.js';
import { embeddedPostgresUrl, ensureEmbeddedPassword } from '../store/embedded-postgres-password.js';

interface ServiceChild {
  readonly service: string;
  readonly instance: string;
  readonly child: ManagedChild;
}

interface SimulatorRun {
  readonly endpoints: SimEndpoints;
  /** What every other child gets: the simulator's URLs and the Kalshi key it accepts. */
  readonly clientEnv: Readonly<Record<string, string>>;
  /** What the simulator child gets: its ports and the public key to accept. */
  readonly ownEnv: Readonly<Record<string, string>>;
}

interface PostgresEndpoint {
  readonly url: string;
  readonly source: 'env' | 'embedded';
  readonly child: ManagedChild | null;
}

const POSTGRES_READY_TIMEOUT_MS = 120_000;
/** The configuration check loads every service's code once: seconds on a slow machine. */
const PREFLIGHT_TIMEOUT_MS = 60_000;
/** How long a keep-going alert waits for the notifier to be up (then it is written anyway). */
const NOTIFIER_WAIT_MS = 60_000;
/** Stands in for endpoints not started yet while the configurations are checked. */
const PLANNED_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
/** Infrastructure gets this long to flush after a forced stop before SIGKILL. */
const FORCED_INFRA_TIMEOUT_MS = 2_000;

export class StopRequestedError extends Error {
  constructor() {
    super('stop requested while starting');
    this.name = 'StopRequestedError';
  }
}

export interface SupervisorEvents {
  /** Every service failed on its configuration (with keep-going: nothing is left to keep). */
  'all-failed': [];
  /** A service failed on its configuration and keep-going is off: `up` must stop. */
  'config-failed': [message: string];
}

export class Supervisor extends EventEmitter<SupervisorEvents> {
  private readonly runFile: RunFile;
  private readonly width: number;
  private readonly own: ChildLogFormatter;
  private readonly restart: RestartBackoffOptions;
  private redis: RedisEndpoint | null = null;
  private postgres: PostgresEndpoint | null = null;
  private simulator: SimulatorRun | null = null;
  private apiAccess: ApiAccess | null = null;
  private busKey: BusKeys | null = null;
  private notifySink: LocalNotifySink | null = null;
  private readonly services: ServiceChild[] = [];
  private readonly down: DownServices;
  private alertWriter: HealthAlertWriter | null = null;
  private starting: Promise<void> | null = null;
  private started = false;
  private stopping: Promise<void> | null = null;
  private forced = false;
  private colorIndex = 1;
  private readonly startedAt = new Date().toISOString();

  constructor(
    readonly options: SupervisorOptions,
    private readonly write: (line: string) => void = (line) => void process.stdout.write(line + '\n'),
  ) {
    super();
    this.runFile = new RunFile(options.dataDir);
    const names = ['arbees', 'redis', 'postgres', ...options.services.map((s) => `${s.service}.${childInstanceId(options, s.instances - 1)}`)];
    this.width = Math.max(...names.map((n) => n.length));
    this.own = this.formatter('arbees', 0);
    this.restart = { initialMs: options.restartInitialMs, maxMs: options.restartMaxMs, stableMs: options.restartStableMs };
    this.down = new DownServices({
      repeatMs: options.downRepeatMs,
      say: (m) => this.say(m),
      alerts: () => this.alerts(),
      beforeAlert: (writer) => this.notifierReady(writer),
    });
  }

  /** Prints lines of the supervisor's own, in one write so no child's line lands between them. */
  say(message: string): void {
    this.write(message.split('\n').map((line) => this.own.format(line)).join('\n'));
  }

  start(): Promise<void> {
    this.starting ??= this.startOnce().then(() => {
      this.started = true;
    });
    return this.starting;
  }

  private async startOnce(): Promise<void> {
    const stale = this.runFile.acquire();
    if (stale !== null) await this.cleanUpAfter(stale);
    this.saveState();
    // Everything a service's environment depends on is planned first, then every configuration
    // is checked, and only then does the first child start: a bad setting never half-starts it.
    if (this.options.services.some((s) => s.service === NOTIFY_SERVICE)) {
      this.notifySink = await LocalNotifySink.startIfUnconfigured(process.env, (line) => this.say(line));
    }
    if (this.options.simulator !== null) await this.planSimulator();
    await this.preflight();
    this.checkNotStopping();
    this.redis = await findOrStartRedis({
      ...this.options,
      restart: this.restart,
      onLine: this.lineSink('redis'),
      say: (m) => this.say(m),
      onServerExit: (code, signal, delay) => {
        this.saveState();
        if (delay !== null) this.say(`redis-server exited (${signal ?? `code ${code}`}); restarting it in ${seconds(delay)} on the same port and data`);
      },
      onServerSpawn: (pid, restarts) => {
        this.saveState();
        if (restarts > 0) this.say(`redis-server restarted (pid ${pid})`);
      },
    });
    this.saveState();
    this.checkNotStopping();
    this.postgres = await this.startPostgres();
    this.saveState();
    this.checkNotStopping();
    if (this.simulator !== null) await this.startSimulator();
    this.apiAccess = prepareApiAccess(this.options.services, this.options.dataDir);
    // Before any child starts, so the banner can name it (services run alone create it too, atomically).
    this.busKey = ensureBusKey(this.options.dataDir, process.env.ARBEES_BUS_KEY ?? '', process.env.ARBEES_BUS_KEY_PREVIOUS ?? '');
    for (const { service, instances } of this.options.services) {
      if (service === SIMULATOR_SERVICE && this.simulator !== null) continue;
      for (let i = 0; i < instances; i++) this.startService(service, childInstanceId(this.options, i));
    }
    this.saveState();
    this.printBanner();
  }

  /** SIGTERM to every service, wait (SIGKILL after the timeout), then Postgres and Redis. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.startSettled(this.options.stopTimeoutMs);
      const running = this.services.filter((s) => s.child.pid !== null).length;
      this.say(`stopping ${running} service process${running === 1 ? '' : 'es'} (Ctrl-C again to force)`);
      // The simulator last: the services close their venue connections before it goes away.
      const isSim = (s: ServiceChild) => s.service === SIMULATOR_SERVICE;
      await Promise.all(this.services.filter((s) => !isSim(s)).map((s) => this.stopChild(s.child, this.options.stopTimeoutMs)));
      await Promise.all(this.services.filter(isSim).map((s) => this.stopChild(s.child, this.options.stopTimeoutMs)));
      await this.notifySink?.close();
      this.down.close();
      this.alertWriter?.close();
      await this.stopInfrastructure(this.options.stopTimeoutMs);
      this.removeIpcSockets();
      this.runFile.remove();
      this.say('stopped');
    })();
    return this.stopping;
  }

  /** A second Ctrl-C: SIGKILL the services now; Redis and Postgres get a moment to flush. */
  async forceStop(): Promise<void> {
    if (this.forced) return;
    this.forced = true;
    this.say('forcing: SIGKILL to every service');
    await this.startSettled(FORCED_INFRA_TIMEOUT_MS);
    await Promise.all(this.services.map((s) => s.child.kill()));
    await this.stopInfrastructure(FORCED_INFRA_TIMEOUT_MS);
    this.runFile.remove();
  }

  /** What runs now (also written to `<data dir>/run/up.json`). */
  state(): UpState {
    return {
      supervisorPid: process.pid,
      startedAt: this.startedAt,
      dataDir: this.options.dataDir,
      redis: this.redis && { url: scrubString(this.redis.url, []), source: this.redis.source, pid: this.redis.server?.pid ?? null },
      postgres: this.postgres && { url: scrubString(this.postgres.url, []), source: this.postgres.source, pid: this.postgres.child?.pid ?? null },
      children: this.services.map(({ service, instance, child }) => ({
        name: child.name,
        service,
        instance,
        pid: child.pid,
        state: child.state,
        restarts: child.restarts,
      })),
    };
  }

  /**
   * Lets a start in progress finish or fail before stopping, so nothing it is bringing up is
   * missed; a Postgres still initialising is stopped first, since its readiness wait is long.
   */
  private async startSettled(timeoutMs: number): Promise<void> {
    if (this.starting === null || this.started) return;
    void this.postgres?.child?.stop(timeoutMs);
    await this.starting.catch(() => undefined);
  }

  private checkNotStopping(): void {
    if (this.stopping !== null || this.forced) throw new StopRequestedError();
  }

  private async stopInfrastructure(timeoutMs: number): Promise<void> {
    if (this.postgres?.child) await this.stopChild(this.postgres.child, timeoutMs);
    await this.redis?.server?.stop(timeoutMs);
  }

  private async stopChild(child: ManagedChild, timeoutMs: number): Promise<void> {
    const { killed } = await child.stop(timeoutMs);
    if (killed) this.say(`${child.name} did not stop within ${seconds(timeoutMs)}; killed it (SIGKILL)`);
  }

  /** The ipc sockets our children bound in the run dir (ZeroMQ leaves the files behind). */
  private removeIpcSockets(): void {
    for (const { service, instance } of this.services) {
      rmSync(path.join(this.runFile.dir, `${service}-${instance}.ipc`), { force: true });
    }
  }

  private saveState(): void {
    try {
      this.runFile.write(this.state());
    } catch (err) {
      this.say(`cannot write ${this.runFile.statePath}: ${errorMessage(err)}`);
    }
  }

  private formatter(name: string, colorIndex: number): ChildLogFormatter {
    return new ChildLogFormatter({ name, width: this.width, colorIndex, color: this.options.color, format: this.options.logFormat });
  }

  private lineSink(name: string): (line: string) => void {
    const f = this.formatter(name, this.colorIndex++);
    return (line) => this.write(f.format(line));
  }

  /** Stops whatever a supervisor that died without cleaning up left running on this data dir. */
  private async cleanUpAfter(stale: UpState): Promise<void> {
    this.say(`a previous arbees up (pid ${stale.supervisorPid}) did not stop cleanly; stopping what it left running`);
    const leftovers: Promise<boolean>[] = [];
    if (stale.redis?.source === 'private' && stale.redis.pid !== null) leftovers.push(reclaimStaleProcess(stale.redis.pid, 'redis-server'));
    if (stale.postgres?.pid != null) leftovers.push(reclaimStaleProcess(stale.postgres.pid, 'embedded-postgres-main'));
    for (const c of stale.children) if (c.pid !== null) leftovers.push(reclaimStaleProcess(c.pid, c.service));
    const stopped = (await Promise.all(leftovers)).filter(Boolean).length;
    if (stopped > 0) this.say(`stopped ${stopped} leftover process${stopped === 1 ? '' : 'es'}`);
  }

  private async startPostgres(): Promise<PostgresEndpoint | null> {
    if (this.options.databaseUrl !== undefined) return { url: this.options.databaseUrl, source: 'env', child: null };
    if (!this.options.embeddedPostgres) return null;
    const dataDir = path.join(this.options.dataDir, 'pgdata');
    const port = this.options.postgresPort !== 0 ? this.options.postgresPort : await freePort();
    this.checkNotStopping();
    const child = new ManagedChild({
      name: 'postgres',
      command: process.execPath,
      args: [this.options.postgresMainPath],
      env: {
        ...process.env,
        ARBEES_PG_DATA_DIR: dataDir,
        ARBEES_PG_PORT: String(port),
        ARBEES_PG_MAX_CONNECTIONS: String(this.options.postgresMaxConnections),
      },
      ipc: true,
      restart: this.restart,
      onLine: this.lineSink('postgres'),
    });
    // The child serves this password too (both read the file); the services get it in DATABASE_URL.
    this.postgres = { url: embeddedPostgresUrl('127.0.0.1', port, ensureEmbeddedPassword(dataDir)), source: 'embedded', child };
    this.say(`DATABASE_URL unset: serving an embedded Postgres (PGlite) from ${dataDir}`);
    child.on('spawn', () => this.saveState());
    child.on('exit', (code, signal, delay) => {
      this.saveState();
      if (delay !== null) this.say(`postgres exited (${signal ?? `code ${code}`}); restarting in ${seconds(delay)}`);
    });
    await waitForReady(child, POSTGRES_READY_TIMEOUT_MS);
    return this.postgres;
  }

  /**
   * Simulator mode, before anything starts: makes the Kalshi key (once per data dir) and picks
   * the ports, so every service's environment is known when the configurations are checked.
   */
  private async planSimulator(): Promise<void> {
    const plan = this.options.simulator!;
    const key = ensureSimKalshiKey(this.options.dataDir);
    const ports = await this.simulatorPorts(plan.host, plan.ports);
    this.checkNotStopping();
    const endpoints = simEndpointsFor(plan.host, ports);
    this.simulator = {
      endpoints,
      clientEnv: simEnvironment(endpoints, { kalshi: { keyId: key.keyId, privateKeyPath: key.privateKeyPath }, speed: plan.speed }),
      ownEnv: {
        ARBEES_SIM_HOST: plan.host,
        ARBEES_SIM_ESPN_PORT: String(ports.espn),
        ARBEES_SIM_KALSHI_PORT: String(ports.kalshi),
        ARBEES_SIM_GAMMA_PORT: String(ports.gamma),
        ARBEES_SIM_CLOB_PORT: String(ports.clob),
        ARBEES_SIM_SPEED: String(plan.speed),
        ARBEES_SIM_KALSHI_KEY_ID: key.keyId,
        ARBEES_SIM_KALSHI_PUBLIC_KEY_PATH: key.publicKeyPath,
      },
    };
  }

  /** Starts the planned simulator and waits until every server answers, so the services that follow connect at once. */
  private async startSimulator(): Promise<void> {
    const plan = this.options.simulator!;
    const { endpoints } = this.simulator!;
    this.say(`${this.options.venues.reason}: running on the simulators at ${plan.speed}x (ESPN ${endpoints.espnBaseUrl})`);
    const child = this.startService(SIMULATOR_SERVICE, childInstanceId(this.options, 0));
    this.saveState();
    await waitForSimEndpoints(endpoints, {
      timeoutMs: plan.readyTimeoutMs,
      failure: () => {
        if (this.stopping !== null || this.forced) return 'stop requested';
        return child.state === 'failed' ? 'it failed (see its output above)' : null;
      },
    }).catch((err: unknown) => {
      this.checkNotStopping();
      throw child.state === 'failed' ? new ArbeesError('ARB_CONFIG_INVALID', `${errorMessage(err)}; fix its configuration and run arbees up again`) : err;
    });
  }

  /** The wanted ports where free; a free port instead of 0 or of a busy one (and says so). */
  private async simulatorPorts(host: string, wanted: Readonly<SimPorts>): Promise<SimPorts> {
    const chosen: SimPorts = { ...wanted };
    for (const name of Object.keys(wanted) as (keyof SimPorts)[]) {
      const port = wanted[name];
      if (port !== 0 && (await portIsFree(port, host))) continue;
      chosen[name] = await freePort(host);
      if (port !== 0) this.say(`simulator ${name} port ${port} is busy; using ${chosen[name]}`);
    }
    return chosen;
  }

  private startService(service: string, instance: string): ManagedChild {
    const name = `${service}.${instance}`;
    const child = new ManagedChild({
      name,
      command: process.execPath,
      args: [...(UP_NODE_FLAGS[service] ?? []), this.options.cliPath, 'run', service],
      env: this.serviceEnv(service, instance),
      ...(UP_NICENESS[service] === undefined ? {} : { niceness: UP_NICENESS[service] }),
      // The IPC channel is the child's lifeline: when it closes (supervisor gone, even by
      // kill -9), runServiceMain shuts the service down, so no child outlives `arbees up`.
      ipc: true,
      restart: this.restart,
      onLine: this.lineSink(name),
    });
    child.on('spawn', (pid) => {
      if (child.restarts > 0) this.say(`${name} restarted (pid ${pid}, restart ${child.restarts})`);
      this.saveState();
    });
    child.on('exit', (code, signal, delay) => {
      this.saveState();
      if (delay !== null) this.say(`${name} exited (${signal ?? `code ${code}`}); restarting in ${seconds(delay)}`);
    });
    child.on('failed', (reason) => void this.onServiceFailed(service, instance, child, reason));
    this.services.push({ service, instance, child });
    child.start();
    return child;
  }

  /**
   * A service that failed on its configuration (exit 78; never restarted): `up` stops, naming it
   * and its error, unless keep-going was asked for; then it is reported as down (alert, banner).
   */
  private async onServiceFailed(service: string, instance: string, child: ManagedChild, reason: string): Promise<void> {
    this.saveState();
    const error = failureOf(service, child.lastErrorLine) ?? reason;
    if (!this.options.keepGoing) {
      this.say(`${child.name} failed: ${reason}`);
      this.emit('config-failed', `${child.name} rejected its configuration: ${error}`);
      return;
    }
    if (this.services.every((s) => s.child.state === 'failed')) {
      this.emit('all-failed');
      return;
    }
    await this.down.add({ name: child.name, service, instance, reason: error });
  }

  /** The writer of the supervisor's health alerts, once there is a Redis; into the notifier's stream. */
  private alerts(): HealthAlertWriter | null {
    if (this.redis === null) return null;
    if (this.alertWriter === null) {
      const env = this.serviceEnv(NOTIFY_SERVICE, childInstanceId(this.options, 0));
      let prefix = '';
      try {
        prefix = loadConfig({ keyPrefix: notifyConfigSpec.keyPrefix }, env).keyPrefix;
      } catch {
        // A bad NOTIFY_KEY_PREFIX is the notifier's own configuration error; the default stream then.
      }
      this.alertWriter = new HealthAlertWriter(this.redis.url, prefix + SlowKey.healthAlerts);
    }
    return this.alertWriter;
  }

  /** Until the notifier (when planned) is healthy, at most NOTIFIER_WAIT_MS: it then delivers the alert. */
  private async notifierReady(writer: HealthAlertWriter): Promise<void> {
    const notifiers = this.services.filter((s) => s.service === NOTIFY_SERVICE);
    if (notifiers.length === 0 || notifiers.every((s) => s.child.state === 'failed')) return;
    await writer.waitUntilHealthy(registryKey(NOTIFY_SERVICE, childInstanceId(this.options, 0)), NOTIFIER_WAIT_MS);
  }

  /**
   * Checks every planned service's configuration, with the environment it will get (endpoints
   * not started yet stand in with their planned values). A problem stops `up` before any child
   * starts, unless keep-going: then the problems are printed and the services start anyway (the
   * failing ones are then reported as down). A check that cannot run is said and skipped: every
   * service still checks its own configuration when it starts.
   */
  private async preflight(): Promise<void> {
    const planned = { redisUrl: this.options.redisUrl ?? this.options.redisProbeUrl, databaseUrl: this.plannedDatabaseUrl() };
    const requests: ConfigCheckRequest[] = this.options.services.map(({ service }) => ({
      service,
      env: this.serviceEnv(service, childInstanceId(this.options, 0), planned),
    }));
    let problems;
    try {
      problems = await runConfigPreflight(this.options.configCheckMainPath, requests, PREFLIGHT_TIMEOUT_MS);
    } catch (err) {
      this.say(`could not check the configurations before starting (${errorMessage(err)}); each service checks its own`);
      return;
    }
    if (problems.length === 0) return;
    const names = problems.map((p) => p.service).join(', ');
    if (!this.options.keepGoing) {
      throw new ArbeesError(
        'ARB_CONFIG_INVALID',
        `${names} rejected ${problems.length === 1 ? 'its configuration' : 'their configurations'}; nothing was started:\n${describeProblems(problems)}\n` +
          'Fix it and run arbees up again (or arbees up --keep-going / ARBEES_UP_KEEP_GOING=1 to run the other services without it).',
      );
    }
    this.say(`configuration rejected (keep-going: starting the others; these will be reported down):\n${describeProblems(problems)}`);
  }

  private plannedDatabaseUrl(): string | undefined {
    if (this.options.databaseUrl !== undefined) return this.options.databaseUrl;
    return this.options.embeddedPostgres ? PLANNED_POSTGRES_URL : undefined;
  }

  /**
   * A child's environment: the supervisor's, the endpoints it found (or, before they exist, the
   * planned ones), the child's instance id, and per-service overrides `ARBEES_<SERVICE>__<VAR>`
   * (e.g. ARBEES_ZMQ_LISTENER__LOG_LEVEL=debug).
   */
  private serviceEnv(
    service: string,
    instance: string,
    endpoints: { redisUrl?: string; databaseUrl?: string } = { redisUrl: this.redis?.url, databaseUrl: this.postgres?.url },
  ): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env };
    if (this.simulator !== null) {
      // On the simulators no child sees a live credential; clients get the simulator's URLs and key.
      for (const name of LIVE_CREDENTIAL_VARS) delete env[name];
      Object.assign(env, service === SIMULATOR_SERVICE ? this.simulator.ownEnv : this.simulator.clientEnv);
    }
    const prefix = `ARBEES_${service.toUpperCase()}__`;
    for (const [key, value] of Object.entries(process.env)) {
      if (key.startsWith(prefix) && key.length > prefix.length) env[key.slice(prefix.length)] = value;
    }
    if (endpoints.redisUrl !== undefined) env.REDIS_URL = endpoints.redisUrl;
    if (endpoints.databaseUrl !== undefined) env.DATABASE_URL = endpoints.databaseUrl;
    if (this.notifySink !== null && service === NOTIFY_SERVICE) env.NOTIFY_WEBHOOK_URL = this.notifySink.webhookUrl;
    env.ARBEES_DATA_DIR = this.options.dataDir;
    env.ARBEES_INSTANCE = instance;
    // Capture for replay is on under arbees up unless ARBEES_RECORD says otherwise; one session per run.
    env.ARBEES_RECORD ??= 'on';
    env.ARBEES_RECORD_SESSION ??= this.startedAt.replace(/[:.]/g, '-');
    return env;
  }

  /** Where alerts go: the local sink (no channel configured) or the configured channels. */
  private alertsBanner(): string[] {
    if (!this.options.services.some((s) => s.service === NOTIFY_SERVICE)) return [];
    if (this.notifySink === null) return ['  Alerts     to the configured channels (see notification_service\'s start-up lines; arbees notify test checks them)'];
    return [
      `  Alerts     local sink ${this.notifySink.webhookUrl} prints each alert here (no channel configured;`,
      '             set NOTIFY_WEBHOOK_URL, NOTIFY_SLACK_WEBHOOK_URL, TELEGRAM_BOT_TOKEN... to get them; see README)',
    ];
  }

  private printBanner(): void {
    const redis = this.redis!;
    const where: Record<RedisEndpoint['source'], string> = {
      env: 'from REDIS_URL',
      local: 'the server already running here',
      private: `private redis-server, pid ${redis.server?.pid}, AOF appendfsync everysec in ${redis.server?.dir}`,
    };
    const cli = redisCli(redis.url);
    const pg = this.postgres;
    const pgWhere = pg === null ? 'none (ARBEES_EMBEDDED_POSTGRES=false)' : `${scrubString(pg.url, [])}  (${pg.source === 'env' ? 'from DATABASE_URL' : `embedded PGlite, data in ${path.join(this.options.dataDir, 'pgdata')}`})`;
    const services = this.options.services.map((s) => (s.instances === 1 ? s.service : `${s.service} x${s.instances}`)).join(', ');
    const sim = this.simulator;
    const venues =
      sim !== null
        ? [
            `  Venues     SIMULATED at ${this.options.simulator!.speed}x speed (${this.options.venues.reason}; ARBEES_LIVE=true or credentials for live)`,
            `             ESPN ${sim.endpoints.espnBaseUrl}  Kalshi ${sim.endpoints.kalshiRestUrl}`,
            `             Polymarket ${sim.endpoints.polyGammaUrl} (Gamma) ${sim.endpoints.polyClobUrl} (CLOB)`,
          ]
        : [`  Venues     ${this.options.venues.mode === 'live' ? `LIVE (${this.options.venues.reason})` : 'none needed by these services'}`];
    this.say(
      [
        `arbees is up  (supervisor pid ${process.pid}, data dir ${this.options.dataDir})`,
        `  Redis      ${scrubString(redis.url, [])}  (${where[redis.source]})`,
        `  Postgres   ${pgWhere}`,
        `  Services   ${services}`,
        ...venues,
        ...this.alertsBanner(),
        ...(this.down.size === 0 ? [] : [`  ${this.down.statusLine()}`]),
        `  Slow track ${cli} XLEN prices:kalshi`,
        `             ${cli} XREVRANGE prices:kalshi + - COUNT 3`,
        `  Registry   ${cli} --scan --pattern 'registry:*'`,
        '  Stop       Ctrl-C (twice to force)',
        // The dashboard URL stays the last line: the first thing a new user looks for.
        ...(this.busKey === null ? [] : [`  Signals    signed with bus key ${this.busKey.current.id} (${this.busKey.source === 'ARBEES_BUS_KEY' ? 'from ARBEES_BUS_KEY' : `${this.busKey.source}, mode 0600`}); execution trades on no other`]),
        ...(this.apiAccess === null ? [] : [`  Controls   ${this.apiAccess.tokenLine}; arbees status for a summary here`, `  Dashboard  ${this.apiAccess.url}`]),
      ].join('\n'),
    );
  }
}

const NOTIFY_SERVICE = 'notification_service';

/** Waits for the child's `{ type: 'ready' }` IPC message. */
function waitForReady(child: ManagedChild, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new ArbeesError('ARB_SUPERVISOR', `${child.name} was not ready within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (m: unknown) => {
      if ((m as { type?: unknown } | null)?.type === 'ready') done(null);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      done(new ArbeesError('ARB_SUPERVISOR', `${child.name} exited (${signal ?? `code ${code}`}) before it was ready; see its output above`));
    const onFailed = (reason: string) => done(new ArbeesError('ARB_SUPERVISOR', `${child.name}: ${reason}`));
    const done = (err: Error | null) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      child.off('failed', onFailed);
      if (err === null) resolve();
      else void child.kill().then(() => reject(err));
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
    child.on('failed', onFailed);
    child.start();
  });
}

/**
 * The redis-cli invocation for a URL, to paste as is: host, port, TLS, ACL user and database
 * number (`/3` -> `-n 3`) kept; a password never printed (`--askpass` prompts for it).
 */
export function redisCli(url: string): string {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const args = ['redis-cli'];
  if (host !== '127.0.0.1' && host !== 'localhost') args.push('-h', host);
  if (u.port !== '' && u.port !== '6379') args.push('-p', u.port);
  if (u.protocol === 'rediss:') args.push('--tls');
  if (u.username !== '') args.push('--user', decodeURIComponent(u.username));
  if (u.password !== '') args.push('--askpass');
  const db = u.pathname.replace(/^\//, '');
  if (/^\d+$/.test(db) && db !== '0') args.push('-n', db);
  return args.join(' ');
}

/** `execution_service: cannot start: ARB_CONFIG_INVALID: X ...` -> `bad configuration: X ...`. */
function failureOf(service: string, line: string | null): string | null {
  if (line === null) return null;
  const rest = line.startsWith(`${service}: cannot start: `) ? line.slice(service.length + 16) : line;
  return rest.startsWith('ARB_CONFIG_INVALID: ') ? `bad configuration: ${rest.slice(20)}` : rest;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
