import { describe, expect, it } from 'vitest';
import { SPORTS } from '../core/topics.js';
import { TEAMS, teamByAbbr } from './teams.js';

describe('simulated league team tables', () => {
  it('have full pro leagues and a handful of college programs', () => {
    expect(TEAMS.nba).toHaveLength(30);
    expect(TEAMS.nfl).toHaveLength(32);
    expect(TEAMS.nhl).toHaveLength(32);
    expect(TEAMS.mlb).toHaveLength(30);
    expect(TEAMS.mls.length).toBeGreaterThanOrEqual(29);
    expect(TEAMS.epl).toHaveLength(20);
    expect(TEAMS.ncaaf.length).toBeGreaterThanOrEqual(8);
    expect(TEAMS.ncaab.length).toBeGreaterThanOrEqual(8);
  });

  it('have unique names, abbreviations and ESPN ids within a league', () => {
    for (const sport of SPORTS) {
      const teams = TEAMS[sport];
      for (const key of ['name', 'abbr', 'espnId'] as const) {
        expect(new Set(teams.map((t) => t[key])).size, `${sport} ${key}`).toBe(teams.length);
      }
      for (const t of teams) {
        expect(t.abbr).toMatch(/^[A-Z]{2,4}$/);
        expect(t.espnId).toMatch(/^\d+$/);
      }
    }
  });

  it('use ESPN abbreviations, not league ones', () => {
    expect(teamByAbbr('nba', 'GS')?.name).toBe('Golden State Warriors');
    expect(teamByAbbr('nba', 'NY')?.name).toBe('New York Knicks');
    expect(teamByAbbr('nba', 'UTAH')?.espnId).toBe('26');
    expect(teamByAbbr('nfl', 'WSH')?.name).toBe('Washington Commanders');
    expect(teamByAbbr('nhl', 'LA')?.name).toBe('Los Angeles Kings');
    expect(teamByAbbr('mlb', 'CHW')?.name).toBe('Chicago White Sox');
    expect(teamByAbbr('epl', 'MNC')?.name).toBe('Manchester City');
  });
});
