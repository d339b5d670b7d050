/**
 * Settings of the Kalshi market search (market_discovery): where to read, and which series list
 * each sport's game-winner events.
 */
import type { Sport } from '../../core/topics.js';
import { defineVar } from '../../runtime/config.js';
import { parseSportLists } from '../../runtime/sport-lists.js';
import { venueEndpointSpec } from '../../runtime/venue-endpoints.js';

export const DEFAULT_KALSHI_SERIES: Readonly<Record<Sport, readonly string[]>> = Object.freeze({
  nfl: ['KXNFLGAME'],
  ncaaf: ['KXNCAAFGAME'],
  nba: ['KXNBAGAME'],
  ncaab: ['KXNCAAMBGAME'],
  nhl: ['KXNHLGAME'],
  mlb: ['KXMLBGAME'],
  mls: ['KXMLSGAME'],
  epl: ['KXEPLGAME'],
});

export const kalshiSearchConfigSpec = {
  kalshiRestUrl: venueEndpointSpec.kalshiRestUrl,
  kalshiSeries: defineVar({ env: 'MARKET_DISCOVERY_KALSHI_SERIES', default: DEFAULT_KALSHI_SERIES, parse: parseSportLists(DEFAULT_KALSHI_SERIES) }),
};
