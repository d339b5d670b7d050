/**
 * Child-process orchestration for benchmarks: the parent forks a worker script and drives it
 * with request/reply commands over Node's IPC channel. The channel only carries control (set up,
 * run, report); the measured traffic goes over the real sockets under test.
 */
import { fork, type ChildProcess } from 'node:child_process';

interface Request {
  id: number;
  cmd: string;
  args: unknown;
}

type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

const READY = '__bench_ready__';

export interface BenchChildOptions {
  /** Shown in errors and on the child's stderr lines. */
  name: string;
  env?: NodeJS.ProcessEnv;
  execArgv?: string[];
  /** How long the child may take to load and report ready. */
  startTimeoutMs?: number;
}

export class BenchChild {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitCode = code;
        const why = new Error(`${name} exited (code ${code}, signal ${signal})`);
        for (const p of this.pending.values()) p.reject(why);
        this.pending.clear();
        resolve(code);
      });
    });
    child.on('message', (msg: Reply) => {
      const p = this.pending.get(msg.id);
      if (p === undefined) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new Error(`${name}: ${msg.error}`));
    });
  }

  /** Forks the worker script and waits until it says it is ready. */
  static async start(modulePath: string, options: BenchChildOptions): Promise<BenchChild> {
    const child = fork(modulePath, [], {
      env: { ...process.env, ...options.env },
      execArgv: options.execArgv ?? [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${options.name} did not start within ${options.startTimeoutMs ?? 10_000} ms`));
      }, options.startTimeoutMs ?? 10_000);
      const onMessage = (msg: unknown) => {
        if (msg !== READY) return;
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve();
      };
      child.on('message', onMessage);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${options.name} exited during start (code ${code})`));
      });
    });
    return new BenchChild(options.name, child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  request<T>(cmd: string, args: unknown = null, timeoutMs = 60_000): Promise<T> {
    if (this.exitCode !== undefined) return Promise.reject(new Error(`${this.name} is not running`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: "${cmd}" got no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.send({ id, cmd, args } satisfies Request);
    });
  }

  /** Asks the child to exit, and kills it if it has not within the grace period. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.exitCode !== undefined) return;
    if (this.child.connected) this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

export type CommandHandlers = Record<string, (args: any) => unknown>;

/**
 * The child side: answers the parent's commands with the handlers' results (awaited), and exits
 * when the parent goes away, so a crashed parent never leaves workers behind.
 */
export function serveBenchCommands(handlers: CommandHandlers, onExit: () => Promise<void> = async () => {}): void {
  if (process.send === undefined) throw new Error('bench worker must be started by BenchChild (no IPC channel)');
  const send = process.send.bind(process);
  process.on('message', (msg: Request) => {
    const handler = handlers[msg.cmd];
    if (handler === undefined) {
      send({ id: msg.id, ok: false, error: `unknown command ${msg.cmd}` } satisfies Reply);
      return;
    }
    Promise.resolve()
      .then(() => handler(msg.args))
      .then(
        (result) => send({ id: msg.id, ok: true, result: result ?? null } satisfies Reply),
        (err: unknown) => send({ id: msg.id, ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) } satisfies Reply),
      );
  });
  process.once('disconnect', () => {
    const hardStop = setTimeout(() => process.exit(0), 2000);
    hardStop.unref();
    onExit().finally(() => process.exit(0));
  });
  send(READY);
}
