/**
 * Parsers for ESPN's scoreboard and summary bodies (ESPN's site API). ESPN documents
 * nothing, so every field is read defensively: a missing or odd field becomes null and bumps a
 * counter in `issues`, an event that cannot be identified is skipped and counted, and only a
 * body that is not JSON or has no events array throws (EspnPayloadError).
 */
import type { GameStatus } from '../../core/messages.js';
import type { Sport } from '../../core/topics.js';
import type {
  BaseballSituation,
  EspnGame,
  EspnPredictor,
  EspnSide,
  EspnSituation,
  EspnSummary,
  EspnTeam,
  EspnWinProbPoint,
  FootballSituation,
  Parsed,
  ParseIssues,
} from './common.js';
import { EspnPayloadError } from './errors.js';
import { sportFamily } from './leagues.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Obj | null => (isObj(v) ? v : null);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function str(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

/** A finite number from a number or a numeric string ("27", "63.4"). */
function num(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);

class IssueLog {
  readonly counts: ParseIssues = {};
  note(kind: string): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
  }
}

/** Parses a response body text; throws EspnPayloadError when it is not JSON. */
export function parseJsonBody(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const snippet = text.slice(0, 60).replace(/\s+/g, ' ');
    throw new EspnPayloadError(what, `body is not JSON (${(err as Error).message}; starts "${snippet}")`);
  }
}

// ---------------------------------------------------------------------------------------------
// Status

const LIVE_NAMES = new Set([
  'STATUS_IN_PROGRESS',
  'STATUS_FIRST_HALF',
  'STATUS_SECOND_HALF',
  'STATUS_END_PERIOD',
  'STATUS_END_OF_PERIOD',
  'STATUS_END_OF_REGULATION',
  'STATUS_OVERTIME',
  'STATUS_SHOOTOUT',
  'STATUS_IN_PROGRESS_ET',
  'STATUS_IN_PROGRESS_PEN',
  'STATUS_IN_PROGRESS_PEN_ET',
  'STATUS_END_OF_EXTRATIME',
  'STATUS_HALFTIME_ET',
]);
const FINAL_NAMES = new Set([
  'STATUS_FINAL',
  'STATUS_FULL_TIME',
  'STATUS_FINAL_AET',
  'STATUS_FINAL_PEN',
  'STATUS_FULL_PEN',
  'STATUS_FINAL_OT',
  'STATUS_FINAL_ET',
  'STATUS_FORFEIT',
]);
const NAMED: Record<string, GameStatus> = {
  STATUS_SCHEDULED: 'scheduled',
  STATUS_HALFTIME: 'halftime',
  STATUS_POSTPONED: 'postponed',
  STATUS_CANCELED: 'cancelled',
  STATUS_CANCELLED: 'cancelled',
  STATUS_ABANDONED: 'cancelled',
  STATUS_DELAYED: 'delayed',
  STATUS_DELAY: 'delayed',
  STATUS_RAIN_DELAY: 'delayed',
  // A suspended game stops and resumes later, possibly another day: closest is delayed.
  STATUS_SUSPENDED: 'delayed',
};

/**
 * Maps ESPN's status to the arbees enum. Finality comes from `completed` (a postponed game is
 * `post` but not completed); an unknown name falls back to the state and is counted.
 */
export function mapStatus(
  name: string | null,
  state: string | null,
  completed: boolean | null,
  issues?: { note(kind: string): void },
): GameStatus {
  if (name !== null) {
    if (FINAL_NAMES.has(name)) {
      if (completed === false) issues?.note('status_final_not_completed');
      return completed === false ? 'live' : 'final';
    }
    if (LIVE_NAMES.has(name)) return 'live';
    const named = NAMED[name];
    if (named !== undefined) return named;
  }
  issues?.note(name === null ? 'status_missing' : 'status_unknown');
  if (completed === true) return 'final';
  if (state === 'in') return 'live';
  if (state === 'post') return 'postponed';
  return 'scheduled';
}

