/**
 * One supervised child process: spawned with its output piped through a line formatter,
 * restarted with backoff when it dies on its own, left down when it exits with EX_CONFIG (78:
 * a restart cannot fix a bad config), and stopped with SIGTERM then SIGKILL after a timeout.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { setPriority } from 'node:os';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { RestartBackoff, type RestartBackoffOptions } from './restart-backoff.js';

/** sysexits.h EX_CONFIG, what runServiceMain exits with on a bad config. */
export const EXIT_BAD_CONFIG = 78;

export type ChildState = 'starting' | 'running' | 'backoff' | 'failed' | 'stopping' | 'stopped';

export interface ManagedChildOptions {
  /** Display name, e.g. `zmq_listener.0`. */
  name: string;
  command: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Opens an IPC channel: a Node child then notices when the supervisor dies, even by kill -9. */
  ipc: boolean;
  restart: RestartBackoffOptions;
  /** Receives every output line of the child (stdout and stderr). */
  onLine: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Niceness given to the child once spawned (os.setPriority; higher = yields the CPU to others). */
  niceness?: number;
}

export interface ManagedChildEvents {
  spawn: [pid: number];
  exit: [code: number | null, signal: NodeJS.Signals | null, willRestartInMs: number | null];
  failed: [reason: string];
  message: [message: unknown];
}

export class ManagedChild extends EventEmitter<ManagedChildEvents> {
  private child: ChildProcess | null = null;
  private currentState: ChildState = 'stopped';
  private readonly backoff: RestartBackoff;
  private restartTimer: NodeJS.Timeout | null = null;
  private startedAt = 0;
  private restartCount = 0;
  private exited: Promise<void> = Promise.resolve();
  private lastStderr: string | null = null;

  constructor(private readonly options: ManagedChildOptions) {
    super();
    this.backoff = new RestartBackoff(options.restart);
  }

  get name(): string {
    return this.options.name;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  get state(): ChildState {
    return this.currentState;
  }

  /** The child's last stderr line: where a service that exits 78 says which variable is bad. */
  get lastErrorLine(): string | null {
    return this.lastStderr;
  }

  /** Restarts after the first start. */
  get restarts(): number {
    return this.restartCount;
  }

  /** Sends an IPC message when the channel is open; false otherwise. */
  send(message: unknown): boolean {
    if (this.child?.connected !== true) return false;
    this.child.send(message as Parameters<ChildProcess['send']>[0]);
    return true;
  }

  start(): void {
    if (this.currentState === 'running' || this.currentState === 'starting') return;
    this.spawnOnce();
  }

  private spawnOnce(): void {
    this.restartTimer = null;
    this.currentState = 'starting';
    const stdio: StdioOptions = this.options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'];
    // Own process group: a Ctrl-C in the terminal reaches only the supervisor, which then stops
    // the children in order (services before the Redis and Postgres they flush into).
    const child = spawn(this.options.command, [...this.options.args], {
      env: this.options.env,
      cwd: this.options.cwd,
      stdio,
      detached: true,
    });
    this.child = child;
    this.startedAt = Date.now();
    this.pipeLines(child.stdout, 'stdout');
    this.pipeLines(child.stderr, 'stderr');
    child.on('message', (m) => this.emit('message', m));
    this.exited = new Promise((resolve) => {
      child.once('error', (err) => {
        // Only a spawn failure has no pid; a later 'error' (e.g. a failed send) is not fatal.
        if (child.pid !== undefined) return;
        this.child = null;
        this.currentState = 'failed';
        this.emit('failed', `cannot start ${this.options.command}: ${err.message}`);
        resolve();
      });
      child.once('close', (code, signal) => {
        this.onExit(child, code, signal);
        resolve();
      });
    });
    if (child.pid !== undefined) {
      this.applyNiceness(child.pid);
      this.currentState = 'running';
      this.emit('spawn', child.pid);
    }
  }

  private applyNiceness(pid: number): void {
    if (this.options.niceness === undefined) return;
    try {
      setPriority(pid, this.options.niceness);
    } catch (err) {
      // Not fatal: the child runs at normal priority (e.g. a container refusing the change).
      this.options.onLine(`arbees: could not set niceness ${this.options.niceness}: ${(err as Error).message}`, 'stderr');
    }
  }

  private pipeLines(stream: Readable | null, which: 'stdout' | 'stderr'): void {
    if (stream === null) return;
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    lines.on('line', (line) => {
      if (which === 'stderr' && line.trim() !== '') this.lastStderr = line;
      this.options.onLine(line, which);
    });
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = null;
    if (this.currentState === 'stopping' || this.currentState === 'stopped') {
      this.currentState = 'stopped';
      this.emit('exit', code, signal, null);
      return;
    }
    if (code === EXIT_BAD_CONFIG) {
      this.currentState = 'failed';
      this.emit('exit', code, signal, null);
      this.emit('failed', 'bad configuration (exit 78); not restarting it until the configuration is fixed');
      return;
    }
    const delay = this.backoff.nextDelay(Date.now() - this.startedAt);
    this.currentState = 'backoff';
    this.emit('exit', code, signal, delay);
    this.restartTimer = setTimeout(() => {
      this.restartCount++;
      this.spawnOnce();
    }, delay);
  }

  /**
   * SIGTERM, then SIGKILL after `timeoutMs`; resolves when the process is gone, with whether it
   * had to be killed.
   */
  async stop(timeoutMs: number): Promise<{ killed: boolean }> {
    if (this.restartTimer !== null) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const child = this.child;
    if (child === null) {
      if (this.currentState !== 'failed') this.currentState = 'stopped';
      return { killed: false };
    }
    this.currentState = 'stopping';
    child.kill('SIGTERM');
    let killed = false;
    const killer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    await this.exited;
    clearTimeout(killer);
    return { killed };
  }

  /** SIGKILL now (a forced stop); resolves when the process is gone. */
  async kill(): Promise<void> {
    if (this.restartTimer !== null) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const child = this.child;
    if (child === null) return;
    this.currentState = 'stopping';
    child.kill('SIGKILL');
    await this.exited;
  }
}
