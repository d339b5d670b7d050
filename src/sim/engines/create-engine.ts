/**
 * One engine per sport, with the league's rules: the only place that knows which engine and
 * which rule set a league uses.
 */
import type { Sport } from '../../core/topics.js';
import { BaseballEngine, MLB_RULES } from './baseball-engine.js';
import { BasketballEngine, NBA_RULES, NCAAB_RULES } from './basketball-engine.js';
import { FootballEngine } from './football-engine.js';
import { NCAAF_RULES, NFL_RULES } from './football-play.js';
import type { EngineOptions, GameEngine, SportFamily } from './game-engine.js';
import { HockeyEngine, NHL_RULES } from './hockey-engine.js';
import { EPL_RULES, MLS_RULES, SoccerEngine } from './soccer-engine.js';

export function createEngine(sport: Sport, options: EngineOptions): GameEngine {
  switch (sport) {
    case 'nba':
      return new BasketballEngine(options, NBA_RULES);
    case 'ncaab':
      return new BasketballEngine(options, NCAAB_RULES);
    case 'nfl':
      return new FootballEngine(options, NFL_RULES);
    case 'ncaaf':
      return new FootballEngine(options, NCAAF_RULES);
    case 'nhl':
      return new HockeyEngine(options, NHL_RULES);
    case 'mlb':
      return new BaseballEngine(options, MLB_RULES);
    case 'mls':
      return new SoccerEngine(options, MLS_RULES);
    case 'epl':
      return new SoccerEngine(options, EPL_RULES);
  }
}

export function familyOf(sport: Sport): SportFamily {
  switch (sport) {
    case 'nba':
    case 'ncaab':
      return 'basketball';
    case 'nfl':
    case 'ncaaf':
      return 'football';
    case 'nhl':
      return 'hockey';
    case 'mlb':
      return 'baseball';
    case 'mls':
    case 'epl':
      return 'soccer';
  }
}