// ---------------------------------------------------------------------------------------------
// Clock

/** "10:17" → 617; "0.4" (basketball's last minute) → 0.4; null when unreadable. */
export function parseDisplayClock(text: string | null): number | null {
  if (text === null) return null;
  const t = text.trim();
  const mss = /^(\d{1,3}):(\d{2})(?:\.\d+)?$/.exec(t);
  if (mss) return Number(mss[1]) * 60 + Number(mss[2]);
  const secs = /^\d+(?:\.\d+)?$/.exec(t);
  return secs ? Number(t) : null;
}

/** Soccer's minute clock: "67'" → 67, "45'+2'" → 47 (elapsed match minutes). */
export function parseSoccerMinute(text: string | null): number | null {
  if (text === null) return null;
  const m = /^(\d{1,3})'?(?:\s*\+\s*(\d{1,2})'?)?$/.exec(text.trim());
  if (!m) return null;
  return Number(m[1]) + (m[2] ? Number(m[2]) : 0);
}

const SOCCER_HALF_S = 45 * 60;

/**
 * Seconds left in the period. ESPN's `clock` counts down in football, basketball and hockey,
 * but in soccer it is elapsed match seconds (observed, not specified), so a half's remainder is
 * derived from the period; stoppage time leaves 0.
 */
function clockLeft(sport: Sport, status: Obj, period: number, issues: IssueLog): number | null {
  const family = sportFamily(sport);
  if (family === 'baseball') return 0;
  const clock = num(status['clock']);
  const display = str(status['displayClock']);
  if (family === 'soccer') {
    const elapsed = clock ?? (parseSoccerMinute(display) ?? NaN) * 60;
    if (!Number.isFinite(elapsed)) {
      issues.note('clock_missing');
      return null;
    }
    const half = Math.min(Math.max(period, 1), 2);
    return Math.max(0, half * SOCCER_HALF_S - elapsed);
  }
  if (clock !== null && clock >= 0) return clock;
  const parsed = parseDisplayClock(display);
  if (parsed === null) issues.note('clock_missing');
  return parsed;
}

// ---------------------------------------------------------------------------------------------
// Competitors

function parseTeam(raw: unknown, fallbackId: string | null, issues: IssueLog): EspnTeam {
  const t = obj(raw);
  if (t === null) issues.note('team_missing');
  const team: EspnTeam = {
    id: str(t?.['id']) ?? fallbackId,
    abbr: str(t?.['abbreviation']),
    name: str(t?.['displayName']),
    shortName: str(t?.['shortDisplayName']),
    location: str(t?.['location']),
    mascot: str(t?.['name']),
  };
  if (team.id === null) issues.note('team_id_missing');
  if (team.abbr === null) issues.note('team_abbr_missing');
  if (team.name === null) issues.note('team_name_missing');
  return team;
}

/** Score as a number: ESPN sends "27" here, an object {value} elsewhere; tolerate both. */
function parseScore(raw: unknown): number | null {
  const direct = num(raw);
  if (direct !== null) return direct;
  const o = obj(raw);
  return o ? num(o['value']) ?? num(o['displayValue']) : null;
}

function parseSide(raw: Obj, pregame: boolean, issues: IssueLog): EspnSide {
  const score = parseScore(raw['score']);
  if (score === null && !pregame) issues.note('score_missing');
  const record = arr(raw['records'])
    .map(obj)
    .find((r) => r !== null && (r['type'] === 'total' || r['name'] === 'overall'));
  const rankRaw = num(obj(raw['curatedRank'])?.['current']) ?? num(raw['rank']);
  const linescores: number[] = [];
  for (const l of arr(raw['linescores'])) {
    const v = num(obj(l)?.['value']) ?? num(obj(l)?.['displayValue']);
    if (v === null) issues.note('linescore_invalid');
    else linescores.push(v);
  }
  return {
    team: parseTeam(raw['team'], str(raw['id']), issues),
    score: score !== null && score >= 0 ? Math.round(score) : null,
    winner: bool(raw['winner']),
    record: str(record?.['summary']),
    rank: rankRaw !== null && rankRaw > 0 && rankRaw < 99 ? rankRaw : null,
    linescores,
  };
}

