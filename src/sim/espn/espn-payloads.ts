/**
 * Builds ESPN site-API bodies from simulated games, in ESPN's exact
 * shape: scores and predictor values are strings, timestamps have minute precision, status
 * names and details follow each sport's conventions, football has a `situation` with
 * possession, down and distance, baseball has outs and bases, and the summary carries a
 * per-play `winprobability` series.
 *
 * ESPN's published probability is a model, not the truth: here it is the true probability
 * seen through a fixed per-game bias plus small per-play noise on the logit scale, seeded by
 * the game id, so a trader leaning on ESPN's number is close but not perfectly informed.
 */
import type { Sport } from '../../core/topics.js';
import { easternDay } from '../../venues/espn/common.js';
import { ESPN_LEAGUES } from '../../venues/espn/leagues.js';
import type { EngineSnapshot } from '../engines/game-engine.js';
import { ordinal } from '../engines/hockey-engine.js';
import { hashSeed, Rng } from '../engines/rng.js';
import type { PlayRecord, SimGameDetail } from '../sim-world.js';
import type { SimGameView, SimTeam } from '../world.js';

export interface PayloadOptions {
  /** SD of ESPN's per-game logit bias and per-play logit noise around the truth. */
  espnBiasSd: number;
  espnNoiseSd: number;
}

const LEAGUE_META: Record<Sport, { id: string; abbr: string; name: string }> = {
  nfl: { id: '28', abbr: 'NFL', name: 'National Football League' },
  ncaaf: { id: '23', abbr: 'NCAAF', name: 'NCAA - Football' },
  nba: { id: '46', abbr: 'NBA', name: 'National Basketball Association' },
  ncaab: { id: '41', abbr: 'NCAAM', name: "NCAA Men's Basketball" },
  nhl: { id: '90', abbr: 'NHL', name: 'National Hockey League' },
  mlb: { id: '10', abbr: 'MLB', name: 'Major League Baseball' },
  mls: { id: '770', abbr: 'MLS', name: 'MLS' },
  epl: { id: '700', abbr: 'EPL', name: 'English Premier League' },
};

const family = (sport: Sport) => ESPN_LEAGUES[sport].sport;

/** "2025-11-07T01:15Z": ESPN's minute-precision UTC timestamps. */
function espnDate(d: Date): string {
  return `${d.toISOString().slice(0, 16)}Z`;
}

/** YYYYMMDD on the US-Eastern calendar: the day ESPN's `dates=` means. */
export const easternDate = easternDay;

function scheduledDetail(d: Date): string {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: 'America/New_York',
    weekday: 'short',
    month: 'long',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZoneName: 'short',
  });
  return fmt.format(d);
}

