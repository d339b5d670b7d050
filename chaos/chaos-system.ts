/**
 * The system under fault: `arbees up` on the simulators as a child process, pointed at the chaos
 * run's own Redis and data dir, trading against the simulated venues (EXEC_MODE=sim, so every
 * fill is a real order the venue simulators recorded). Its output is kept with arrival times, so
 * a fault's window can be searched for the lines it must not cause.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { UpChildState, UpState } from '../src/launcher/run-file.js';
import { sleep } from '../src/launcher/process-utils.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli.js');

export interface OutputLine {
  atMs: number;
  /** The prefix `arbees up` gives each child's lines (`game_shard.0`, `arbees`, `postgres`, ...). */
  source: string;
  text: string;
}

export interface ChaosSystemOptions {
  dataDir: string;
  redisUrl: string;
  apiPort: number;
  extraEnv?: Record<string, string>;
}

export class ChaosSystem {
  readonly lines: OutputLine[] = [];
  private child: ChildProcess | null = null;
  private exit: Promise<number | null> = Promise.resolve(null);

  constructor(private readonly options: ChaosSystemOptions) {}

  async start(timeoutMs = 90_000): Promise<void> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      REDIS_URL: this.options.redisUrl,
      ARBEES_DATA_DIR: this.options.dataDir,
      ARBEES_API_PORT: String(this.options.apiPort),
      EXEC_MODE: 'sim',
      ARBEES_LIVE: 'false',
      ARBEES_SIM_ESPN_PORT: '0',
      ARBEES_SIM_KALSHI_PORT: '0',
      ARBEES_SIM_GAMMA_PORT: '0',
      ARBEES_SIM_CLOB_PORT: '0',
      ARBEES_COLOR: 'never',
      ...this.options.extraEnv,
    };
    // The run's own embedded Postgres unless the caller names one.
    if (this.options.extraEnv?.DATABASE_URL === undefined) delete env.DATABASE_URL;
    const child = spawn(process.execPath, [CLI, 'up'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => this.lines.push(parseLine(line)));
    }
    await this.waitForLine((l) => l.source === 'arbees' && /Dashboard\s+http/.test(l.text), timeoutMs, 'the dashboard line of arbees up');
  }

  /** Lines that arrived at or after `sinceMs` and match. */
  linesSince(sinceMs: number, match: (l: OutputLine) => boolean): OutputLine[] {
    return this.lines.filter((l) => l.atMs >= sinceMs && match(l));
  }

  async waitForLine(match: (l: OutputLine) => boolean, timeoutMs: number, what: string, sinceMs = 0): Promise<OutputLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.find((l) => l.atMs >= sinceMs && match(l));
      if (hit) return hit;
      if (this.child?.exitCode !== null && this.child?.exitCode !== undefined) throw new Error(`arbees up exited (${this.child.exitCode}) while waiting for ${what}`);
      if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await sleep(100);
    }
  }

  /** What `arbees up` says runs where (`<data dir>/run/up.json`). */
  upState(): UpState {
    const file = path.join(this.options.dataDir, 'run', 'up.json');
    if (!existsSync(file)) throw new Error(`${file} is missing: is arbees up running?`);
    return JSON.parse(readFileSync(file, 'utf8')) as UpState;
  }

  children(): UpChildState[] {
    return this.upState().children;
  }

  /** `arbees <args>` run beside the system, as an operator would (same Redis and data dir). */
  runCli(args: readonly string[], timeoutMs = 60_000): Promise<{ code: number | null; output: string }> {
    const env: NodeJS.ProcessEnv = { ...process.env, REDIS_URL: this.options.redisUrl, ARBEES_DATA_DIR: this.options.dataDir };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    return new Promise((resolve) =>
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, output });
      }),
    );
  }

  /** SIGINT (Ctrl-C) and the exit code; SIGKILL after the timeout. */
  async stop(timeoutMs = 30_000): Promise<number | null> {
    const child = this.child;
    if (child === null || child.exitCode !== null) return child?.exitCode ?? null;
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const code = await this.exit;
    clearTimeout(timer);
    return code;
  }
}

const LINE = /^(\S+)\s+\|\s?(.*)$/;

function parseLine(line: string): OutputLine {
  const m = LINE.exec(line);
  return { atMs: Date.now(), source: m?.[1] ?? '', text: m?.[2] ?? line };
}
