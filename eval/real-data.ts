/**
 * The real games of the shared data folder as model inputs, one entry per play / event, with
 * the game's outcome and the comparison probabilities of the same state (nflscrapR's published
 * home_wp, the reference formula). Shared by the evaluation and the fit, so both see exactly
 * the same plays.
 */
import type { WinProbInput } from '../src/core/win-probability/index.js';
import { cellNumber, cellText, CsvTable } from './csv-table.js';
import { referenceWinProb, referenceWithBlend } from './reference-formulas.js';
import { referenceStateOf } from './sim-eval.js';

export interface RealState {
  /** Game id and its CV group (NFL: the season; NHL: a block of consecutive games). */
  game: string;
  group: string;
  input: WinProbInput;
  y: 0 | 1;
  /** Reference formula as deployed (no prior). */
  reference: number;
}

export interface NflPlay extends RealState {
  /** nflscrapR's published home_wp before the play. */
  homeWp: number;
  /** nflscrapR's home_wp at kickoff (used as a stand-in prior). */
  kickoffWp: number | null;
  referenceBlend: number;
  /** Timeouts left before the play (nflscrapR; not in the live input). */
  homeTimeouts: number;
  awayTimeouts: number;
}

export interface RealData<T extends RealState> {
  states: T[];
  games: number;
  notes: string[];
}

/** Rows grouped by a key column, in file order. */
function groupBy(table: CsvTable, column: string): Map<string, (readonly string[])[]> {
  const col = table.column(column);
  const out = new Map<string, (readonly string[])[]>();
  for (const row of table.rows) {
    const key = cellText(row, col);
    if (key === null) continue;
    let list = out.get(key);
    if (!list) out.set(key, (list = []));
    list.push(row);
  }
  return out;
}

export function loadNflPlays(path: string): RealData<NflPlay> {
  const t = CsvTable.fromFile(path);
  const c = (name: string) => t.column(name);
  const col = {
    season: c('season'),
    date: c('game_date'),
    home: c('home_team'),
    away: c('away_team'),
    posteam: c('posteam'),
    yardline: c('yardline_100'),
    qtr: c('qtr'),
    down: c('down'),
    ydstogo: c('ydstogo'),
    qsr: c('quarter_seconds_remaining'),
    playType: c('play_type'),
    homeTo: c('home_timeouts_remaining'),
    awayTo: c('away_timeouts_remaining'),
    totalHome: c('total_home_score'),
    totalAway: c('total_away_score'),
    homeWp: c('home_wp'),
    homeFinal: c('home_final_score'),
    awayFinal: c('away_final_score'),
  };
  const games = groupBy(t, 'game_id');
  // The Super Bowl (each season's last game) is played at a neutral site.
  const lastGameOfSeason = new Map<string, { id: string; date: string }>();
  for (const [id, rows] of games) {
    const season = cellText(rows[0]!, col.season) ?? '';
    const date = cellText(rows[0]!, col.date) ?? '';
    const seen = lastGameOfSeason.get(season);
    if (!seen || date > seen.date) lastGameOfSeason.set(season, { id, date });
  }
  const neutral = new Set([...lastGameOfSeason.values()].map((g) => g.id));
  const states: NflPlay[] = [];
  let skipped = 0;
  let gameCount = 0;
  for (const [id, rows] of games) {
    const homeFinal = cellNumber(rows[0]!, col.homeFinal);
    const awayFinal = cellNumber(rows[0]!, col.awayFinal);
    if (homeFinal === null || awayFinal === null || homeFinal === awayFinal) continue;
    const y = homeFinal > awayFinal ? 1 : 0;
    const season = cellText(rows[0]!, col.season) ?? '';
    const home = cellText(rows[0]!, col.home);
    const away = cellText(rows[0]!, col.away);
    let kickoffWp: number | null = null;
    for (const row of rows) {
      kickoffWp = cellNumber(row, col.homeWp);
      if (kickoffWp !== null) break;
    }
    gameCount += 1;
    // total_*_score is the score after the play; the state before a play is the previous row's.
    let homeScore = 0;
    let awayScore = 0;
    for (const row of rows) {
      const wp = cellNumber(row, col.homeWp);
      const qtr = cellNumber(row, col.qtr);
      const clock = cellNumber(row, col.qsr);
      if (wp !== null && qtr !== null && clock !== null) {
        const pos = cellText(row, col.posteam);
        const input: WinProbInput = {
          sport: 'nfl',
          status: 'live',
          period: qtr,
          clockS: clock,
          homeScore,
          awayScore,
          possession: pos === null ? null : pos === home ? 'home' : pos === away ? 'away' : null,
          neutralSite: neutral.has(id),
          postseason: true,
          football: {
            down: cellNumber(row, col.down),
            distance: cellNumber(row, col.ydstogo),
            yardsToGoal: cellNumber(row, col.yardline),
            kickoff: cellText(row, col.playType) === 'kickoff',
          },
        };
        const ref = referenceStateOf(input, { home: cellNumber(row, col.homeTo) ?? 3, away: cellNumber(row, col.awayTo) ?? 3 });
        states.push({
          game: id,
          group: season,
          input,
          y,
          homeWp: wp,
          kickoffWp,
          reference: referenceWinProb(ref),
          referenceBlend: referenceWithBlend({ ...ref, pregameHomeProb: kickoffWp }),
          homeTimeouts: cellNumber(row, col.homeTo) ?? 3,
          awayTimeouts: cellNumber(row, col.awayTo) ?? 3,
        });
      } else {
        skipped += 1;
      }
      homeScore = cellNumber(row, col.totalHome) ?? homeScore;
      awayScore = cellNumber(row, col.totalAway) ?? awayScore;
    }
  }
  return {
    states,
    games: gameCount,
    notes: [
      `${states.length} plays with a published home_wp (${skipped} rows without home_wp, quarter or clock skipped)`,
      `Super Bowls (${neutral.size}) as neutral sites; playoff overtime of 15 minutes`,
    ],
  };
}