function mss(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function periodName(sport: Sport, period: number, regulation: number): string {
  if (period > regulation) {
    const n = period - regulation;
    if (family(sport) === 'hockey' && period === 5) return 'Shootout';
    return n === 1 ? 'OT' : `${n}OT`;
  }
  switch (family(sport)) {
    case 'hockey':
      return `${ordinal(period)} Period`;
    case 'basketball':
      return sport === 'ncaab' ? `${ordinal(period)} Half` : `${ordinal(period)} Quarter`;
    default:
      return `${ordinal(period)} Quarter`;
  }
}

interface EspnStatusJson {
  clock: number;
  displayClock: string;
  period: number;
  type: {
    id: string;
    name: string;
    state: 'pre' | 'in' | 'post';
    completed: boolean;
    description: string;
    detail: string;
    shortDetail: string;
  };
}

function soccerClock(snap: EngineSnapshot): { clock: number; display: string } {
  const intoHalf = Math.max(0, snap.periodLengthS - snap.clockS);
  const base = (Math.max(1, snap.period) - 1) * 2700;
  const minute = Math.floor(intoHalf / 60) + 1;
  const display = minute > 45 ? `${45 * snap.period}'+${minute - 45}'` : `${minute + base / 60}'`;
  return { clock: base + intoHalf, display };
}

function statusJson(view: SimGameView, snap: EngineSnapshot): EspnStatusJson {
  const t = (id: string, name: string, state: 'pre' | 'in' | 'post', description: string, detail: string, short = detail) => ({
    id,
    name,
    state,
    completed: name === 'STATUS_FINAL' || name === 'STATUS_FULL_TIME',
    description,
    detail,
    shortDetail: short,
  });
  const sport = view.sport;
  const fam = family(sport);
  const period = snap.period;
  const base = { clock: 0, displayClock: '0:00', period };
  if (view.status === 'postponed') return { ...base, type: t('6', 'STATUS_POSTPONED', 'post', 'Postponed', 'Postponed') };
  if (snap.phase === 'pre') {
    const detail = scheduledDetail(view.startTime);
    return { ...base, type: t('1', 'STATUS_SCHEDULED', 'pre', 'Scheduled', detail) };
  }
  if (snap.phase === 'final') {
    if (fam === 'soccer') {
      const c = soccerClock(snap);
      return { clock: c.clock, displayClock: "90'", period, type: t('28', 'STATUS_FULL_TIME', 'post', 'Full Time', 'FT') };
    }
    const extra = period > snap.regulationPeriods;
    let detail = 'Final';
    if (extra) detail = fam === 'baseball' ? `Final/${period}` : fam === 'hockey' && period === 5 ? 'Final/SO' : 'Final/OT';
    return { ...base, type: t('3', 'STATUS_FINAL', 'post', 'Final', detail) };
  }
  if (snap.phase === 'halftime') {
    if (fam === 'soccer') {
      const c = soccerClock(snap);
      return { clock: c.clock, displayClock: "45'", period, type: t('23', 'STATUS_HALFTIME', 'in', 'Halftime', 'HT') };
    }
    return { ...base, type: t('23', 'STATUS_HALFTIME', 'in', 'Halftime', 'Halftime') };
  }
  if (fam === 'baseball') {
    const sit = snap.situation?.kind === 'baseball' ? snap.situation : null;
    // Between halves ESPN says "Mid 5th" (bottom next) or "End 5th" (top of the 6th next).
    let half = sit?.half === 'bottom' ? 'Bot' : 'Top';
    if (snap.phase === 'break') half = sit?.half === 'bottom' ? 'Mid' : 'End';
    const detail = `${half} ${ordinal(period)}`;
    return { ...base, type: t('2', 'STATUS_IN_PROGRESS', 'in', 'In Progress', detail) };
  }
  if (fam === 'soccer') {
    const c = soccerClock(snap);
    const name = period === 1 ? 'STATUS_FIRST_HALF' : 'STATUS_SECOND_HALF';
    const desc = period === 1 ? 'First Half' : 'Second Half';
    return { clock: c.clock, displayClock: c.display, period, type: t('2', name, 'in', desc, c.display) };
  }
  const label = periodName(sport, period, snap.regulationPeriods);
  if (snap.phase === 'break') {
    const detail = `End of ${label}`;
    return { ...base, type: t('22', 'STATUS_END_PERIOD', 'in', 'End of Period', detail, `End ${label.split(' ')[0]}`) };
  }
  const clock = Math.round(snap.clockS * 10) / 10;
  const display = fam === 'basketball' && clock < 60 ? clock.toFixed(1) : mss(clock);
  return {
    clock,
    displayClock: display,
    period,
    type: t('2', 'STATUS_IN_PROGRESS', 'in', 'In Progress', `${display} - ${label}`, `${display} - ${label.split(' ')[0]}`),
  };
}

function teamJson(sport: Sport, team: SimTeam) {
  const league = LEAGUE_META[sport].id;
  const soccer = family(sport) === 'soccer';
  return {
    id: team.espnId,
    uid: `s:${league}~t:${team.espnId}`,
    location: team.location,
    name: soccer ? team.name : team.mascot,
    abbreviation: team.abbr,
    displayName: team.name,
    shortDisplayName: soccer ? team.name : team.mascot,
    color: '000000',
    alternateColor: 'ffffff',
    isActive: true,
    logo: `https://a.espncdn.com/i/teamlogos/${sport}/500/${team.abbr.toLowerCase()}.png`,
  };
}

/** A plausible, stable season record for a team. */
function recordFor(team: SimTeam): string {
  const h = hashSeed('record', team.espnId);
  const w = h % 15;
  const l = (h >>> 8) % 12;
  return `${w}-${l}`;
}

function competitorJson(view: SimGameView, snap: EngineSnapshot, side: 'home' | 'away') {
  const team = side === 'home' ? view.home : view.away;
  const lines = side === 'home' ? snap.homeLines : snap.awayLines;
  const started = snap.phase !== 'pre';
  const c: Record<string, unknown> = {
    id: team.espnId,
    uid: `s:${LEAGUE_META[view.sport].id}~t:${team.espnId}`,
    type: 'team',
    order: side === 'home' ? 0 : 1,
    homeAway: side,
    team: teamJson(view.sport, team),
    score: String(side === 'home' ? view.homeScore : view.awayScore),
    records: [{ name: 'overall', abbreviation: 'Game', type: 'total', summary: recordFor(team) }],
  };
  if (started) c['linescores'] = lines.map((v, i) => ({ value: v, displayValue: String(v), period: i + 1 }));
  if (view.status === 'final') c['winner'] = view.winner === side;
  return c;
}

/** ESPN's model probability: the truth with a per-game logit bias and per-play noise. */
export function espnModelProb(gameId: string, seq: number, truth: number, o: PayloadOptions): number {
  if (truth <= 0 || truth >= 1) return truth;
  const bias = new Rng(hashSeed('espn-bias', gameId)).normal() * o.espnBiasSd;
  const noise = new Rng(hashSeed('espn-noise', gameId, seq)).normal() * o.espnNoiseSd;
  const logit = Math.log(truth / (1 - truth)) + bias + noise;
  return Math.round((1 / (1 + Math.exp(-logit))) * 10_000) / 10_000;
}

function lastPlayJson(d: SimGameDetail, o: PayloadOptions) {
  const last = [...d.plays].reverse().find((p) => p.homeWinProb !== null) ?? d.plays.at(-1);
  if (!last) return undefined;
  const teamOf = (p: PlayRecord) => (p.team === 'home' ? d.view.home.espnId : p.team === 'away' ? d.view.away.espnId : undefined);
  const home = espnModelProb(d.view.id, last.seq, last.homeWinProb ?? d.view.homeWinProb, o);
  const tie = Math.round((last.drawProb ?? 0) * 10_000) / 10_000;
  return {
    id: last.id,
    type: { id: String(last.seq % 90), text: last.type },
    text: last.text,
    scoreValue: last.scoreValue,
    ...(teamOf(last) ? { team: { id: teamOf(last) } } : {}),
    probability: {
      tiePercentage: tie,
      homeWinPercentage: home,
      awayWinPercentage: Math.max(0, Math.round((1 - home - tie) * 10_000) / 10_000),
      secondsLeft: 0,
    },
  };
}

function ordinalDown(n: number): string {
  return ['1st', '2nd', '3rd', '4th'][n - 1] ?? `${n}th`;
}

function situationJson(d: SimGameDetail, o: PayloadOptions): Record<string, unknown> | undefined {
  const snap = d.snapshot;
  if (snap.phase !== 'live' && snap.phase !== 'break') return undefined;
  const lastPlay = lastPlayJson(d, o);
  const sit = snap.situation;
  if (sit?.kind === 'football') {
    const offense = snap.possession === 'home' ? d.view.home : d.view.away;
    const defense = snap.possession === 'home' ? d.view.away : d.view.home;
    const ownHalf = sit.yardsFromOwnGoal <= 50;
    const yardLine = ownHalf ? sit.yardsFromOwnGoal : 100 - sit.yardsFromOwnGoal;
    const yardsToEndzone = 100 - sit.yardsFromOwnGoal;
    const sideAbbr = ownHalf ? offense.abbr : defense.abbr;
    const goal = sit.distance >= yardsToEndzone;
    const dist = goal ? 'Goal' : String(sit.distance);
    return {
      down: sit.down,
      yardLine,
      distance: sit.distance,
      yardsToEndzone,
      downDistanceText: `${ordinalDown(sit.down)} & ${dist} at ${sideAbbr} ${yardLine}`,
      shortDownDistanceText: `${ordinalDown(sit.down)} & ${dist}`,
      possessionText: `${sideAbbr} ${yardLine}`,
      isRedZone: yardsToEndzone <= 20,
      homeTimeouts: sit.homeTimeouts,
      awayTimeouts: sit.awayTimeouts,
      possession: offense.espnId,
      ...(lastPlay ? { lastPlay } : {}),
    };
  }
  if (family(d.view.sport) === 'football') {
    // Around kickoffs and scores ESPN shows no possession and down -1.
    return { down: -1, distance: -1, yardLine: 0, isRedZone: false, homeTimeouts: 3, awayTimeouts: 3, ...(lastPlay ? { lastPlay } : {}) };
  }
  if (sit?.kind === 'baseball') {
    return {
      balls: 0,
      strikes: 0,
      outs: sit.outs,
      onFirst: sit.onFirst,
      onSecond: sit.onSecond,
      onThird: sit.onThird,
      ...(lastPlay ? { lastPlay } : {}),
    };
  }
  return lastPlay ? { lastPlay } : undefined;
}

function seasonOf(d: Date) {
  return { year: d.getUTCMonth() >= 6 ? d.getUTCFullYear() + 1 : d.getUTCFullYear(), type: 2, slug: 'regular-season' };
}

export function eventJson(d: SimGameDetail, o: PayloadOptions) {
  const { view, snapshot } = d;
  const status = statusJson(view, snapshot);
  const date = espnDate(view.startTime);
  const league = LEAGUE_META[view.sport].id;
  const situation = situationJson(d, o);
  const competition: Record<string, unknown> = {
    id: view.id,
    uid: `s:${league}~e:${view.id}~c:${view.id}`,
    date,
    attendance: 0,
    type: { id: '1', abbreviation: 'STD' },
    timeValid: true,
    neutralSite: false,
    conferenceCompetition: false,
    playByPlayAvailable: true,
    recent: false,
    venue: { id: view.home.espnId, fullName: `${view.home.location} Stadium`, indoor: false },
    competitors: [competitorJson(view, snapshot, 'home'), competitorJson(view, snapshot, 'away')],
    notes: [],
    status,
    broadcasts: [{ market: 'national', names: ['ESPN'] }],
  };
  if (situation) competition['situation'] = situation;
  return {
    id: view.id,
    uid: `s:${league}~e:${view.id}`,
    date,
    name: `${view.away.name} at ${view.home.name}`,
    shortName: `${view.away.abbr} @ ${view.home.abbr}`,
    season: seasonOf(view.startTime),
    competitions: [competition],
    links: [],
    status,
  };
}

export function scoreboardJson(sport: Sport, day: string, details: SimGameDetail[], o: PayloadOptions) {
  const meta = LEAGUE_META[sport];
  const now = details[0]?.view.startTime ?? new Date();
  const season = seasonOf(now);
  return {
    leagues: [
      {
        id: meta.id,
        uid: `s:${meta.id}~l:${meta.id}`,
        name: meta.name,
        abbreviation: meta.abbr,
        slug: ESPN_LEAGUES[sport].league,
        season: { year: season.year, type: { id: '2', type: 2, name: 'Regular Season', abbreviation: 'reg' } },
        calendarType: 'day',
        calendar: [],
      },
    ],
    season: { type: 2, year: season.year },
    day: { date: `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}` },
    events: details.map((d) => eventJson(d, o)),
  };
}

export function summaryJson(d: SimGameDetail, o: PayloadOptions, pregameHomeProb: number) {
  const { view, snapshot } = d;
  const event = eventJson(d, o);
  const competition = event.competitions[0]!;
  const headerCompetitors = [view.home, view.away].map((team, i) => {
    const side = i === 0 ? 'home' : 'away';
    const lines = side === 'home' ? snapshot.homeLines : snapshot.awayLines;
    return {
      id: team.espnId,
      uid: `s:${LEAGUE_META[view.sport].id}~t:${team.espnId}`,
      order: i,
      homeAway: side,
      ...(view.status === 'final' ? { winner: view.winner === side } : {}),
      team: teamJson(view.sport, team),
      score: String(side === 'home' ? view.homeScore : view.awayScore),
      linescores: lines.map((v) => ({ displayValue: String(v) })),
      record: [{ type: 'total', summary: recordFor(team), displayValue: recordFor(team) }],
    };
  });
  const winprobability = d.plays
    .filter((p) => p.homeWinProb !== null)
    .map((p) => ({
      homeWinPercentage: espnModelProb(view.id, p.seq, p.homeWinProb!, o),
      tiePercentage: Math.round((p.drawProb ?? 0) * 10_000) / 10_000,
      playId: p.id,
    }));
  const teamId = (p: PlayRecord) => (p.team === 'home' ? view.home.espnId : p.team === 'away' ? view.away.espnId : null);
  const playJson = (p: PlayRecord) => ({
    id: p.id,
    sequenceNumber: String(p.seq),
    type: { id: String(p.seq % 90), text: p.type },
    text: p.text,
    awayScore: p.awayScore,
    homeScore: p.homeScore,
    period: { number: p.period },
    clock: { displayValue: family(view.sport) === 'soccer' ? '' : mss(p.clockS) },
    scoringPlay: p.scoreValue > 0,
    scoreValue: p.scoreValue,
    ...(teamId(p) ? { team: { id: teamId(p) } } : {}),
  });
  const pre = Math.round(espnModelProb(view.id, 0, pregameHomeProb, o) * 1000) / 10;
  const body: Record<string, unknown> = {
    boxscore: { teams: [], players: [] },
    gameInfo: { venue: competition.venue },
    header: {
      id: view.id,
      uid: event.uid,
      season: event.season,
      competitions: [
        {
          id: view.id,
          date: event.date,
          neutralSite: false,
          status: competition.status,
          competitors: headerCompetitors,
          ...(competition['situation'] ? { situation: competition['situation'] } : {}),
        },
      ],
    },
    winprobability: view.status === 'postponed' ? [] : winprobability,
    predictor: {
      header: family(view.sport) === 'football' ? 'ESPN FPI Win Probability' : 'ESPN BPI Win Probability',
      homeTeam: { id: view.home.espnId, gameProjection: pre.toFixed(1), teamChanceLoss: (100 - pre).toFixed(1) },
      awayTeam: { id: view.away.espnId, gameProjection: (100 - pre).toFixed(1), teamChanceLoss: pre.toFixed(1) },
    },
    scoringPlays: d.plays.filter((p) => p.scoreValue > 0).map(playJson),
    pickcenter: [],
    standings: {},
  };
  if (family(view.sport) === 'football') {
    body['drives'] = { previous: [{ id: `${view.id}1`, description: 'Drive', plays: d.plays.map(playJson) }] };
  } else {
    body['plays'] = d.plays.map(playJson);
  }
  return body;
}