/** Picks home and away by `homeAway` (order is not guaranteed), falling back to `order`. */
function pickSides(competitors: unknown[], issues: IssueLog): { home: Obj; away: Obj } | null {
  const list = competitors.map(obj).filter((c): c is Obj => c !== null);
  let home = list.find((c) => c['homeAway'] === 'home');
  let away = list.find((c) => c['homeAway'] === 'away');
  if ((home === undefined || away === undefined) && list.length === 2) {
    issues.note('home_away_missing');
    // ESPN lists home first (order 0) when it lists them at all.
    const sorted = [...list].sort((a, b) => (num(a['order']) ?? 0) - (num(b['order']) ?? 0));
    home ??= sorted.find((c) => c !== away);
    away ??= sorted.find((c) => c !== home);
  }
  if (home === undefined || away === undefined || home === away) return null;
  return { home, away };
}

// ---------------------------------------------------------------------------------------------
// Situation and probabilities

/** A 0-1 probability; a value in (1,100] is read as percent and counted. */
function probability(raw: unknown, issues: IssueLog, kind: string): number | null {
  const p = num(raw);
  if (p === null) return null;
  if (p >= 0 && p <= 1) return p;
  if (p > 1 && p <= 100) {
    issues.note(`${kind}_percent`);
    return p / 100;
  }
  issues.note(`${kind}_out_of_range`);
  return null;
}

function sideOfTeamId(id: string | null, home: EspnSide, away: EspnSide): 'home' | 'away' | null {
  if (id === null) return null;
  if (id === home.team.id) return 'home';
  if (id === away.team.id) return 'away';
  return null;
}

function footballSituation(s: Obj): FootballSituation {
  const lastPlay = obj(s['lastPlay']);
  const intOrNull = (v: unknown) => {
    const n = num(v);
    return n !== null && Number.isInteger(n) ? n : null;
  };
  const down = intOrNull(s['down']);
  return {
    kind: 'football',
    // ESPN sends down -1 / distance -1 between plays (kickoffs, after scores).
    down: down !== null && down >= 1 && down <= 4 ? down : null,
    distance: (intOrNull(s['distance']) ?? -1) >= 0 ? intOrNull(s['distance']) : null,
    yardLine: intOrNull(s['yardLine']),
    yardsToEndzone: intOrNull(s['yardsToEndzone']),
    downDistanceText: str(s['downDistanceText']),
    possessionText: str(s['possessionText']),
    isRedZone: bool(s['isRedZone']),
    homeTimeouts: intOrNull(s['homeTimeouts']),
    awayTimeouts: intOrNull(s['awayTimeouts']),
    lastPlayText: str(lastPlay?.['text']),
  };
}

/** "Top 5th", "Bot 9th", "Bottom of the 9th", "Mid 5th" (→ bottom next), "End 5th" (→ top next). */
export function halfInningFromDetail(detail: string | null): 'top' | 'bottom' | null {
  if (detail === null) return null;
  const d = detail.trim().toLowerCase();
  if (d.startsWith('top')) return 'top';
  if (d.startsWith('bot') || d.startsWith('mid')) return 'bottom';
  if (d.startsWith('end')) return 'top';
  return null;
}