/** Blocks of consecutive NHL games (by game id, i.e. by date) used as CV folds. */
export const NHL_BLOCKS = 5;

export interface NhlData extends RealData<RealState> {
  /** In-sample home win rate (a baseline that peeks at the outcomes). */
  homeRate: number;
}

export function loadNhlEvents(path: string, blocks = NHL_BLOCKS): NhlData {
  const t = CsvTable.fromFile(path);
  const c = (name: string) => t.column(name);
  const col = {
    event: c('event_type'),
    period: c('period'),
    periodType: c('period_type'),
    clock: c('period_seconds_remaining'),
    homeScore: c('home_score'),
    awayScore: c('away_score'),
    homeFinal: c('home_final'),
    awayFinal: c('away_final'),
    homeSkaters: c('home_skaters'),
    awaySkaters: c('away_skaters'),
    teamType: c('event_team_type'),
  };
  const games = groupBy(t, 'game_id');
  const outcomes = new Map<string, 0 | 1>();
  let shootouts = 0;
  for (const [id, rows] of games) {
    const hf = cellNumber(rows[0]!, col.homeFinal);
    const af = cellNumber(rows[0]!, col.awayFinal);
    if (hf === null || af === null) continue;
    if (hf !== af) {
      outcomes.set(id, hf > af ? 1 : 0);
      continue;
    }
    // Level finals went to a shootout: its goals decide.
    let h = 0;
    let a = 0;
    for (const row of rows) {
      if (cellText(row, col.periodType) !== 'SHOOTOUT' || cellText(row, col.event) !== 'GOAL') continue;
      if (cellText(row, col.teamType) === 'home') h += 1;
      else if (cellText(row, col.teamType) === 'away') a += 1;
    }
    if (h !== a) {
      outcomes.set(id, h > a ? 1 : 0);
      shootouts += 1;
    }
  }
  const homeRate = [...outcomes.values()].reduce<number>((s, y) => s + y, 0) / Math.max(1, outcomes.size);
  const ids = [...outcomes.keys()].sort();
  const blockOf = new Map(ids.map((id, i) => [id, String(Math.floor((i * blocks) / ids.length) + 1)]));
  const skip = new Set(['GAME_SCHEDULED', 'GAME_END', 'SHOOTOUT_COMPLETE']);
  const states: RealState[] = [];
  for (const id of ids) {
    const y = outcomes.get(id)!;
    // Shots on goal (goals included) before the current event: causal, what a live feed shows.
    let homeShots = 0;
    let awayShots = 0;
    for (const row of games.get(id)!) {
      const event = cellText(row, col.event);
      const shotBy = event === 'SHOT' || event === 'GOAL' ? cellText(row, col.teamType) : null;
      const shotsBefore = { homeShots, awayShots };
      if (shotBy === 'home') homeShots += 1;
      else if (shotBy === 'away') awayShots += 1;
      if (skip.has(cellText(row, col.event) ?? '') || cellText(row, col.periodType) === 'SHOOTOUT') continue;
      const period = cellNumber(row, col.period);
      const clock = cellNumber(row, col.clock);
      const hs = cellNumber(row, col.homeScore);
      const as = cellNumber(row, col.awayScore);
      if (period === null || clock === null || hs === null || as === null) continue;
      const skaters = (v: number | null) => (v !== null && v >= 3 && v <= 6 ? v : null);
      const input: WinProbInput = {
        sport: 'nhl',
        status: 'live',
        period,
        clockS: clock,
        homeScore: hs,
        awayScore: as,
        hockey: { homeSkaters: skaters(cellNumber(row, col.homeSkaters)), awaySkaters: skaters(cellNumber(row, col.awaySkaters)), ...shotsBefore },
      };
      states.push({ game: id, group: blockOf.get(id)!, input, y, reference: referenceWinProb(referenceStateOf(input)) });
    }
  }
  return {
    states,
    games: ids.length,
    homeRate,
    notes: [
      `${states.length} events (shootout rows excluded), ${shootouts} games decided in a shootout`,
      `in-sample home win rate ${homeRate.toFixed(3)} (a baseline that peeks at the outcomes)`,
      `CV folds: ${blocks} blocks of consecutive games`,
    ],
  };
}
