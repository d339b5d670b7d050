/**
 * Where the simulator's servers listen, and the environment that points every client at them
 * (the same variables the live hosts are configured with: src/runtime/venue-endpoints.ts).
 */
import { VenueEnv } from '../runtime/venue-endpoints.js';
import { CredentialEnv } from '../runtime/venue-credentials.js';
import { KALSHI_REST_PREFIX, KALSHI_WS_PATH } from '../venues/kalshi/common.js';

/** Redis key (JSON of SimEndpoints plus speed and seed) the simulator writes when it is up. */
export const SIM_ENDPOINTS_KEY = 'sim:endpoints';

export interface SimEndpoints {
  espnBaseUrl: string;
  kalshiRestUrl: string;
  kalshiWsUrl: string;
  polyGammaUrl: string;
  polyClobUrl: string;
  polyWsUrl: string;
}

export interface SimPorts {
  espn: number;
  kalshi: number;
  gamma: number;
  clob: number;
}

/** Default ports of the simulator's servers: a range unlikely to be taken on a workstation. */
export const DEFAULT_SIM_PORTS: Readonly<SimPorts> = Object.freeze({ espn: 7401, kalshi: 7402, gamma: 7403, clob: 7404 });

/** The URLs the simulator's servers answer on, given where they listen. */
export function simEndpointsFor(host: string, ports: SimPorts): SimEndpoints {
  const h = host.includes(':') ? `[${host}]` : host;
  return {
    espnBaseUrl: `http://${h}:${ports.espn}`,
    kalshiRestUrl: `http://${h}:${ports.kalshi}${KALSHI_REST_PREFIX}`,
    kalshiWsUrl: `ws://${h}:${ports.kalshi}${KALSHI_WS_PATH}`,
    polyGammaUrl: `http://${h}:${ports.gamma}`,
    polyClobUrl: `http://${h}:${ports.clob}`,
    polyWsUrl: `ws://${h}:${ports.clob}/ws/market`,
  };
}

export interface SimKalshiCredentials {
  keyId: string;
  privateKeyPath: string;
}

/** The variables a child needs to run against the simulator. */
export function simEnvironment(endpoints: SimEndpoints, options: { kalshi?: SimKalshiCredentials; speed?: number } = {}): Record<string, string> {
  const env: Record<string, string> = {
    [VenueEnv.espnBaseUrl]: endpoints.espnBaseUrl,
    [VenueEnv.kalshiRestUrl]: endpoints.kalshiRestUrl,
    [VenueEnv.kalshiWsUrl]: endpoints.kalshiWsUrl,
    [VenueEnv.polyGammaUrl]: endpoints.polyGammaUrl,
    [VenueEnv.polyClobUrl]: endpoints.polyClobUrl,
    [VenueEnv.polyWsUrl]: endpoints.polyWsUrl,
    [VenueEnv.venues]: 'sim',
  };
  if (options.kalshi) {
    env[CredentialEnv.kalshiKeyId] = options.kalshi.keyId;
    env[CredentialEnv.kalshiPrivateKeyPath] = options.kalshi.privateKeyPath;
  }
  if (options.speed !== undefined) env[VenueEnv.simSpeed] = String(options.speed);
  return env;
}
