/**
 * `arbees up` as a real process tree: it restarts a killed child, stops everything on SIGTERM and
 * SIGINT (no process left behind), its children leave by themselves when it is killed -9, a child
 * with a bad config is reported once and not restarted, and a second `up` on the same data dir
 * is refused while the first runs and cleans up after it once it died.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './helpers/redis.js';
import { alivePids, CLI, cleanUpAll, startUp, waitForOutput, waitUntilRunning } from './supervisor-harness.js';
import { registryKey } from '../src/bus/registry.js';
import { HeartbeatSchema } from '../src/core/messages.js';
import { pidAlive, sleep } from '../src/launcher/process-utils.js';

/** A preload that makes a real service hang on stop: it can no longer exit by itself. */
const preloadDirs: string[] = [];
function hangOnStopPreload(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'arb-hang-'));
  preloadDirs.push(dir);
  const file = path.join(dir, 'hang-on-stop.cjs');
  writeFileSync(file, 'process.exit = () => undefined;\n');
  return file;
}

/** A preload that makes a real service exit as one whose configuration fails in its start (exit 78). */
function exitBadConfigPreload(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'arb-bad-'));
  preloadDirs.push(dir);
  const file = path.join(dir, 'exit-bad-config.cjs');
  writeFileSync(file, "process.stderr.write('demo_publisher: cannot start: ARB_CONFIG_INVALID: DEMO_SECRET_PATH cannot be read (ENOENT)\\n');\nprocess.exit(78);\n");
  return file;
}

/** XRANGE field list -> pairs. */
function chunk(fields: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) out.push([fields[i]!, fields[i + 1]!]);
  return out;
}

