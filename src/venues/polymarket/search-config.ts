/**
 * Settings of the Polymarket market search (market_discovery): where Gamma is, and which league
 * tags list each sport's events.
 */
import type { Sport } from '../../core/topics.js';
import { defineVar } from '../../runtime/config.js';
import { parseSportLists } from '../../runtime/sport-lists.js';
import { venueEndpointSpec } from '../../runtime/venue-endpoints.js';

export const DEFAULT_POLY_TAG_SLUGS: Readonly<Record<Sport, readonly string[]>> = Object.freeze({
  nfl: ['nfl'],
  ncaaf: ['ncaaf'],
  nba: ['nba'],
  ncaab: ['ncaab'],
  nhl: ['nhl'],
  mlb: ['mlb'],
  mls: ['mls'],
  epl: ['epl'],
});

export const polymarketSearchConfigSpec = {
  gammaUrl: venueEndpointSpec.polyGammaUrl,
  polyTagSlugs: defineVar({ env: 'MARKET_DISCOVERY_POLY_TAGS', default: DEFAULT_POLY_TAG_SLUGS, parse: parseSportLists(DEFAULT_POLY_TAG_SLUGS) }),
};
