/** Simulated games for the Polymarket tests: real team tables, fixed dates. */
import { teamByAbbr } from '../../src/sim/teams.js';
import type { SimGameView } from '../../src/sim/world.js';
import type { Sport } from '../../src/core/topics.js';

export function simGame(id: string, sport: Sport, awayAbbr: string, homeAbbr: string, start: string, homeWinProb = 0.5): SimGameView {
  const away = teamByAbbr(sport, awayAbbr);
  const home = teamByAbbr(sport, homeAbbr);
  if (!away || !home) throw new Error(`unknown team ${awayAbbr} or ${homeAbbr} in ${sport}`);
  return {
    id,
    sport,
    home,
    away,
    startTime: new Date(start),
    status: 'scheduled',
    period: 0,
    clockS: 0,
    homeScore: 0,
    awayScore: 0,
    homeWinProb,
    drawProb: 0,
    winner: null,
  };
}
