/**
 * Where the venue and ESPN clients of every service connect, named once. Each service reads
 * these variables (spread `venueEndpointSpec` / `kalshiCredentialSpec` into its config spec);
 * they default to the live hosts. `arbees up` on the simulators sets them for every child to the
 * simulator's loopback URLs (`simEnvironment`), so no service knows or cares which it talks to.
 */
import { defineVar, parse } from '../runtime/config.js';
import { ESPN_SITE_BASE_URL } from '../venues/espn/common.js';
import { KALSHI_HOSTS, KALSHI_REST_PREFIX, KALSHI_WS_PATH } from '../venues/kalshi/common.js';
import { POLYMARKET_HOSTS } from '../venues/polymarket/common.js';

/** The environment variable names every client reads. */
export const VenueEnv = Object.freeze({
  espnBaseUrl: 'ESPN_BASE_URL',
  kalshiRestUrl: 'KALSHI_REST_URL',
  kalshiWsUrl: 'KALSHI_WS_URL',
  polyGammaUrl: 'POLYMARKET_GAMMA_URL',
  polyClobUrl: 'POLYMARKET_CLOB_URL',
  polyWsUrl: 'POLYMARKET_WS_URL',
  /** Kalshi credentials, as src/venues/kalshi/auth.ts kalshiSignerFromEnv reads them. */
  kalshiKeyId: 'KALSHI_API_KEY',
  kalshiPrivateKeyPath: 'KALSHI_PRIVATE_KEY_PATH',
  /** `sim` or `live`: which world the endpoints above lead to (informational). */
  venues: 'ARBEES_VENUES',
  /** Simulated seconds per real second, when `ARBEES_VENUES=sim`. */
  simSpeed: 'ARBEES_SIM_SPEED',
} as const);

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
    env[VenueEnv.kalshiKeyId] = options.kalshi.keyId;
    env[VenueEnv.kalshiPrivateKeyPath] = options.kalshi.privateKeyPath;
  }
  if (options.speed !== undefined) env[VenueEnv.simSpeed] = String(options.speed);
  return env;
}

/** Config vars of the client URLs, defaulting to the live hosts: spread into a service's configSpec. */
export const venueEndpointSpec = {
  espnBaseUrl: defineVar({ env: VenueEnv.espnBaseUrl, default: ESPN_SITE_BASE_URL, parse: parse.url('http', 'https') }),
  kalshiRestUrl: defineVar({ env: VenueEnv.kalshiRestUrl, default: KALSHI_HOSTS.prod.restUrl, parse: parse.url('http', 'https') }),
  kalshiWsUrl: defineVar({ env: VenueEnv.kalshiWsUrl, default: KALSHI_HOSTS.prod.wsUrl, parse: parse.url('ws', 'wss') }),
  polyGammaUrl: defineVar({ env: VenueEnv.polyGammaUrl, default: POLYMARKET_HOSTS.gamma, parse: parse.url('http', 'https') }),
  polyClobUrl: defineVar({ env: VenueEnv.polyClobUrl, default: POLYMARKET_HOSTS.clob, parse: parse.url('http', 'https') }),
  polyWsUrl: defineVar({ env: VenueEnv.polyWsUrl, default: POLYMARKET_HOSTS.marketWs as string, parse: parse.url('ws', 'wss') }),
};