function baseballSituation(s: Obj | null, detail: string | null): BaseballSituation | null {
  const half = halfInningFromDetail(detail);
  if (s === null && half === null) return null;
  const n = (v: unknown) => (s ? num(v) : null);
  return {
    kind: 'baseball',
    halfInning: half,
    balls: n(s?.['balls']),
    strikes: n(s?.['strikes']),
    outs: n(s?.['outs']),
    onFirst: s ? bool(s['onFirst']) : null,
    onSecond: s ? bool(s['onSecond']) : null,
    onThird: s ? bool(s['onThird']) : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Games

interface EventShell {
  id: string | null;
  name: string | null;
  shortName: string | null;
  date: string | null;
}

function isoOrNull(date: string | null, issues: IssueLog): string | null {
  if (date === null) {
    issues.note('date_missing');
    return null;
  }
  const ms = Date.parse(date);
  if (Number.isNaN(ms)) {
    issues.note('date_invalid');
    return null;
  }
  return new Date(ms).toISOString();
}

/** One competition (scoreboard event or summary header) as an EspnGame; null when unusable. */
function parseCompetition(
  sport: Sport,
  shell: EventShell,
  comp: Obj,
  eventStatus: Obj | null,
  issues: IssueLog,
): EspnGame | null {
  const id = shell.id ?? str(comp['id']);
  if (id === null) {
    issues.note('event_id_missing');
    return null;
  }
  const status = obj(comp['status']) ?? eventStatus;
  if (status === null) issues.note('status_missing');
  const type = obj(status?.['type']);
  const statusName = str(type?.['name']);
  const rawState = str(type?.['state']);
  const statusState = rawState === 'pre' || rawState === 'in' || rawState === 'post' ? rawState : null;
  const completedFlag = bool(type?.['completed']);
  const gameStatus = mapStatus(statusName, statusState, completedFlag, issues);
  const detail = str(type?.['detail']) ?? str(type?.['shortDetail']);

  const sides = pickSides(arr(comp['competitors']), issues);
  if (sides === null) {
    issues.note('competitors_invalid');
    return null;
  }
  const pregame = gameStatus === 'scheduled' || gameStatus === 'postponed' || gameStatus === 'cancelled';
  const home = parseSide(sides.home, pregame, issues);
  const away = parseSide(sides.away, pregame, issues);

  const periodRaw = num(status?.['period']);
  if (periodRaw === null && status !== null) issues.note('period_missing');
  const period = periodRaw !== null && periodRaw >= 0 ? Math.floor(periodRaw) : 0;
  const clockS = status === null ? null : clockLeft(sport, status, period, issues);

  const rawSituation = obj(comp['situation']);
  let situation: EspnSituation | null = null;
  let possession: 'home' | 'away' | null = null;
  let espnHomeWinProb: number | null = null;
  const family = sportFamily(sport);
  if (family === 'football' && rawSituation !== null) {
    situation = footballSituation(rawSituation);
    const possId = str(rawSituation['possession']);
    possession = sideOfTeamId(possId, home, away);
    if (possId !== null && possession === null) issues.note('possession_unknown_team');
  } else if (family === 'baseball') {
    const b = baseballSituation(rawSituation, detail);
    situation = b;
    if (b?.halfInning && gameStatus === 'live') possession = b.halfInning === 'top' ? 'away' : 'home';
  }
  const lastProb = obj(obj(rawSituation?.['lastPlay'])?.['probability']);
  if (lastProb !== null) espnHomeWinProb = probability(lastProb['homeWinPercentage'], issues, 'probability');

  const rawDate = shell.date ?? str(comp['date']);
  return {
    id,
    sport,
    name: shell.name,
    shortName: shell.shortName,
    startTime: isoOrNull(rawDate, issues),
    timeValid: bool(comp['timeValid']),
    status: gameStatus,
    statusName,
    statusState,
    completed: completedFlag === true,
    statusDetail: detail,
    period,
    clockS,
    displayClock: str(status?.['displayClock']),
    home,
    away,
    possession,
    situation,
    espnHomeWinProb,
  };
}

function parseEvent(sport: Sport, raw: unknown, issues: IssueLog): EspnGame | null {
  const ev = obj(raw);
  if (ev === null) {
    issues.note('event_not_object');
    return null;
  }
  const comp = obj(arr(ev['competitions'])[0]);
  if (comp === null) {
    issues.note('competition_missing');
    return null;
  }
  const shell: EventShell = {
    id: str(ev['id']),
    name: str(ev['name']),
    shortName: str(ev['shortName']),
    date: str(ev['date']),
  };
  return parseCompetition(sport, shell, comp, obj(ev['status']), issues);
}

/** Parses a scoreboard body (already JSON-decoded). Bad events are skipped and counted. */
export function parseScoreboard(body: unknown, sport: Sport): Parsed<EspnGame[]> {
  const root = obj(body);
  if (root === null) throw new EspnPayloadError(`${sport} scoreboard`, 'body is not a JSON object');
  const events = root['events'];
  if (!Array.isArray(events)) throw new EspnPayloadError(`${sport} scoreboard`, 'no events array');
  const issues = new IssueLog();
  const games: EspnGame[] = [];
  const seen = new Set<string>();
  for (const raw of events) {
    const game = parseEvent(sport, raw, issues);
    if (game === null) {
      issues.note('event_skipped');
    } else if (seen.has(game.id)) {
      issues.note('event_duplicate');
    } else {
      seen.add(game.id);
      games.push(game);
    }
  }
  return { value: games, issues: issues.counts };
}

function parseWinProbability(raw: unknown, issues: IssueLog): EspnWinProbPoint[] {
  if (raw !== undefined && !Array.isArray(raw)) issues.note('winprobability_not_array');
  const out: EspnWinProbPoint[] = [];
  for (const entry of arr(raw)) {
    const e = obj(entry);
    const p = probability(e?.['homeWinPercentage'], issues, 'winprobability');
    if (e === null || p === null) {
      issues.note('winprobability_entry_invalid');
      continue;
    }
    out.push({ playId: str(e['playId']), homeWinProb: p, tieProb: probability(e['tiePercentage'], issues, 'tie') });
  }
  return out;
}

function parsePredictor(raw: unknown, issues: IssueLog): EspnPredictor | null {
  const p = obj(raw);
  if (p === null) return null;
  const chance = (side: unknown) => {
    // Always a percent string ("63.4"); rounded so 78.1 reads as 0.781, not 0.78099...
    const pct = num(obj(side)?.['gameProjection']);
    if (pct === null) return null;
    if (pct < 0 || pct > 100) {
      issues.note('predictor_out_of_range');
      return null;
    }
    return Math.round(pct * 100) / 10_000;
  };
  const homeProb = chance(p['homeTeam']);
  const awayProb = chance(p['awayTeam']);
  if (homeProb === null && awayProb === null) issues.note('predictor_invalid');
  return { header: str(p['header']), homeProb, awayProb };
}

/** Parses a summary body (already JSON-decoded) for `eventId`. */
export function parseSummary(body: unknown, sport: Sport, eventId: string): Parsed<EspnSummary> {
  const root = obj(body);
  if (root === null) throw new EspnPayloadError(`${sport} summary ${eventId}`, 'body is not a JSON object');
  const header = obj(root['header']);
  if (header === null) throw new EspnPayloadError(`${sport} summary ${eventId}`, 'no header object');
  const issues = new IssueLog();
  const comp = obj(arr(header['competitions'])[0]);
  let game: EspnGame | null = null;
  if (comp === null) {
    issues.note('competition_missing');
  } else {
    const shell: EventShell = {
      id: str(header['id']) ?? eventId,
      name: str(header['name']),
      shortName: str(header['shortName']),
      date: str(comp['date']),
    };
    game = parseCompetition(sport, shell, comp, null, issues);
  }
  const winProbability = parseWinProbability(root['winprobability'], issues);
  const predictor = parsePredictor(root['predictor'], issues);
  const latest = winProbability.at(-1)?.homeWinProb ?? predictor?.homeProb ?? null;
  return {
    value: { eventId: game?.id ?? eventId, game, winProbability, latestHomeWinProb: latest, predictor },
    issues: issues.counts,
  };
}
