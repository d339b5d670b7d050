/**
 * Shared parts of the orchestrator tests: a simulated ESPN (SimWorld on a manual clock behind
 * EspnSimServer), the orchestrator started in-process through the service runtime with unique
 * keys and instance names, a ZMQ subscriber on its endpoint that records every message, and
 * test shards as real child processes (test/fixtures/test-shard.ts, compiled by tsc into a
 * private folder so this file depends on no one else's build).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import type { RawEnvelope } from '../src/core/envelope.js';
import { GameInfoSchema, HealthAlertSchema, type GameInfo, type HealthAlert } from '../src/core/messages.js';
import { ZmqSubscriber } from '../src/bus/zmq-subscriber.js';
import { startService, type RunningService } from '../src/runtime/service.js';
import { orchestrator } from '../src/services/orchestrator/orchestrator.js';
import { orchestratorKeys, type OrchestratorKeys } from '../src/services/orchestrator/orchestrator-config.js';
import { SimulatedWorld, type SimWorldOptions } from '../src/sim/sim-world.js';
import { EspnSimServer } from '../src/sim/espn/espn-sim-server.js';
import { eventually } from './helpers/redis.js';
import { baseServiceEnv } from './helpers/service-env.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const uid = (): string => randomBytes(3).toString('hex');

/** A world on a manual clock served as ESPN over real HTTP. */
export async function simEspn(options: Partial<SimWorldOptions>): Promise<{ world: SimulatedWorld; server: EspnSimServer; baseUrl: string }> {
  const world = new SimulatedWorld({ clock: 'manual', ...options });
  const server = new EspnSimServer(world);
  const { baseUrl } = await server.start();
  return { world, server, baseUrl };
}

/** Everything an orchestrator of one test needs to be alone on the shared Redis. */
export interface OrchEnv {
  prefix: string;
  keys: Readonly<OrchestratorKeys>;
  env: NodeJS.ProcessEnv;
  dataDir: string;
}

