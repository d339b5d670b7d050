import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { redisCli } from './supervisor.js';
import { childInstanceId, supervisorOptionsFromEnv } from './supervisor-options.js';
import { defaultServicePlan, parseServicePlan, UP_SERVICES } from './up-services.js';

describe('arbees up options', () => {
  it('defaults: every service of the up table, a private redis on 6380 when needed, embedded Postgres', () => {
    const o = supervisorOptionsFromEnv({}, { cwd: '/srv/arbees' });
    expect(o.services).toEqual(defaultServicePlan());
    expect(o.services.map((s) => s.service)).toEqual(Object.keys(UP_SERVICES));
    expect(o).toMatchObject({
      dataDir: '/srv/arbees/.data',
      redisUrl: undefined,
      redisProbeUrl: 'redis://127.0.0.1:6379',
      privateRedisPort: 6380,
      databaseUrl: undefined,
      embeddedPostgres: true,
      restartInitialMs: 500,
      restartMaxMs: 30_000,
      color: false,
    });
    expect(Object.isFrozen(o)).toBe(true);
    expect(o.cliPath.endsWith('cli.js')).toBe(true);
  });

  it('reads ARBEES_SERVICES as name or name:count, accepting kebab-case', () => {
    expect(parseServicePlan('zmq-listener, demo_publisher:3')).toEqual([
      { service: 'zmq_listener', instances: 1 },
      { service: 'demo_publisher', instances: 3 },
    ]);
  });

  it.each([['nope'], ['demo_publisher:0'], ['demo_publisher:x'], ['demo_publisher:1:2'], [' , ']])('rejects ARBEES_SERVICES=%j', (raw) => {
    expect(() => parseServicePlan(raw)).toThrow(ConfigError);
  });

  it('rejects bad values naming the variable', () => {
    expect(() => supervisorOptionsFromEnv({ ARBEES_RESTART_MIN_MS: '5000', ARBEES_RESTART_MAX_MS: '1000' })).toThrow(/ARBEES_RESTART_MAX_MS/);
    expect(() => supervisorOptionsFromEnv({ REDIS_URL: 'http://x' })).toThrow(/REDIS_URL/);
    expect(() => supervisorOptionsFromEnv({ ARBEES_INSTANCE: 'a b' })).toThrow(/ARBEES_INSTANCE/);
    expect(() => supervisorOptionsFromEnv({ ARBEES_EMBEDDED_POSTGRES: 'maybe' })).toThrow(/ARBEES_EMBEDDED_POSTGRES/);
  });

  it('colours only a terminal, and never with NO_COLOR', () => {
    expect(supervisorOptionsFromEnv({}, { isTty: true }).color).toBe(true);
    expect(supervisorOptionsFromEnv({ NO_COLOR: '1' }, { isTty: true }).color).toBe(false);
    expect(supervisorOptionsFromEnv({ ARBEES_COLOR: 'always' }, { isTty: false }).color).toBe(true);
  });

  it('names child instances with the optional prefix', () => {
    expect(childInstanceId({ instancePrefix: '' }, 2)).toBe('2');
    expect(childInstanceId({ instancePrefix: 'hostA' }, 0)).toBe('hostA-0');
  });

  it('prints a redis-cli command that never shows a password', () => {
    expect(redisCli('redis://127.0.0.1:6379')).toBe('redis-cli');
    expect(redisCli('redis://127.0.0.1:6380')).toBe('redis-cli -p 6380');
    const withPassword = redisCli('redis://user:hunter22@db.example:6379/0');
    expect(withPassword).not.toContain('hunter22');
    expect(withPassword).toBe('redis-cli -h db.example --user user --askpass');
  });

  it('keeps the database number, the ACL user and TLS in the printed command; a password only as --askpass', () => {
    expect(redisCli('redis://127.0.0.1:6380/3')).toBe('redis-cli -p 6380 -n 3');
    expect(redisCli('redis://:s3cret-pw@127.0.0.1:6394/3')).toBe('redis-cli -p 6394 --askpass -n 3');
    expect(redisCli('rediss://alice:p%40ss@[::1]:7000/12')).toBe('redis-cli -h ::1 -p 7000 --tls --user alice --askpass -n 12');
    expect(redisCli('redis://127.0.0.1:6379/3')).toBe('redis-cli -n 3');
    expect(redisCli('redis://localhost:6390/12')).toBe('redis-cli -p 6390 -n 12');
    expect(redisCli('redis://[::1]:7000/1')).toBe('redis-cli -h ::1 -p 7000 -n 1');
  });
});