beforeAll(() => {
  expect(existsSync(CLI), 'run `npx tsc -p .` first (npm test does)').toBe(true);
});
afterEach(async () => {
  await cleanUpAll();
  for (const dir of preloadDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('supervisor (arbees up)', () => {
  it('restarts a child killed with SIGKILL, and the registry shows the new process', async () => {
    const up = startUp({ ARBEES_SERVICES: 'demo_publisher,zmq_listener', ARBEES_DEMO_PUBLISHER__DEMO_RATE: '20' });
    const before = await waitUntilRunning(up, 2);
    const demo = before.children.find((c) => c.service === 'demo_publisher')!;
    const listener = before.children.find((c) => c.service === 'zmq_listener')!;
    expect(demo.instance).toBe(`${up.prefix}-0`);
    const redis = new Redis(before.redis!.url);
    try {
      const key = registryKey('demo_publisher', demo.instance);
      await eventually(async () => (await redis.get(key)) !== null, 10_000, 'first registry entry');

      process.kill(demo.pid!, 'SIGKILL');
      let newPid: number | null = null;
      await eventually(
        () => {
          const c = up.state()?.children.find((x) => x.service === 'demo_publisher');
          newPid = c?.state === 'running' && c.pid !== demo.pid ? c.pid : null;
          return newPid !== null;
        },
        10_000,
        'a new demo_publisher pid',
      );
      expect(pidAlive(newPid!)).toBe(true);
      await eventually(
        async () => {
          const raw = await redis.get(key);
          return raw !== null && HeartbeatSchema.parse(JSON.parse(raw)).pid === newPid;
        },
        10_000,
        'the registry entry of the new process',
      );
      const after = up.state()!;
      expect(after.children.find((c) => c.service === 'demo_publisher')!.restarts).toBe(1);
      // The other child was not disturbed.
      expect(after.children.find((c) => c.service === 'zmq_listener')!.pid).toBe(listener.pid);
      expect(up.output()).toMatch(new RegExp(`demo_publisher\\.${demo.instance} exited \\(SIGKILL\\); restarting in 0\\.5 s`));
      expect(up.output()).toContain(`demo_publisher.${demo.instance} restarted (pid ${newPid}, restart 1)`);
    } finally {
      redis.disconnect();
    }
  }, 60_000);

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`stops every process on ${signal}, exits 0 and removes its run files`, async () => {
      const up = startUp({ ARBEES_SERVICES: 'demo_publisher:2,zmq_listener' });
      const state = await waitUntilRunning(up, 3);
      expect(state.redis!.source).toBe('private');
      const pids = up.knownPids();
      expect(pids.size).toBe(4); // three children and redis-server
      expect(alivePids(pids)).toHaveLength(4);
      await waitForOutput(up, / started instance=/, 3);

      up.proc.kill(signal);
      expect(await up.exited).toBe(0);
      expect(alivePids(pids)).toEqual([]);
      expect(existsSync(path.join(up.dataDir, 'run', 'up.json'))).toBe(false);
      expect(existsSync(path.join(up.dataDir, 'run', 'up.lock'))).toBe(false);
      expect(up.output()).toContain(`${signal}: stopping`);
      expect(up.output()).toMatch(/demo_publisher\.\S+-1 +\| .*demo_publisher stopped/);
      expect(up.output()).not.toMatch(/restarting in/);
    }, 60_000);
  }

  it('when the supervisor is killed -9, its children and its redis-server exit by themselves', async () => {
    const up = startUp({ ARBEES_SERVICES: 'demo_publisher,zmq_listener' });
    await waitUntilRunning(up, 2);
    const pids = up.knownPids();
    expect(pids.size).toBe(3);

    up.proc.kill('SIGKILL');
    await up.exited;
    await eventually(() => alivePids(pids).length === 0, 10_000, `children to exit (alive: ${alivePids(pids).join(',')})`);

    // The next `up` on the same data dir finds the stale run files and starts normally.
    const again = startUp({ ARBEES_SERVICES: 'demo_publisher' }, { dataDir: up.dataDir });
    await waitUntilRunning(again, 1);
    expect(again.output()).toMatch(/a previous arbees up \(pid \d+\) did not stop cleanly/);
    again.proc.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  }, 60_000);

  it('with --keep-going: a child with a bad config is not restarted, the others keep running, a DOWN line repeats, alerts:health says it and the notifier delivers it', async () => {
    const up = startUp(
      { ARBEES_SERVICES: 'demo_publisher,zmq_listener,notification_service', ARBEES_DEMO_PUBLISHER__LOG_LEVEL: 'bogus', ARBEES_UP_DOWN_REPEAT_MS: '400' },
      { args: ['--keep-going'] },
    );
    await eventually(() => up.state()?.children.find((c) => c.service === 'demo_publisher')?.state === 'failed', 20_000, 'demo_publisher failed');
    await eventually(() => up.state()?.children.find((c) => c.service === 'zmq_listener')?.state === 'running', 20_000, 'zmq_listener running');
    await waitForOutput(up, /DOWN 1 service: demo_publisher\.\S+ \(bad configuration: LOG_LEVEL must be one of/, 3);
    const demo = up.state()!.children.find((c) => c.service === 'demo_publisher')!;
    expect(demo).toMatchObject({ state: 'failed', pid: null, restarts: 0 });
    const out = up.output();
    expect(out).toContain('demo_publisher: LOG_LEVEL must be one of'); // the check before the start
    expect(out).not.toMatch(/demo_publisher\.\S+ restarted/);
    // No channel configured: the local sink of arbees up prints what the notifier delivered.
    await waitForOutput(up, /alert 1 at local sink: .*SERVICE DOWN demo_publisher\.\S+: demo_publisher\.\S+ is down and will not be restarted/);
    const redis = new Redis(up.state()!.redis!.url);
    try {
      const entries = (await redis.xrange('alerts:health', '-', '+')).map(([, f]) => Object.fromEntries(chunk(f)));
      const about = entries.filter((f) => f.service === 'demo_publisher');
      expect(about).toHaveLength(1);
      const fields = about[0]!;
      expect(fields).toMatchObject({ service: 'demo_publisher', severity: 'critical', kind: 'dead' });
      expect(JSON.parse(fields.data!).message).toMatch(/^demo_publisher\.\S+ is down and will not be restarted: bad configuration: LOG_LEVEL must be one of/);
    } finally {
      redis.disconnect();
    }
    expect(up.proc.exitCode).toBeNull();
    up.proc.kill('SIGTERM');
    expect(await up.exited).toBe(0);
  }, 60_000);

  it('a bad execution setting stops arbees up before anything starts: exit 78 naming the service and the variable', async () => {
    // A cross-variable check (live mode without its opt-ins), which only the service's own code knows.
    const up = startUp({ ARBEES_SERVICES: 'demo_publisher,execution_service', ARBEES_EXECUTION_SERVICE__EXEC_MODE: 'live' });
    expect(await up.exited).toBe(78);
    const out = up.output();
    expect(out).toContain('execution_service rejected its configuration; nothing was started');
    expect(out).toContain('execution_service: ARBEES_LIVE_TRADING must be true for EXEC_MODE=live');
    expect(out).not.toContain('running on the simulators');
    expect(out).not.toContain('starting a private redis-server');
    expect(up.state()).toBeNull(); // run files removed, and no child was ever recorded
    expect(alivePids(up.knownPids())).toEqual([]);
  }, 60_000);

  it('a service that fails its configuration once running stops arbees up: exit 78, its error named, every child stopped', async () => {
    const up = startUp({
      ARBEES_SERVICES: 'demo_publisher,zmq_listener',
      // What a service whose configuration passes the check but fails in its start does.
      ARBEES_DEMO_PUBLISHER__NODE_OPTIONS: `--require ${exitBadConfigPreload()}`,
    });
    await waitUntilRunning(up, 2).catch(() => undefined);
    expect(await up.exited).toBe(78);
    const out = up.output();
    expect(out).toMatch(/demo_publisher\.\S+ rejected its configuration: bad configuration: DEMO_SECRET_PATH cannot be read/);
    expect(out).toContain('stopping every service');
    expect(alivePids(up.knownPids())).toEqual([]);
  }, 60_000);

  it('stops with exit 78 when every service rejects its config', async () => {
    const up = startUp({ ARBEES_SERVICES: 'demo_publisher,zmq_listener', LOG_LEVEL: 'bogus' });
    expect(await up.exited).toBe(78);
    expect(up.output()).toContain('demo_publisher, zmq_listener rejected their configurations; nothing was started');
    expect(alivePids(up.knownPids())).toEqual([]);
  }, 60_000);

  it('refuses a second arbees up on a data dir in use', async () => {
    const first = startUp({ ARBEES_SERVICES: 'demo_publisher' });
    await waitUntilRunning(first, 1);
    const second = startUp({ ARBEES_SERVICES: 'demo_publisher' }, { dataDir: first.dataDir });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/ARB_SUPERVISOR: another arbees up \(pid \d+\) is running/);
    // The first one is untouched and still owns its run files.
    expect(first.state()!.children[0]!.state).toBe('running');
    first.proc.kill('SIGTERM');
    expect(await first.exited).toBe(0);
  }, 60_000);

  it('SIGKILLs a child that does not stop within the stop timeout, then exits 0', async () => {
    const up = startUp({
      ARBEES_SERVICES: 'demo_publisher,zmq_listener',
      ARBEES_STOP_TIMEOUT_MS: '1500',
      ARBEES_DEMO_PUBLISHER__NODE_OPTIONS: `--require ${hangOnStopPreload()}`,
    });
    await waitUntilRunning(up, 2);
    await waitForOutput(up, / started instance=/, 2);
    const pids = up.knownPids();
    const t0 = Date.now();
    up.proc.kill('SIGTERM');
    expect(await up.exited).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
    expect(alivePids(pids)).toEqual([]);
    expect(up.output()).toMatch(/demo_publisher\.\S+ did not stop within 1\.5 s; killed it \(SIGKILL\)/);
  }, 60_000);

  it('a second Ctrl-C forces: hung children are killed at once, exit 130', async () => {
    const up = startUp({
      ARBEES_SERVICES: 'demo_publisher,zmq_listener',
      ARBEES_STOP_TIMEOUT_MS: '60000',
      ARBEES_DEMO_PUBLISHER__NODE_OPTIONS: `--require ${hangOnStopPreload()}`,
    });
    await waitUntilRunning(up, 2);
    await waitForOutput(up, / started instance=/, 2);
    const pids = up.knownPids();
    up.proc.kill('SIGINT');
    await waitForOutput(up, /zmq_listener stopped/);
    const t0 = Date.now();
    up.proc.kill('SIGINT');
    expect(await up.exited).toBe(130);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(up.output()).toContain('forcing: SIGKILL to every service');
    expect(alivePids(pids)).toEqual([]);
    expect(existsSync(path.join(up.dataDir, 'run', 'up.json'))).toBe(false);
  }, 60_000);

  it('rejects an unknown service in ARBEES_SERVICES with exit 78', async () => {
    const up = startUp({ ARBEES_SERVICES: 'demo_publisher,no_such_service' });
    expect(await up.exited).toBe(78);
    expect(up.output()).toContain('ARBEES_SERVICES names an unknown service "no_such_service"');
  }, 30_000);
});
