/**
 * Team matching: does a venue's text (a title, an outcome label, a subtitle, a ticker suffix)
 * name a given ESPN team? Pure functions, sport-aware, built on the catalogue in
 * team-aliases.ts.
 *
 * The rule is to reject rather than guess. Every phrase a team can be named by (full name,
 * nickname, "Los Angeles L", mascot, abbreviation, city) is indexed per league; a phrase that
 * belongs to two teams of the league ("New York" in the NFL, "Manchester" in the EPL,
 * "Tigers" in college football) names neither on its own. The longest phrase found wins, so
 * "New York Rangers" is the Rangers and never "New York" plus something. A city followed by a
 * word that makes it another school ("Michigan State", "Western Kentucky") or another club
 * ("Houston Texans" when an NBA team is wanted) is recognised as naming someone else.
 *
 * Two questions are answered:
 *  - matchTeam: does this text name this team, standing alone? (City names shared within the
 *    league and college mascots never suffice.)
 *  - resolveOutcome / resolveTeamCode: given a game, which ONE of its two teams (or the draw)
 *    does this contract label or code pay on? Here a league-shared city is enough when only one
 *    of the game's teams has it ("Los Angeles" in Lakers at Celtics), but a label naming both
 *    teams, neither, or a team not in the game is rejected.
 */
import { EXTRA_COLLEGE_MASCOTS, LEAGUE_KIND, TEAM_ALIASES, type TeamAliasEntry } from './team-aliases.js';
import type { Sport } from './topics.js';

/** A team as ESPN names it (the shape of TeamSchema in messages.ts). */
export interface TeamRef {
  name: string;
  abbr: string;
}

export type MatchMethod = 'full_name' | 'alias' | 'city_initial' | 'abbreviation' | 'mascot' | 'city' | 'city_in_game';

export type TeamMatch =
  | { matched: true; confidence: number; method: MatchMethod; phrase: string }
  | { matched: false; confidence: 0; method: 'none'; reason: string };

export type GameOutcome = 'home' | 'away' | 'draw';

export type OutcomeMatch =
  | { matched: true; outcome: GameOutcome; confidence: number; method: MatchMethod | 'draw'; phrase: string }
  | { matched: false; outcome: null; confidence: 0; method: 'none'; reason: string; foreign: boolean };

const CONFIDENCE: Readonly<Record<MatchMethod, number>> = Object.freeze({
  full_name: 1,
  alias: 0.95,
  city_initial: 0.92,
  abbreviation: 0.9,
  mascot: 0.9,
  city: 0.85,
  /** A league-shared city that only one of the game's teams has. */
  city_in_game: 0.8,
});

/** Words that never name a team by themselves. */
const GENERIC = new Set([
  'the', 'fc', 'sc', 'cf', 'afc', 'united', 'utd', 'city', 'club', 'team', 'state', 'st', 'university', 'college', 'of',
  'and', 'vs', 'v', 'at', 'real', 'inter', 'athletic', 'los', 'san', 'new', 'las', 'north', 'south', 'east', 'west',
  'win', 'winner', 'will', 'yes', 'no',
]);

/** Uppercase codes that are also English words: they name a team only as the whole text. */
export const CODE_STOPLIST: ReadonlySet<string> = new Set(['NO', 'ON', 'AT', 'TO', 'IN', 'OR', 'US', 'IT', 'IS', 'BE', 'AN', 'AS', 'BY', 'IF', 'OF', 'SO', 'UP', 'WE', 'NEW', 'NOT', 'ALL', 'WIN', 'FOR', 'THE', 'YES', 'CAN', 'OUT']);

