/**
 * Runs `node dist/src/cli.js up` as a real process for the supervisor tests: a temp data dir, a
 * unique instance prefix, its output collected, and its run file (`run/up.json`) read for pids.
 * By default it gets a private redis-server (REDIS_URL unset, the 6379 probe pointed at a dead
 * port), so each test has its own Redis and never touches the one other test files share.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eventually } from './helpers/redis.js';
import { pidAlive, signalPid, waitForPidExit } from '../src/launcher/process-utils.js';
import type { UpState } from '../src/launcher/run-file.js';

export const CLI = path.resolve('dist/src/cli.js');
/** Nothing listens on port 1: "no Redis on 127.0.0.1:6379" without touching the real one. */
export const DEAD_REDIS_URL = 'redis://127.0.0.1:1';

export interface UpProcess {
  readonly proc: ChildProcess;
  readonly dataDir: string;
  readonly prefix: string;
  output(): string;
  state(): UpState | null;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
  /** Every pid the supervisor reported: children, Redis, Postgres. */
  knownPids(): Set<number>;
}

const running: UpProcess[] = [];

export function startUp(env: NodeJS.ProcessEnv = {}, options: { dataDir?: string; args?: readonly string[] } = {}): UpProcess {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'arb-up-'));
  const prefix = `t${randomBytes(3).toString('hex')}`;
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ARBEES_DATA_DIR: dataDir,
    ARBEES_INSTANCE: prefix,
    ARBEES_REDIS_PROBE_URL: DEAD_REDIS_URL,
    ARBEES_REDIS_PORT: '0',
    ARBEES_EMBEDDED_POSTGRES: 'false',
    ARBEES_COLOR: 'never',
    ARBEES_STOP_TIMEOUT_MS: '8000',
    ...env,
  };
  if (!('REDIS_URL' in env)) delete childEnv.REDIS_URL;
  if (!('DATABASE_URL' in env)) delete childEnv.DATABASE_URL;
  const proc = spawn(process.execPath, [CLI, 'up', ...(options.args ?? [])], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const pids = new Set<number>();
  const exited = new Promise<number | string>((resolve) => proc.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const statePath = path.join(dataDir, 'run', 'up.json');
  const up: UpProcess = {
    proc,
    dataDir,
    prefix,
    exited,
    output: () => out,
    state() {
      if (!existsSync(statePath)) return null;
      try {
        const s = JSON.parse(readFileSync(statePath, 'utf8')) as UpState;
        for (const c of s.children) if (c.pid !== null) pids.add(c.pid);
        if (s.redis?.pid != null) pids.add(s.redis.pid);
        if (s.postgres?.pid != null) pids.add(s.postgres.pid);
        return s;
      } catch {
        return null; // mid-rename
      }
    },
    knownPids: () => pids,
  };
  running.push(up);
  return up;
}

/** Waits until every child of the plan runs (has a pid) and returns the state. */
export async function waitUntilRunning(up: UpProcess, children: number, timeoutMs = 20_000): Promise<UpState> {
  let state: UpState | null = null;
  await eventually(
    () => {
      state = up.state();
      return state !== null && state.children.length === children && state.children.every((c) => c.state === 'running' && c.pid !== null);
    },
    timeoutMs,
    `${children} running children; output so far:\n${up.output()}`,
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n--- output ---\n${up.output()}`);
  });
  return state!;
}

/** Waits until the output matches `pattern` `count` times. */
export async function waitForOutput(up: UpProcess, pattern: RegExp, count = 1, timeoutMs = 20_000): Promise<void> {
  const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g');
  await eventually(() => (up.output().match(global)?.length ?? 0) >= count, timeoutMs, `${count} x ${pattern}`).catch((err: Error) => {
    throw new Error(`${err.message}\n--- output ---\n${up.output()}`);
  });
}

export function alivePids(pids: Iterable<number>): number[] {
  return [...pids].filter((pid) => pidAlive(pid));
}

/** Kills whatever a test left running and removes the data dirs. */
export async function cleanUpAll(): Promise<void> {
  for (const up of running.splice(0)) {
    up.state();
    if (up.proc.exitCode === null && up.proc.signalCode === null) up.proc.kill('SIGKILL');
    for (const pid of up.knownPids()) signalPid(pid, 'SIGKILL');
    await Promise.all([...up.knownPids()].map((pid) => waitForPidExit(pid, 5_000)));
    rmSync(up.dataDir, { recursive: true, force: true });
  }
}
