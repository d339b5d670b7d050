/**
 * The simulator as a service: it publishes its endpoints in Redis, its counters ride on the
 * heartbeat, it accepts the Kalshi key made in the data dir (and only that one), and a stop
 * closes its ports and withdraws its endpoints.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { registryKey } from '../src/bus/registry.js';
import { HeartbeatSchema } from '../src/core/messages.js';
import { startService } from '../src/runtime/service.js';
import { simulator } from '../src/services/simulator/simulator.js';
import type { SimEndpoints } from '../src/sim/sim-endpoints.js';
import { ensureSimKalshiKey } from '../src/sim/sim-kalshi-key.js';
import { simEndpointsAnswer } from '../src/launcher/sim-readiness.js';
import { loadKalshiSigner } from '../src/venues/kalshi/auth.js';
import { KalshiAuthError } from '../src/venues/kalshi/errors.js';
import { KalshiHttpClient } from '../src/venues/kalshi/http.js';
import { makeKey } from './kalshi-helpers.js';
import { eventually, TEST_REDIS_URL, testRedis } from './helpers/redis.js';

const { redis, prefix } = testRedis();
const dataDir = mkdtempSync(path.join(tmpdir(), 'arb-sim-svc-'));

afterAll(() => {
  redis.disconnect();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('simulator service', () => {
  it('keeps one Kalshi key per data dir', () => {
    const a = ensureSimKalshiKey(dataDir);
    const b = ensureSimKalshiKey(dataDir);
    expect(b).toEqual(a);
    expect(a.keyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.privateKeyPath).toBe(path.join(dataDir, 'sim', 'kalshi-key.pem'));
  });

  it('publishes endpoints and metrics, accepts the data-dir key, and withdraws everything on stop', async () => {
    const key = ensureSimKalshiKey(dataDir);
    const instance = `${prefix}sim`.replace(/:/g, '');
    const endpointsKey = `${prefix}sim:endpoints`;
    const running = await startService(simulator, {
      REDIS_URL: TEST_REDIS_URL,
      ARBEES_INSTANCE: instance,
      ARBEES_DATA_DIR: dataDir,
      ARBEES_HEARTBEAT_MS: '200',
      LOG_LEVEL: 'silent',
      ARBEES_SIM_SEED: '4',
      ARBEES_SIM_SPEED: '30',
      ARBEES_SIM_GAMES: '10',
      ARBEES_SIM_ESPN_PORT: '0',
      ARBEES_SIM_KALSHI_PORT: '0',
      ARBEES_SIM_GAMMA_PORT: '0',
      ARBEES_SIM_CLOB_PORT: '0',
      ARBEES_SIM_ENDPOINTS_KEY: endpointsKey,
      ARBEES_SIM_KALSHI_KEY_ID: key.keyId,
      ARBEES_SIM_KALSHI_PUBLIC_KEY_PATH: key.publicKeyPath,
    });
    let stopped = false;
    try {
      const endpoints = JSON.parse((await redis.get(endpointsKey))!) as SimEndpoints & { speed: number; seed: number };
      expect(endpoints).toMatchObject({ speed: 30, seed: 4 });
      expect(await simEndpointsAnswer(endpoints)).toBe(true);

      await eventually(
        async () => {
          const raw = await redis.get(registryKey('simulator', instance));
          if (raw === null) return false;
          const m = HeartbeatSchema.parse(JSON.parse(raw)).metrics;
          return (m['sim.quotes_pushed'] ?? 0) > 0 && (m['sim.games_live'] ?? 0) + (m['sim.games_scheduled'] ?? 0) + (m['sim.games_final'] ?? 0) === 10;
        },
        5_000,
        'simulator metrics in the registry',
      );

      const signer = loadKalshiSigner({ keyId: key.keyId, privateKeyPath: key.privateKeyPath })!;
      const balance = await new KalshiHttpClient({ baseUrl: endpoints.kalshiRestUrl, signer }).getBalance();
      expect(balance.balanceCc).toBeGreaterThan(0);
      const stranger = makeKey(key.keyId); // same id, another key: the signature does not verify
      await expect(new KalshiHttpClient({ baseUrl: endpoints.kalshiRestUrl, signer: stranger.signer, maxRetries: 0 }).getBalance()).rejects.toBeInstanceOf(KalshiAuthError);

      await running.stop();
      stopped = true;
      expect(await redis.exists(endpointsKey)).toBe(0);
      expect(await simEndpointsAnswer(endpoints, 500)).toBe(false);
    } finally {
      if (!stopped) await running.stop();
    }
  });

  it('refuses a key id without its public key file, as a config error', async () => {
    await expect(
      startService(simulator, {
        REDIS_URL: TEST_REDIS_URL,
        LOG_LEVEL: 'silent',
        ARBEES_INSTANCE: `${prefix}bad`.replace(/:/g, ''),
        ARBEES_SIM_KALSHI_KEY_ID: 'abc',
        ARBEES_SIM_KALSHI_PUBLIC_KEY_PATH: path.join(dataDir, 'missing.pem'),
      }),
    ).rejects.toMatchObject({ code: 'ARB_CONFIG_INVALID', message: expect.stringContaining('ARBEES_SIM_KALSHI_PUBLIC_KEY_PATH cannot be read') });
  });
});
