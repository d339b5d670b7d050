/**
 * Kalshi-style tickers for simulated game-winner markets, following the observed pattern:
 * series `KXNBAGAME`, event `KXNBAGAME-26NOV24BOSLAL` (date of the game in US Eastern time,
 * then away and home abbreviations), market `KXNBAGAME-26NOV24BOSLAL-BOS` (the team YES pays
 * on). Soccer has a third market, `...-TIE`, for the draw.
 */
import type { Sport } from '../../core/topics.js';
import type { SimGameView } from '../world.js';

const KALSHI_GAME_SERIES: Readonly<Record<Sport, string>> = Object.freeze({
  nfl: 'KXNFLGAME',
  ncaaf: 'KXNCAAFGAME',
  nba: 'KXNBAGAME',
  ncaab: 'KXNCAAMBGAME',
  nhl: 'KXNHLGAME',
  mlb: 'KXMLBGAME',
  mls: 'KXMLSGAME',
  epl: 'KXEPLGAME',
});

const SOCCER: ReadonlySet<Sport> = new Set<Sport>(['mls', 'epl']);

const hasDrawMarket = (sport: Sport): boolean => SOCCER.has(sport);

const EASTERN = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  year: '2-digit',
  month: 'short',
  day: '2-digit',
});

/** `26NOV24` for a game starting on 24 Nov 2026, US Eastern. */
export function kalshiDateCode(start: Date): string {
  const parts = Object.fromEntries(EASTERN.formatToParts(start).map((p) => [p.type, p.value]));
  return `${parts.year}${String(parts.month).toUpperCase()}${parts.day}`;
}

const clean = (abbr: string): string => abbr.toUpperCase().replace(/[^A-Z0-9]/g, '');

export interface KalshiGameMarketSpec {
  ticker: string;
  outcome: 'home' | 'away' | 'draw';
  /** Team abbreviation, or TIE. */
  suffix: string;
}

export interface KalshiGameTickers {
  series: string;
  event: string;
  markets: KalshiGameMarketSpec[];
}

/** Tickers of one game; `eventSuffix` separates two games of the same teams on one day. */
export function kalshiGameTickers(game: SimGameView, eventSuffix = ''): KalshiGameTickers {
  const series = KALSHI_GAME_SERIES[game.sport];
  const event = `${series}-${kalshiDateCode(game.startTime)}${clean(game.away.abbr)}${clean(game.home.abbr)}${eventSuffix}`;
  const markets: KalshiGameMarketSpec[] = [
    { ticker: `${event}-${clean(game.away.abbr)}`, outcome: 'away', suffix: clean(game.away.abbr) },
    { ticker: `${event}-${clean(game.home.abbr)}`, outcome: 'home', suffix: clean(game.home.abbr) },
  ];
  if (hasDrawMarket(game.sport)) markets.push({ ticker: `${event}-TIE`, outcome: 'draw', suffix: 'TIE' });
  return { series, event, markets };
}
