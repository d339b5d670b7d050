import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { LIVE_CREDENTIAL_VARS } from '../runtime/venue-credentials.js';
import { decideVenueMode, planForMode } from './venue-mode.js';

const plan = (...names: string[]) => names.map((service) => ({ service, instances: service === 'game_shard' ? 2 : 1 }));

describe('live or simulated venues', () => {
  it('runs on the simulators when nothing is configured', () => {
    expect(decideVenueMode({})).toEqual({ mode: 'sim', reason: 'no live credentials configured' });
    // Client URLs and tuning variables are not credentials.
    expect(decideVenueMode({ KALSHI_REST_URL: 'https://x', POLYMARKET_WS_MAX_ASSETS: '100', KALSHI_API_KEY: '  ' }).mode).toBe('sim');
  });

  it.each(LIVE_CREDENTIAL_VARS.map((v) => [v]))('goes live when %s is set', (name) => {
    const d = decideVenueMode({ [name]: 'value' });
    expect(d.mode).toBe('live');
    expect(d.reason).toContain(name);
  });

  it('ARBEES_LIVE decides when set, either way', () => {
    expect(decideVenueMode({ ARBEES_LIVE: 'true' }).mode).toBe('live');
    expect(decideVenueMode({ ARBEES_LIVE: '1' }).mode).toBe('live');
    expect(decideVenueMode({ ARBEES_LIVE: 'false', KALSHI_API_KEY: 'k', KALSHI_PRIVATE_KEY_PATH: '/k.pem' })).toEqual({ mode: 'sim', reason: 'ARBEES_LIVE=false' });
    expect(() => decideVenueMode({ ARBEES_LIVE: 'maybe' })).toThrow(ConfigError);
  });
});

describe('the service plan for a mode', () => {
  it('puts one simulator first when a service needs venues', () => {
    expect(planForMode(plan('zmq_listener', 'kalshi_monitor', 'game_shard'), 'sim')).toEqual({
      plan: plan('simulator', 'zmq_listener', 'kalshi_monitor', 'game_shard'),
      simulator: true,
    });
  });

  it('moves a listed simulator to the front, one instance', () => {
    const r = planForMode([...plan('zmq_listener'), { service: 'simulator', instances: 3 }], 'sim');
    expect(r).toEqual({ plan: plan('simulator', 'zmq_listener'), simulator: true });
  });

  it('starts no simulator for services that never touch a venue', () => {
    expect(planForMode(plan('zmq_listener', 'demo_publisher'), 'sim')).toEqual({ plan: plan('zmq_listener', 'demo_publisher'), simulator: false });
  });

  it('leaves the simulator out in live mode', () => {
    expect(planForMode(plan('simulator', 'zmq_listener', 'kalshi_monitor'), 'live')).toEqual({ plan: plan('zmq_listener', 'kalshi_monitor'), simulator: false });
  });
});
