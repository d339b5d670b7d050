/**
 * Small helpers around ports and process ids used by the supervisor and its tests.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** A port free on `host` right now (the OS picks it); the caller binds it soon after. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Whether `port` on `host` can be bound now. */
export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** Whether a process with this pid exists (signal 0 checks without signalling). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Sends a signal, ignoring a process that is already gone. */
export function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Resolves true when the pid is gone, false when it is still there after `timeoutMs`. */
export async function waitForPidExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pidAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(25);
  }
  return true;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** On Linux: whether pid's command line mentions `needle` (guards against a reused pid). */
export function pidRuns(pid: number, needle: string): boolean {
  if (!pidAlive(pid)) return false;
  const proc = `/proc/${pid}/cmdline`;
  if (!existsSync('/proc/self/cmdline')) return true;
  try {
    return readFileSync(proc, 'utf8').includes(needle);
  } catch {
    return false;
  }
}

/** Stops a process a dead supervisor left behind (SIGTERM, then SIGKILL). */
export async function reclaimStaleProcess(pid: number, needle: string, timeoutMs = 10_000): Promise<boolean> {
  if (!pidRuns(pid, needle)) return false;
  signalPid(pid, 'SIGTERM');
  if (!(await waitForPidExit(pid, timeoutMs))) {
    signalPid(pid, 'SIGKILL');
    await waitForPidExit(pid, 2_000);
  }
  return true;
}
