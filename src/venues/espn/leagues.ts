/**
 * ESPN's `{sport}/{league}` path for each league arbees follows (ESPN's site API).
 * The same table drives the client, the simulator's routes and the reverse lookup a server
 * needs to know which league a request is for.
 */
import { SPORTS, type Sport } from '../../core/topics.js';

export interface EspnLeaguePath {
  /** ESPN's sport segment: football, basketball, hockey, baseball, soccer. */
  sport: 'football' | 'basketball' | 'hockey' | 'baseball' | 'soccer';
  /** ESPN's league segment: nfl, college-football, usa.1, eng.1... */
  league: string;
}

export const ESPN_LEAGUES: Readonly<Record<Sport, EspnLeaguePath>> = Object.freeze({
  nfl: { sport: 'football', league: 'nfl' },
  ncaaf: { sport: 'football', league: 'college-football' },
  nba: { sport: 'basketball', league: 'nba' },
  ncaab: { sport: 'basketball', league: 'mens-college-basketball' },
  nhl: { sport: 'hockey', league: 'nhl' },
  mlb: { sport: 'baseball', league: 'mlb' },
  mls: { sport: 'soccer', league: 'usa.1' },
  epl: { sport: 'soccer', league: 'eng.1' },
});

export function espnPath(sport: Sport): string {
  const p = ESPN_LEAGUES[sport];
  return `${p.sport}/${p.league}`;
}

/** The arbees sport for an ESPN `{sport}/{league}` pair, or null when it is not one we follow. */
export function sportForEspnPath(sport: string, league: string): Sport | null {
  for (const s of SPORTS) {
    const p = ESPN_LEAGUES[s];
    if (p.sport === sport && p.league === league) return s;
  }
  return null;
}

export type EspnSportFamily = EspnLeaguePath['sport'];

export function sportFamily(sport: Sport): EspnSportFamily {
  return ESPN_LEAGUES[sport].sport;
}
