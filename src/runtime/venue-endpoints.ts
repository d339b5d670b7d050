/**
 * Where the venue and ESPN clients of every service connect, named once. Each service spreads
 * `venueEndpointSpec` entries into its config spec; they default to the live hosts. `arbees up`
 * on the simulators sets the same variables for every child to the simulator's loopback URLs,
 * so no service knows or cares which it talks to.
 */
import { defineVar, parse } from './config.js';
import { ESPN_SITE_BASE_URL } from '../venues/espn/common.js';
import { KALSHI_HOSTS } from '../venues/kalshi/common.js';
import { POLYMARKET_HOSTS } from '../venues/polymarket/common.js';

/** The environment variable names every client reads. */
export const VenueEnv = Object.freeze({
  espnBaseUrl: 'ESPN_BASE_URL',
  kalshiRestUrl: 'KALSHI_REST_URL',
  kalshiWsUrl: 'KALSHI_WS_URL',
  polyGammaUrl: 'POLYMARKET_GAMMA_URL',
  polyClobUrl: 'POLYMARKET_CLOB_URL',
  polyWsUrl: 'POLYMARKET_WS_URL',
  /** `sim` or `live`: which world the endpoints above lead to (informational). */
  venues: 'ARBEES_VENUES',
  /** Simulated seconds per real second, when `ARBEES_VENUES=sim`. */
  simSpeed: 'ARBEES_SIM_SPEED',
} as const);

/** Config vars of the client URLs, defaulting to the live hosts: spread into a service's configSpec. */
export const venueEndpointSpec = {
  espnBaseUrl: defineVar({ env: VenueEnv.espnBaseUrl, default: ESPN_SITE_BASE_URL, parse: parse.url('http', 'https') }),
  kalshiRestUrl: defineVar({ env: VenueEnv.kalshiRestUrl, default: KALSHI_HOSTS.prod.restUrl, parse: parse.url('http', 'https') }),
  kalshiWsUrl: defineVar({ env: VenueEnv.kalshiWsUrl, default: KALSHI_HOSTS.prod.wsUrl, parse: parse.url('ws', 'wss') }),
  polyGammaUrl: defineVar({ env: VenueEnv.polyGammaUrl, default: POLYMARKET_HOSTS.gamma, parse: parse.url('http', 'https') }),
  polyClobUrl: defineVar({ env: VenueEnv.polyClobUrl, default: POLYMARKET_HOSTS.clob, parse: parse.url('http', 'https') }),
  polyWsUrl: defineVar({ env: VenueEnv.polyWsUrl, default: POLYMARKET_HOSTS.marketWs as string, parse: parse.url('ws', 'wss') }),
};