/** A word after a school or city name that makes it another institution. */
const FOLLOWING_QUALIFIERS = new Set([
  'state', 'st', 'tech', 'am', 'christian', 'southern', 'northern', 'eastern', 'western', 'central', 'international',
  'baptist', 'poly', 'methodist', 'atlantic', 'gulf', 'fort', 'oh', 'city', 'southeastern', 'northwestern', 'upstate',
  'aandm', 'aandt', 'wilmington', 'asheville', 'greensboro', 'pembroke', 'charlotte', 'omaha', 'kearney', 'el', 'arlington',
  'martin', 'tyler', 'rio', 'corpus', 'fullerton', 'northridge', 'bakersfield', 'davis', 'irvine', 'riverside', 'chattanooga',
  'lafayette', 'monroe', 'permian', 'commerce', 'stanislaus', 'pomona', 'dominguez', 'beach',
]);
/** A word before a school or city name that makes it another institution. */
const PRECEDING_QUALIFIERS = new Set(['north', 'south', 'east', 'west', 'northern', 'southern', 'eastern', 'western', 'central', 'ut', 'cal']);

const DRAW_WORDS = new Set(['draw', 'tie', 'tied', 'drawn']);
const DRAW_CODES = new Set(['TIE', 'DRAW', 'D', 'X']);

// ---------------------------------------------------------------------------------------------
// Normalisation.

interface Tokens {
  /** As written, accents and punctuation removed: abbreviations are matched case-sensitively here. */
  raw: string[];
  /** Lowercased, "saint" as "st": everything else is matched here. */
  lower: string[];
}