export function orchEnv(baseUrl: string, extra: Record<string, string> = {}): OrchEnv {
  const prefix = `t${uid()}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'arb-orch-'));
  return {
    prefix,
    keys: orchestratorKeys(`${prefix}:`),
    dataDir,
    env: baseServiceEnv({
      ARBEES_INSTANCE: `${prefix}-orch`,
      ARBEES_DATA_DIR: dataDir,
      ARBEES_HEARTBEAT_MS: '200',
      ARBEES_REGISTRY_POLL_MS: '100',
      ESPN_BASE_URL: baseUrl,
      ESPN_MIN_INTERVAL_MS: '0',
      ESPN_TIMEOUT_MS: '2000',
      ORCH_KEY_PREFIX: `${prefix}:`,
      ORCH_WATCH_INSTANCE_PREFIX: prefix,
      ORCH_DISCOVERY_QUEUE: `md_${prefix}`,
      ORCH_DISCOVERY_TIMEOUT_MS: '300',
      ORCH_DISCOVERY_RETRY_MS: '200',
      ORCH_DISCOVERY_MAX_BACKOFF_MS: '1000',
      ORCH_POLL_MS: '300',
      ORCH_FAST_POLL_MS: '200',
      ORCH_ASSIGN_MS: '200',
      ORCH_HEALTH_MS: '200',
      ORCH_SCHEDULE_SYNC_MS: '60000',
      ORCH_BREAKER_OPEN_MS: '1000',
      ...extra,
    }),
  };
}

export async function startOrchestrator(e: OrchEnv, extra: Record<string, string> = {}): Promise<RunningService> {
  return startService(orchestrator, { ...e.env, ...extra });
}

/** Records every message of one publisher endpoint. */
export class Recorder {
  readonly sub = new ZmqSubscriber();
  readonly messages: { topic: string; env: RawEnvelope }[] = [];

  constructor(endpoint: string, prefixes: string[] = ['games.', 'health.']) {
    this.sub.onMessage((topic, env) => void this.messages.push({ topic, env }));
    for (const p of prefixes) this.sub.subscribe(p);
    this.sub.connect(endpoint);
  }

  gameInfos(gameId?: string): GameInfo[] {
    return this.messages
      .filter((m) => m.env.type === 'game_info')
      .map((m) => GameInfoSchema.parse(m.env.data))
      .filter((g) => gameId === undefined || g.game_id === gameId);
  }

  alerts(): HealthAlert[] {
    return this.messages.filter((m) => m.env.type === 'health_alert').map((m) => HealthAlertSchema.parse(m.env.data));
  }

  close(): Promise<void> {
    return this.sub.close();
  }
}

/** ZMQ drops what is published before a subscriber joins: wait until the link carries something. */
export async function recorderJoined(rec: Recorder, timeoutMs = 10_000): Promise<void> {
  await eventually(() => rec.messages.length > 0, timeoutMs, 'the first message on the recorder');
}

export async function activeGames(redis: Redis, keys: OrchestratorKeys): Promise<Map<string, GameInfo>> {
  const raw = await redis.hgetall(keys.activeGames);
  return new Map(Object.entries(raw).map(([id, json]) => [id, GameInfoSchema.parse(JSON.parse(json))]));
}

export async function alertsInStream(redis: Redis, keys: OrchestratorKeys): Promise<HealthAlert[]> {
  const entries = await redis.xrange(keys.healthAlerts, '-', '+');
  return entries.map(([, fields]) => {
    const i = fields.indexOf('data');
    return HealthAlertSchema.parse(JSON.parse(fields[i + 1]!));
  });
}

export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (batch.length > 0) await redis.del(...batch);
  } while (cursor !== '0');
}

// ------------------------------------------------------------------------------ shard processes

export class FixtureBuild {
  readonly dir = path.join(ROOT, 'dist', `.orch-test-${uid()}`);

  /** Compiles the fixture (and what it imports) once per test file. */
  compile(): string {
    const tsc = path.join(ROOT, 'node_modules/.bin/tsc');
    const args = [
      '--outDir', this.dir, '--rootDir', ROOT, '--module', 'nodenext', '--moduleResolution', 'nodenext',
      '--target', 'es2022', '--lib', 'es2023', '--types', 'node', '--skipLibCheck', '--esModuleInterop', '--strict',
      path.join(ROOT, 'test/fixtures/test-shard.ts'),
    ];
    // Type errors elsewhere (parallel work) still emit; what matters is the output file.
    const result = spawnSync(tsc, args, { cwd: ROOT, encoding: 'utf8' });
    const out = path.join(this.dir, 'test/fixtures/test-shard.js');
    if (!existsSync(out)) throw new Error(`tsc did not emit the test shard:\n${result.stdout}\n${result.stderr}`);
    return out;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface ShardProcess {
  readonly instance: string;
  readonly id: string;
  readonly proc: ChildProcess;
  readonly exited: Promise<number | string>;
  send(line: string): void;
}

export class ShardFleet {
  private readonly procs: ShardProcess[] = [];

  constructor(
    private readonly script: string,
    private readonly e: OrchEnv,
  ) {}

  async spawn(instance: string, options: { capacity?: number; service?: string; env?: Record<string, string> } = {}): Promise<ShardProcess> {
    const service = options.service ?? 'game_shard';
    const proc = spawn(process.execPath, [this.script], {
      env: {
        ...process.env,
        ...this.e.env,
        ARBEES_INSTANCE: instance,
        FIXTURE_SERVICE: service,
        FIXTURE_CAPACITY: String(options.capacity ?? 10),
        ...options.env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | string>((resolve) => proc.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
    let stderr = '';
    proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const ready = new Promise<void>((resolve, reject) => {
      const lines = createInterface({ input: proc.stdout! });
      lines.on('line', (line) => {
        if (line.startsWith('READY')) resolve();
      });
      void exited.then((code) => reject(new Error(`shard ${instance} exited (${code}) before READY: ${stderr}`)));
    });
    const shard: ShardProcess = {
      instance,
      id: `${service}.${instance}`,
      proc,
      exited,
      send: (line) => void proc.stdin!.write(`${line}\n`),
    };
    this.procs.push(shard);
    await ready;
    return shard;
  }

  async kill9(shard: ShardProcess): Promise<void> {
    shard.proc.kill('SIGKILL');
    await shard.exited;
  }

  async stopAll(): Promise<void> {
    for (const s of this.procs) {
      if (s.proc.exitCode === null && s.proc.signalCode === null) s.proc.kill('SIGKILL');
      await s.exited;
    }
    this.procs.length = 0;
  }
}
