/**
 * Which services `arbees up` starts and how many instances of each: the one table to extend when
 * a service is ready to run by default (e.g. `game_shard: 2`). ARBEES_SERVICES overrides it with
 * a comma list of `name` or `name:count` (e.g. `zmq_listener,game_shard:3`).
 */
import { ConfigError } from '../core/errors.js';
import { SERVICES } from '../services/index.js';
import { MONITOR_SERVICES } from '../venues/index.js';

export const UP_SERVICES: Readonly<Record<string, number>> = Object.freeze({
  // Runs first, and only without live credentials (see venue-mode.ts planForMode).
  simulator: 1,
  zmq_listener: 1,
  market_discovery: 1,
  orchestrator: 1,
  ...Object.fromEntries(Object.keys(MONITOR_SERVICES).map((service) => [service, 1])),
  game_shard: 2,
  execution_service: 1,
  position_tracker: 1,
  api: 1,
  notification_service: 1,
  recorder: 1,
  analytics_service: 1,
});

/**
 * Niceness of services that are not on the critical path (issue 13): zmq_listener mirrors every
 * hot message into Redis and must not take the CPU from the monitors, shard and execution on a
 * small machine. Applied by `arbees up` with os.setPriority after the spawn.
 */
export const UP_NICENESS: Readonly<Record<string, number>> = Object.freeze({
  zmq_listener: 10,
});

/**
 * The critical path keeps its young generation small: with V8's default (16 MB semi-spaces) each
 * of these processes peaked at 116-146 MB of RSS at 7k updates/s, with 4 MB at 97-118 MB and the
 * same CPU per update (bench/README.md, "Young generation of the hot path"); 2 MB cost CPU.
 */
const SMALL_YOUNG_GENERATION: readonly string[] = Object.freeze(['--max-semi-space-size=4']);
const HOT_PATH_SERVICES: readonly string[] = [...Object.keys(MONITOR_SERVICES), 'game_shard', 'execution_service', 'position_tracker'];

/**
 * Node flags of services that allocate per message at the full hot-path rate (issue 13):
 * zmq_listener decodes every message and re-encodes it for the slow track, and with V8's default
 * young generation it spent 19 % of its time in scavenges at 7k updates/s (bench:pipeline); a
 * 32 MB semi-space halved that. Applied by `arbees up` (and bench:pipeline, which mirrors it).
 */
export const UP_NODE_FLAGS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  zmq_listener: Object.freeze(['--max-semi-space-size=32']),
  ...Object.fromEntries(HOT_PATH_SERVICES.map((service) => [service, SMALL_YOUNG_GENERATION])),
});

export interface ServicePlan {
  readonly service: string;
  readonly instances: number;
}

const MAX_INSTANCES = 64;

/** The default plan: every entry of UP_SERVICES, in table order. */
export function defaultServicePlan(): ServicePlan[] {
  return Object.entries(UP_SERVICES).map(([service, instances]) => ({ service, instances }));
}

/** Parses ARBEES_SERVICES; throws ConfigError naming the variable on an unknown service or bad count. */
export function parseServicePlan(raw: string, env = 'ARBEES_SERVICES'): ServicePlan[] {
  const plan = new Map<string, number>();
  for (const item of raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0)) {
    const [rawName, rawCount, extra] = item.split(':');
    const service = (rawName ?? '').trim().replace(/-/g, '_');
    if (extra !== undefined || !(service in SERVICES)) {
      throw new ConfigError(env, `names an unknown service ${JSON.stringify(item)}; known: ${Object.keys(SERVICES).join(', ')}`);
    }
    const instances = rawCount === undefined ? 1 : Number(rawCount);
    if (!Number.isInteger(instances) || instances < 1 || instances > MAX_INSTANCES) {
      throw new ConfigError(env, `instance count of ${service} must be 1..${MAX_INSTANCES}, got ${JSON.stringify(rawCount)}`);
    }
    plan.set(service, instances);
  }
  if (plan.size === 0) throw new ConfigError(env, 'lists no service');
  return [...plan].map(([service, instances]) => ({ service, instances }));
}