function tokenize(text: string): Tokens {
  let s = text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  s = s.replace(/\b([A-Za-z])\s*&\s*([A-Za-z])\b/g, '$1and$2'); // Texas A&M -> Texas AandM, one word
  s = s.replace(/([A-Z])&([A-Z])/g, '$1$2'); // the code TA&M -> TAM
  s = s.replace(/&/g, ' and ');
  s = s.replace(/['\u2018\u2019`\u00b4.]/g, ''); // St. Louis -> St Louis, D.C. -> DC
  const raw = s.split(/[^A-Za-z0-9]+/).filter((t) => t.length > 0);
  const lower = raw.map((t) => {
    const l = t.toLowerCase();
    return l === 'saint' ? 'st' : l;
  });
  return { raw, lower };
}

/** Lowercase, no accents or punctuation, single spaces: "St. Louis Blues" -> "st louis blues". */
export function normalizeTeamText(text: string): string {
  return tokenize(text).lower.join(' ');
}

/** A venue code as compared: uppercase letters and digits only ("TA&M" -> "TAM"). */
export function cleanCode(code: string): string {
  return code.normalize('NFKD').toUpperCase().replace(/[^A-Z0-9]/g, '');
}

// ---------------------------------------------------------------------------------------------
// Team profiles and the phrase index.

interface TeamProfile {
  readonly key: string;
  readonly sport: Sport;
  readonly name: string;
  readonly abbr: string;
  readonly codes: ReadonlySet<string>;
  /** Normalized mascot and alias phrases: a city followed by one of these is still this team. */
  readonly own: ReadonlySet<string>;
  /** Normalized cities: a mascot after one of these is still this team. */
  readonly cities: ReadonlySet<string>;
  readonly entry: TeamAliasEntry | null;
}

interface Phrase {
  readonly tokens: readonly string[];
  readonly team: TeamProfile;
  readonly method: MatchMethod;
  readonly confidence: number;
  /** Compared against the raw (case-kept) token: abbreviations must be written in capitals. */
  readonly code: boolean;
  /** Names the team only when the game is known (college and soccer mascots, unknown teams' mascots). */
  readonly contextOnly: boolean;
}

type PhraseIndex = ReadonlyMap<string, readonly Phrase[]>;

interface League {
  readonly sport: Sport;
  readonly teams: readonly TeamProfile[];
  readonly index: PhraseIndex;
}

const words = (s: string): string[] => tokenize(s).lower;
const isGeneric = (tokens: readonly string[]): boolean => tokens.length === 0 || tokens.every((t) => GENERIC.has(t));

/** Mascots of every league, for recognising "<city> <somebody else's mascot>". */
const MASCOT_INDEX: ReadonlyMap<string, readonly (readonly string[])[]> = (() => {
  const all = new Set<string>();
  for (const entries of Object.values(TEAM_ALIASES)) for (const e of entries) if (e.mascot) all.add(normalizeTeamText(e.mascot));
  for (const m of EXTRA_COLLEGE_MASCOTS) all.add(normalizeTeamText(m));
  const index = new Map<string, (readonly string[])[]>();
  for (const m of all) {
    const t = m.split(' ');
    if (isGeneric(t)) continue;
    const list = index.get(t[0]!) ?? [];
    list.push(t);
    index.set(t[0]!, list);
  }
  return index;
})();

/** Cities and schools of every league, for recognising "<somebody else's city> <mascot>". */
const CITY_SET: ReadonlySet<string> = (() => {
  const all = new Set<string>();
  for (const entries of Object.values(TEAM_ALIASES)) for (const e of entries) for (const c of e.cities) all.add(normalizeTeamText(c));
  return all;
})();
const MAX_CITY_WORDS = 4;

function entryProfile(e: TeamAliasEntry): TeamProfile {
  const own = new Set<string>();
  if (e.mascot) own.add(normalizeTeamText(e.mascot));
  for (const a of e.aliases) own.add(normalizeTeamText(a));
  return Object.freeze({
    key: `${e.sport}:${e.abbr}`,
    sport: e.sport,
    name: e.name,
    abbr: e.abbr,
    codes: new Set([e.abbr, ...e.codes].map(cleanCode).filter((c) => c.length > 0)),
    own,
    cities: new Set(e.cities.map(normalizeTeamText)),
    entry: e,
  });
}

function entryPhrases(p: TeamProfile, e: TeamAliasEntry): Phrase[] {
  const kind = LEAGUE_KIND[e.sport];
  const out: Phrase[] = [];
  const add = (text: string, method: MatchMethod, contextOnly = false) => {
    const tokens = words(text);
    if (!isGeneric(tokens)) out.push({ tokens, team: p, method, confidence: CONFIDENCE[method], code: false, contextOnly });
  };
  add(e.name, 'full_name');
  for (const alias of e.aliases) add(alias, 'alias');
  for (const city of e.cities) {
    add(city, 'city');
    if (!e.mascot) continue;
    add(`${city} ${e.mascot}`, 'full_name');
    // Kalshi's "Los Angeles L" / "New York J": pro and soccer only, where the catalogue is whole.
    if (kind !== 'college' && /^[A-Za-z]/.test(e.mascot)) add(`${city} ${e.mascot[0]}`, 'city_initial');
  }
  // College mascots are shared by dozens of schools (the catalogue is not all of them); a
  // mascot that only one program uses is listed among its aliases instead.
  if (e.mascot) add(e.mascot, 'mascot', kind === 'college');
  for (const code of p.codes) out.push(codePhrase(p, code));
  return out;
}

function codePhrase(team: TeamProfile, code: string): Phrase {
  return { tokens: [code.toLowerCase()], team, method: 'abbreviation', confidence: CONFIDENCE.abbreviation, code: true, contextOnly: false };
}

function buildIndex(phrases: readonly Phrase[]): PhraseIndex {
  const index = new Map<string, Phrase[]>();
  const seen = new Set<string>();
  for (const ph of phrases) {
    const id = `${ph.team.key}|${ph.code ? 'C' : 'P'}|${ph.tokens.join(' ')}`;
    if (seen.has(id)) continue; // the first (strongest) wording of a phrase wins
    seen.add(id);
    const list = index.get(ph.tokens[0]!) ?? [];
    list.push(ph);
    index.set(ph.tokens[0]!, list);
  }
  return index;
}

const leagues = new Map<Sport, League>();

function league(sport: Sport): League {
  let l = leagues.get(sport);
  if (l === undefined) {
    const entries = TEAM_ALIASES[sport];
    const teams = entries.map(entryProfile);
    // Strongest phrases first so the dedupe in buildIndex keeps them.
    const phrases = teams.flatMap((t, i) => entryPhrases(t, entries[i]!)).sort((a, b) => b.confidence - a.confidence);
    l = Object.freeze({ sport, teams, index: buildIndex(phrases) });
    leagues.set(sport, l);
  }
  return l;
}

/** The catalogue entry ESPN's name and abbreviation refer to, or null when the team is not catalogued. */
export function findCatalogTeam(sport: Sport, ref: TeamRef): TeamAliasEntry | null {
  return catalogProfile(sport, ref)?.entry ?? null;
}

function catalogProfile(sport: Sport, ref: TeamRef): TeamProfile | null {
  const l = league(sport);
  const name = normalizeTeamText(ref.name);
  const byName = l.teams.filter((t) => fullNames(t).has(name));
  if (byName.length === 1) return byName[0]!;
  const code = cleanCode(ref.abbr);
  const byAbbr = l.teams.filter((t) => t.codes.has(code));
  if (byAbbr.length === 1) {
    // Trust the abbreviation only if the name does not contradict it.
    const m = matchAgainst(l, [], byAbbr[0]!, ref.name);
    if (m.matched) return byAbbr[0]!;
  }
  return null;
}

const fullNameCache = new WeakMap<TeamProfile, ReadonlySet<string>>();

function fullNames(t: TeamProfile): ReadonlySet<string> {
  let out = fullNameCache.get(t);
  if (out === undefined) {
    const e = t.entry!;
    const names = new Set([normalizeTeamText(e.name), ...e.aliases.map(normalizeTeamText)]);
    if (e.mascot) for (const c of e.cities) names.add(normalizeTeamText(`${c} ${e.mascot}`));
    out = names;
    fullNameCache.set(t, out);
  }
  return out;
}

/** A team ESPN sent that the catalogue does not have: named by its full name and abbreviation, and
 *  by school/city and mascot when the name ends in a known mascot. */
function adHocProfile(sport: Sport, ref: TeamRef): { profile: TeamProfile; phrases: Phrase[] } {
  const tokens = words(ref.name);
  let mascot: readonly string[] | null = null;
  for (let i = 1; i < tokens.length && mascot === null; i++) {
    const tail = tokens.slice(i);
    if ((MASCOT_INDEX.get(tail[0]!) ?? []).some((m) => m.join(' ') === tail.join(' '))) mascot = tail;
  }
  const code = cleanCode(ref.abbr);
  const profile: TeamProfile = Object.freeze({
    key: `${sport}:adhoc:${tokens.join('-')}`,
    sport,
    name: ref.name,
    abbr: ref.abbr,
    codes: new Set(code ? [code] : []),
    own: new Set(mascot ? [mascot.join(' ')] : []),
    cities: new Set(mascot && tokens.length > mascot.length ? [tokens.slice(0, tokens.length - mascot.length).join(' ')] : []),
    entry: null,
  });
  const phrases: Phrase[] = [];
  if (!isGeneric(tokens)) phrases.push({ tokens, team: profile, method: 'full_name', confidence: CONFIDENCE.full_name, code: false, contextOnly: false });
  if (mascot !== null) {
    const city = tokens.slice(0, tokens.length - mascot.length);
    if (!isGeneric(city)) phrases.push({ tokens: city, team: profile, method: 'city', confidence: CONFIDENCE.city, code: false, contextOnly: false });
    if (!isGeneric(mascot)) phrases.push({ tokens: mascot, team: profile, method: 'mascot', confidence: CONFIDENCE.mascot, code: false, contextOnly: true });
  }
  if (code) phrases.push(codePhrase(profile, code));
  return { profile, phrases };
}

interface Resolved {
  league: League;
  extra: PhraseIndex[];
  profiles: TeamProfile[];
}

function resolveTeams(sport: Sport, refs: readonly TeamRef[]): Resolved {
  const l = league(sport);
  const extraPhrases: Phrase[] = [];
  const profiles = refs.map((ref) => {
    const known = catalogProfile(sport, ref);
    if (known !== null) return known;
    const adHoc = adHocProfile(sport, ref);
    extraPhrases.push(...adHoc.phrases);
    return adHoc.profile;
  });
  return { league: l, extra: extraPhrases.length > 0 ? [buildIndex(extraPhrases)] : [], profiles };
}

// ---------------------------------------------------------------------------------------------
// Scanning a text.

interface Group {
  start: number;
  end: number;
  text: string;
  /** Team key -> the strongest phrase naming it on this span. */
  teams: Map<string, Phrase>;
  /** Teams whose city starts this span but which the span as a whole does not name. */
  foreignOf: Set<string>;
}

function scan(text: string, indexes: readonly PhraseIndex[]): Group[] {
  const { raw, lower } = tokenize(text);
  const groups = new Map<string, Group>();
  const group = (start: number, end: number): Group => {
    const id = `${start}:${end}`;
    let g = groups.get(id);
    if (g === undefined) {
      g = { start, end, text: raw.slice(start, end).join(' '), teams: new Map(), foreignOf: new Set() };
      groups.set(id, g);
    }
    return g;
  };
  for (let i = 0; i < lower.length; i++) {
    for (const index of indexes) {
      for (const ph of index.get(lower[i]!) ?? []) {
        if (!phraseAt(ph, raw, lower, i)) continue;
        const end = i + ph.tokens.length;
        const foreignEnd = foreignSpan(ph, lower, i, end);
        if (foreignEnd !== null) {
          group(Math.min(i, foreignEnd.start), foreignEnd.end).foreignOf.add(ph.team.key);
          continue;
        }
        const g = group(i, end);
        const prev = g.teams.get(ph.team.key);
        if (prev === undefined || prev.confidence < ph.confidence) g.teams.set(ph.team.key, ph);
      }
    }
  }
  return pickLongest([...groups.values()]);
}

function phraseAt(ph: Phrase, raw: readonly string[], lower: readonly string[], i: number): boolean {
  if (i + ph.tokens.length > lower.length) return false;
  if (ph.code) {
    const code = ph.tokens[0]!.toUpperCase();
    // "NO" or "AT" in a text is the English word; those codes are only read by resolveTeamCode.
    if (CODE_STOPLIST.has(code)) return false;
    return raw[i] === code;
  }
  for (let k = 0; k < ph.tokens.length; k++) if (lower[i + k] !== ph.tokens[k]) return false;
  return true;
}

function foreignSpan(ph: Phrase, lower: readonly string[], start: number, end: number): { start: number; end: number } | null {
  switch (ph.method) {
    case 'city':
    case 'abbreviation':
      return qualifiedEnd(ph, lower, start, end);
    case 'alias':
      return qualifiedEnd(ph, lower, start, end) ?? otherCityStart(ph, lower, start, end);
    case 'mascot':
      return otherCityStart(ph, lower, start, end);
    default:
      return null;
  }
}

/** The span of a city/alias that is really part of another name, or null when it stands as it is. */
function qualifiedEnd(ph: Phrase, lower: readonly string[], start: number, end: number): { start: number; end: number } | null {
  const next = lower[end];
  if (next !== undefined && FOLLOWING_QUALIFIERS.has(next)) return { start, end: end + 1 };
  if (ph.method === 'abbreviation') return null;
  const before = lower[start - 1];
  if (before !== undefined && PRECEDING_QUALIFIERS.has(before)) return { start: start - 1, end };
  if (ph.method !== 'city' || next === undefined) return null;
  for (const m of MASCOT_INDEX.get(next) ?? []) {
    if (end + m.length > lower.length) continue;
    if (!m.every((t, k) => lower[end + k] === t)) continue;
    if (!ph.team.own.has(m.join(' '))) return { start, end: end + m.length };
  }
  return null;
}

/** "Florida Panthers" when the NFL's Panthers are wanted: a mascot after another team's city. */
function otherCityStart(ph: Phrase, lower: readonly string[], start: number, end: number): { start: number; end: number } | null {
  for (let n = Math.min(MAX_CITY_WORDS, start); n >= 1; n--) {
    const city = lower.slice(start - n, start).join(' ');
    if (CITY_SET.has(city) && !ph.team.cities.has(city)) return { start: start - n, end };
  }
  return null;
}

/** Non-overlapping groups, longest first: "New York Rangers" beats "New York" and "Rangers". */
function pickLongest(groups: Group[]): Group[] {
  const score = (g: Group) => Math.max(0, ...[...g.teams.values()].map((p) => p.confidence));
  groups.sort((a, b) => b.end - b.start - (a.end - a.start) || (b.teams.size > 0 ? 1 : 0) - (a.teams.size > 0 ? 1 : 0) || score(b) - score(a) || a.start - b.start);
  const taken: Group[] = [];
  for (const g of groups) if (!taken.some((t) => g.start < t.end && t.start < g.end)) taken.push(g);
  return taken.sort((a, b) => a.start - b.start);
}

const teamNames = (l: League, extra: readonly TeamProfile[], keys: Iterable<string>): string =>
  [...keys].map((k) => [...extra, ...l.teams].find((t) => t.key === k)?.name ?? k).join(', ');

// ---------------------------------------------------------------------------------------------
// Public questions.

/**
 * Does `text` name `team` on its own? Other teams may be named too (a game title names both).
 * Rejected when the only mention is shared with another team of the league, is a college
 * mascot, or is part of another team's name.
 */
export function matchTeam(team: TeamRef, text: string, sport: Sport): TeamMatch {
  const r = resolveTeams(sport, [team]);
  return matchAgainst(r.league, r.extra, r.profiles[0]!, text);
}

function matchAgainst(l: League, extra: readonly PhraseIndex[], target: TeamProfile, text: string): TeamMatch {
  const groups = scan(text, [l.index, ...extra]);
  let best: Phrase | null = null;
  let contextOnly: Phrase | null = null;
  let shared: Group | null = null;
  let foreign: Group | null = null;
  for (const g of groups) {
    const ph = g.teams.get(target.key);
    if (ph !== undefined && g.teams.size === 1) {
      if (ph.contextOnly) contextOnly ??= ph;
      else if (best === null || ph.confidence > best.confidence) best = ph;
    } else if (ph !== undefined) {
      shared ??= g;
    } else if (g.foreignOf.has(target.key)) {
      foreign ??= g;
    }
  }
  if (best !== null) return { matched: true, confidence: best.confidence, method: best.method, phrase: best.tokens.join(' ') };
  const others = groups.filter((g) => g.teams.size > 0 && !g.teams.has(target.key)).flatMap((g) => [...g.teams.keys()]);
  const extraTeams = [target];
  let reason: string;
  if (shared !== null) reason = `"${shared.text}" is shared by ${teamNames(l, extraTeams, shared.teams.keys())} in ${l.sport}`;
  else if (contextOnly !== null) reason = `"${contextOnly.tokens.join(' ')}" alone does not identify ${target.name} in ${l.sport}`;
  else if (foreign !== null) reason = `"${foreign.text}" names a different team than ${target.name}`;
  else if (others.length > 0) reason = `names ${teamNames(l, extraTeams, new Set(others))}, not ${target.name}`;
  else reason = `no mention of ${target.name}`;
  return { matched: false, confidence: 0, method: 'none', reason };
}

/** Both teams of a game named in one text (an event title); confidence is the weaker of the two. */
export function matchGame(home: TeamRef, away: TeamRef, text: string, sport: Sport): TeamMatch {
  const h = matchTeam(home, text, sport);
  if (!h.matched) return h;
  const a = matchTeam(away, text, sport);
  if (!a.matched) return a;
  return h.confidence <= a.confidence ? h : a;
}

export interface GameTeams {
  sport: Sport;
  home: TeamRef;
  away: TeamRef;
  /** Whether a draw is a possible result (soccer). */
  draws: boolean;
}

function rejectOutcome(reason: string, foreign = false): OutcomeMatch {
  return { matched: false, outcome: null, confidence: 0, method: 'none', reason, foreign };
}

/**
 * Which result of `game` a contract labelled `label` pays on: an outcome label ("Lakers"), a
 * Kalshi yes_sub_title ("Los Angeles L"), or a Yes/No question ("Will Arsenal win on ...?",
 * "Will Arsenal vs. Chelsea end in a draw?").
 */
export function resolveOutcome(label: string, game: GameTeams): OutcomeMatch {
  const r = resolveTeams(game.sport, [game.home, game.away]);
  const [home, away] = r.profiles as [TeamProfile, TeamProfile];
  if (home.key === away.key) return rejectOutcome(`home and away are the same team (${home.name})`);
  const sideOf = (key: string): 'home' | 'away' | null => (key === home.key ? 'home' : key === away.key ? 'away' : null);
  const groups = scan(label, [r.league.index, ...r.extra]);
  const votes = new Map<'home' | 'away', { confidence: number; method: MatchMethod; phrase: string }>();
  const foreign: string[] = [];
  let both: Group | null = null;
  let qualified: Group | null = null;
  for (const g of groups) {
    const sides = [...g.teams.keys()].map(sideOf).filter((s): s is 'home' | 'away' => s !== null);
    if (sides.length === 1) {
      const ph = g.teams.get(sides[0] === 'home' ? home.key : away.key)!;
      const vote = g.teams.size > 1
        ? { confidence: Math.min(ph.confidence, CONFIDENCE.city_in_game), method: 'city_in_game' as const, phrase: g.text }
        : { confidence: ph.confidence, method: ph.method, phrase: g.text };
      const prev = votes.get(sides[0]!);
      if (prev === undefined || prev.confidence < vote.confidence) votes.set(sides[0]!, vote);
    } else if (sides.length === 2) {
      both ??= g;
    } else if (g.teams.size > 0) {
      foreign.push(teamNames(r.league, r.profiles, g.teams.keys()));
    } else if (g.foreignOf.has(home.key) || g.foreignOf.has(away.key)) {
      qualified ??= g;
    }
  }
  const { lower } = tokenize(label);
  const drawWord = lower.some((t) => DRAW_WORDS.has(t));
  if (foreign.length > 0) return rejectOutcome(`"${label}" names ${foreign.join(' and ')}, not a team of this game`, true);
  if (drawWord) {
    if (!game.draws) return rejectOutcome(`"${label}" is a draw contract but ${game.sport} games have no draw`);
    if (votes.size === 1) return rejectOutcome(`"${label}" names one team and a draw (a double-chance contract?)`);
    return { matched: true, outcome: 'draw', confidence: 1, method: 'draw', phrase: lower.find((t) => DRAW_WORDS.has(t))! };
  }
  if (votes.size === 2) return rejectOutcome(`"${label}" names both teams`);
  const [only] = [...votes];
  if (only !== undefined) return { matched: true, outcome: only[0], ...only[1] };
  if (both !== null) return rejectOutcome(`"${both.text}" fits both ${home.name} and ${away.name}`);
  if (qualified !== null) return rejectOutcome(`"${qualified.text}" names a different team`, true);
  return rejectOutcome(`"${label}" names neither ${home.name} nor ${away.name}`);
}

/**
 * Which result a venue's team code pays on (the suffix of a Kalshi ticker: "LAL", "GSW",
 * "TIE"). Known venue spellings of each team's abbreviation are accepted.
 */
export function resolveTeamCode(code: string, game: GameTeams): OutcomeMatch {
  const c = cleanCode(code);
  if (c.length === 0) return rejectOutcome('empty team code');
  if (DRAW_CODES.has(c)) {
    return game.draws
      ? { matched: true, outcome: 'draw', confidence: 1, method: 'draw', phrase: c }
      : rejectOutcome(`code ${c} is a draw but ${game.sport} games have no draw`);
  }
  const r = resolveTeams(game.sport, [game.home, game.away]);
  const [home, away] = r.profiles as [TeamProfile, TeamProfile];
  const inHome = home.codes.has(c);
  const inAway = away.codes.has(c);
  if (inHome && inAway) return rejectOutcome(`code ${c} fits both ${home.name} and ${away.name}`);
  if (inHome || inAway) {
    return { matched: true, outcome: inHome ? 'home' : 'away', confidence: CONFIDENCE.abbreviation, method: 'abbreviation', phrase: c };
  }
  const other = r.league.teams.find((t) => t.codes.has(c));
  if (other !== undefined) return rejectOutcome(`code ${c} is ${other.name}, not a team of this game`, true);
  return rejectOutcome(`code ${c} is not a known code of ${home.name} or ${away.name}`);
}
