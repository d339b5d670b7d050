import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { baseConfigSpec } from './base-config.js';
import { defineVar, loadConfig, parse, secretVariables } from './config.js';

/** Loads and returns the ConfigError, failing the test if loading succeeded or threw anything else. */
function configError(load: () => unknown): ConfigError {
  try {
    load();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('ARB_CONFIG_INVALID');
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const spec = {
  port: defineVar({ env: 'T_PORT', default: 8080, parse: parse.int(1, 65535) }),
  ratio: defineVar({ env: 'T_RATIO', default: 0.5, parse: parse.number(0, 1) }),
  live: defineVar({ env: 'T_LIVE', default: false, parse: parse.bool }),
  mode: defineVar({ env: 'T_MODE', default: 'paper' as const, parse: parse.oneOf('paper', 'live', 'sim') }),
  redis: defineVar({ env: 'T_REDIS', default: 'redis://127.0.0.1:6379', parse: parse.url('redis', 'rediss') }),
  hosts: defineVar({ env: 'T_HOSTS', default: [] as string[], parse: parse.list }),
  apiKey: defineVar({ env: 'T_API_KEY', parse: parse.string, secret: true, describe: 'the venue key' }),
};

describe('loadConfig', () => {
  it('uses the defaults, and an empty variable counts as unset', () => {
    const c = loadConfig(spec, { T_API_KEY: 'k', T_PORT: '' });
    expect(c).toEqual({
      port: 8080,
      ratio: 0.5,
      live: false,
      mode: 'paper',
      redis: 'redis://127.0.0.1:6379',
      hosts: [],
      apiKey: 'k',
    });
  });

  it('parses ints, numbers, bools, enums, urls and lists', () => {
    const c = loadConfig(spec, {
      T_PORT: ' 6380 ',
      T_RATIO: '0.25',
      T_LIVE: 'Yes',
      T_MODE: ' LIVE ',
      T_REDIS: 'rediss://:pw@cache.local:6380/2',
      T_HOSTS: ' a.local, b.local ,,c ',
      T_API_KEY: 'k',
    });
    expect(c).toEqual({
      port: 6380,
      ratio: 0.25,
      live: true,
      mode: 'live',
      redis: 'rediss://:pw@cache.local:6380/2',
      hosts: ['a.local', 'b.local', 'c'],
      apiKey: 'k',
    });
    for (const [raw, want] of [['1', true], ['true', true], ['ON', true], ['0', false], ['no', false], ['Off', false]] as const) {
      expect(loadConfig(spec, { T_API_KEY: 'k', T_LIVE: raw }).live).toBe(want);
    }
  });

  it('freezes the result', () => {
    const c = loadConfig(spec, { T_API_KEY: 'k' });
    expect(Object.isFrozen(c)).toBe(true);
    expect(() => {
      (c as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(c.port).toBe(8080);
  });

  it('a missing required variable names it (and says what it is)', () => {
    const err = configError(() => loadConfig(spec, {}));
    expect(err.variable).toBe('T_API_KEY');
    expect(err.message).toContain('T_API_KEY is required');
    expect(err.message).toContain('the venue key');
  });

  it.each([
    ['T_PORT', 'abc'],
    ['T_PORT', '1.5'],
    ['T_PORT', '0'],
    ['T_PORT', '65536'],
    ['T_PORT', '99999999999999999999'],
    ['T_PORT', '0x50'],
    ['T_RATIO', 'half'],
    ['T_RATIO', '1.01'],
    ['T_RATIO', 'NaN'],
    ['T_RATIO', 'Infinity'],
    ['T_RATIO', '   '],
    ['T_LIVE', 'maybe'],
    ['T_LIVE', '2'],
    ['T_MODE', 'yolo'],
    ['T_REDIS', 'not a url'],
    ['T_REDIS', 'http://127.0.0.1:6379'],
  ])('%s=%j is rejected with an error naming the variable', (variable, raw) => {
    const err = configError(() => loadConfig(spec, { T_API_KEY: 'k', [variable]: raw }));
    expect(err.variable).toBe(variable);
    expect(err.message).toContain(variable);
    expect(err.details).toEqual({ variable });
  });

  it('never echoes a secret value in its error (the URL parse error says only "must be a URL")', () => {
    const secretUrl = defineVar({ env: 'T_SECRET_URL', parse: parse.url('redis'), secret: true });
    const err = configError(() => loadConfig({ u: secretUrl }, { T_SECRET_URL: 'pass word hunter2' }));
    expect(err.message).not.toContain('hunter2');
  });

  it('reports the secret variables of a spec', () => {
    expect(secretVariables(spec)).toEqual(['T_API_KEY']);
    expect(secretVariables(baseConfigSpec)).toContain('REDIS_URL');
  });

  it('the base spec loads with an empty environment, and rejects bad values by name', () => {
    const base = loadConfig(baseConfigSpec, {});
    expect(base.hotTransport).toBe('zmq');
    expect(base.codec).toBe('msgpack');
    expect(base.registryTtlMs).toBeGreaterThan(base.heartbeatMs);
    expect(configError(() => loadConfig(baseConfigSpec, { ARBEES_HOT_TRANSPORT: 'kafka' })).variable).toBe('ARBEES_HOT_TRANSPORT');
    expect(configError(() => loadConfig(baseConfigSpec, { ARBEES_HEARTBEAT_MS: '10' })).variable).toBe('ARBEES_HEARTBEAT_MS');
    expect(configError(() => loadConfig(baseConfigSpec, { REDIS_URL: 'postgres://x' })).variable).toBe('REDIS_URL');
  });
});
