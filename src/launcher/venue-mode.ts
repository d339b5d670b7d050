/**
 * Whether `arbees up` runs against the live venues or the simulators, and what that means for
 * the service plan. Live needs either credentials or an explicit ARBEES_LIVE=true; everything
 * else (a fresh checkout) runs on the simulators, so a new user sees games and prices at once
 * and nothing can reach a real venue by accident.
 */
import { parse } from '../runtime/config.js';
import { LIVE_CREDENTIAL_VARS } from '../runtime/venue-credentials.js';

export type VenueMode = 'sim' | 'live';

export interface VenueModeDecision {
  mode: VenueMode;
  /** Why, in words for the banner. */
  reason: string;
}


/**
 * ARBEES_LIVE=true: live. ARBEES_LIVE=false: simulators even with credentials set. Unset: live
 * exactly when some credential variable is set. A malformed ARBEES_LIVE throws ConfigError.
 */
export function decideVenueMode(env: NodeJS.ProcessEnv): VenueModeDecision {
  const raw = env.ARBEES_LIVE;
  if (raw !== undefined && raw !== '') {
    const live = parse.bool(raw, 'ARBEES_LIVE');
    return live ? { mode: 'live', reason: 'ARBEES_LIVE=true' } : { mode: 'sim', reason: 'ARBEES_LIVE=false' };
  }
  const present = LIVE_CREDENTIAL_VARS.filter((name) => (env[name] ?? '').trim() !== '');
  if (present.length > 0) return { mode: 'live', reason: `credentials set (${present.join(', ')})` };
  return { mode: 'sim', reason: 'no live credentials configured' };
}

export const SIMULATOR_SERVICE = 'simulator';

/**
 * Services that never talk to a venue or ESPN: a plan of only these needs no simulator. A
 * service missing here is assumed to need one (the safe side: a new service gets the simulator).
 */
const VENUE_FREE_SERVICES: ReadonlySet<string> = new Set([
  SIMULATOR_SERVICE,
  'zmq_listener',
  'demo_publisher',
  'recorder',
  'analytics_service',
  'notification_service',
  'api',
]);

export interface PlannedService {
  readonly service: string;
  readonly instances: number;
}

/**
 * The plan for a mode. Sim: the simulator runs first (one instance) when the plan lists it or
 * any service that needs venues. Live: the simulator is left out, clients go to the real hosts.
 */
export function planForMode<P extends PlannedService>(plan: readonly P[], mode: VenueMode): { plan: PlannedService[]; simulator: boolean } {
  const others = plan.filter((p) => p.service !== SIMULATOR_SERVICE);
  if (mode === 'live') return { plan: others, simulator: false };
  const listed = others.length !== plan.length;
  const needed = listed || others.some((p) => !VENUE_FREE_SERVICES.has(p.service));
  if (!needed) return { plan: others, simulator: false };
  return { plan: [{ service: SIMULATOR_SERVICE, instances: 1 }, ...others], simulator: true };
}
