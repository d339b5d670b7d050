/**
 * The environment every service a test starts shares: the test Redis, ZMQ over tcp, heartbeats,
 * registry TTLs and polls short enough that a test sees a publisher come and go within a second,
 * and no logs (TEST_LOG_LEVEL=debug shows them when a test needs debugging). Each test adds its
 * data dir, instance and service settings, and overrides the timing its behaviour depends on.
 */
import { TEST_REDIS_URL } from './redis.js';

export function baseServiceEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    REDIS_URL: TEST_REDIS_URL,
    ARBEES_ZMQ_TRANSPORT: 'tcp',
    ARBEES_HEARTBEAT_MS: '100',
    ARBEES_REGISTRY_TTL_MS: '1000',
    ARBEES_REGISTRY_POLL_MS: '50',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...overrides,
  };
}
