/**
 * Configuration of the simulator service, each variable declared once with its default. `arbees
 * up` reads the same spec to pick the ports and show the speed, then hands the values over.
 */
import { ConfigError } from '../../core/errors.js';
import { SPORTS, type Sport } from '../../core/topics.js';
import { defineVar, parse, type ConfigOf } from '../../runtime/config.js';
import { VenueEnv } from '../../runtime/venue-endpoints.js';
import { DEFAULT_SIM_PORTS, SIM_ENDPOINTS_KEY } from '../../sim/sim-endpoints.js';

function parseLeagues(raw: string, env: string): Sport[] {
  const leagues = parse.list(raw.toLowerCase());
  const unknown = leagues.filter((l) => !(SPORTS as readonly string[]).includes(l));
  if (unknown.length > 0 || leagues.length === 0) throw new ConfigError(env, `must list leagues among ${SPORTS.join(', ')}, got ${JSON.stringify(raw)}`);
  return leagues as Sport[];
}

const port = (env: string, value: number) => defineVar({ env, default: value, parse: parse.int(0, 65535), describe: '0 = any free port' });

export const simulatorConfigSpec = {
  seed: defineVar({ env: 'ARBEES_SIM_SEED', default: 1, parse: parse.int(0, 2 ** 31 - 1) }),
  speed: defineVar({ env: VenueEnv.simSpeed, default: 10, parse: parse.number(1, 60), describe: 'simulated seconds per real second' }),
  games: defineVar({ env: 'ARBEES_SIM_GAMES', default: 24, parse: parse.int(1, 2_000) }),
  leagues: defineVar<readonly Sport[]>({ env: 'ARBEES_SIM_LEAGUES', default: SPORTS, parse: parseLeagues }),
  liveShare: defineVar({ env: 'ARBEES_SIM_LIVE_SHARE', default: 0.4, parse: parse.number(0, 1) }),
  soonShare: defineVar({ env: 'ARBEES_SIM_SOON_SHARE', default: 0.25, parse: parse.number(0, 1) }),
  host: defineVar({ env: 'ARBEES_SIM_HOST', default: '127.0.0.1', parse: parse.string }),
  espnPort: port('ARBEES_SIM_ESPN_PORT', DEFAULT_SIM_PORTS.espn),
  kalshiPort: port('ARBEES_SIM_KALSHI_PORT', DEFAULT_SIM_PORTS.kalshi),
  gammaPort: port('ARBEES_SIM_GAMMA_PORT', DEFAULT_SIM_PORTS.gamma),
  clobPort: port('ARBEES_SIM_CLOB_PORT', DEFAULT_SIM_PORTS.clob),
  quoteIntervalMs: defineVar({ env: 'ARBEES_SIM_QUOTE_MS', default: 250, parse: parse.int(10, 60_000) }),
  makerLagMs: defineVar({ env: 'ARBEES_SIM_MAKER_LAG_MS', default: 4_000, parse: parse.int(0, 600_000), describe: 'real ms the makers trail the true probability' }),
  episodeProb: defineVar({ env: 'ARBEES_SIM_EPISODE_PROB', default: 0.1, parse: parse.number(0, 1) }),
  kalshiKeyId: defineVar({ env: 'ARBEES_SIM_KALSHI_KEY_ID', default: '', parse: parse.string }),
  kalshiPublicKeyPath: defineVar({ env: 'ARBEES_SIM_KALSHI_PUBLIC_KEY_PATH', default: '', parse: parse.string }),
  endpointsKey: defineVar({ env: 'ARBEES_SIM_ENDPOINTS_KEY', default: SIM_ENDPOINTS_KEY, parse: parse.string }),
};

export type SimulatorConfig = ConfigOf<typeof simulatorConfigSpec>;
