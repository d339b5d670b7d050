/**
 * American football as a play-level Markov chain: field position, down and distance, clock,
 * kickoffs, punts, field goals, touchdowns, turnovers and sudden-death overtime (no ties). The
 * same pure `runPlay` drives the live engine and the Monte Carlo that gives its true win
 * probability, so the probability is by construction the engine's own.
 *
 * A play's clock use is drawn before its outcome and independently of it, so the clock an
 * observer sees running during a play says nothing about how the play will end.
 */
import { Rng } from './rng.js';

export interface FootballRules {
  quarterS: number;
  overtimeS: number;
  /** Yard multiplier: home advantage and SD across games. */
  homeEdge: number;
  strengthSd: number;
  elapsedPerClockS: number;
  quarterBreakS: number;
  halftimeS: number;
  /** Monte Carlo paths per win-probability evaluation. */
  monteCarloPaths: number;
}

export const NFL_RULES: Readonly<FootballRules> = Object.freeze({
  quarterS: 900,
  overtimeS: 600,
  homeEdge: 0.035,
  strengthSd: 0.11,
  elapsedPerClockS: 2.7,
  quarterBreakS: 120,
  halftimeS: 780,
  monteCarloPaths: 600,
});

export const NCAAF_RULES: Readonly<FootballRules> = Object.freeze({
  ...NFL_RULES,
  overtimeS: 900,
  homeEdge: 0.05,
  strengthSd: 0.16,
  elapsedPerClockS: 3.0,
  halftimeS: 1200,
});

/** 0 = home, 1 = away (numbers keep the Monte Carlo loop allocation-free). */
export type SideIx = 0 | 1;

export interface FootballState {
  quarter: number;
  clock: number;
  offense: SideIx;
  /** Yards from the offense's own goal line. */
  yard: number;
  down: number;
  toGo: number;
  score: [number, number];
  /** The next play is a kickoff by `kicker`. */
  kickoff: boolean;
  kicker: SideIx;
  /** Team that received the opening kickoff (kicks off the second half). */
  openingReceiver: SideIx;
  over: boolean;
}

export type PlayKind =
  | 'kickoff'
  | 'rush'
  | 'pass'
  | 'incomplete'
  | 'sack'
  | 'turnover'
  | 'punt'
  | 'field_goal'
  | 'missed_field_goal'
  | 'touchdown'
  | 'safety'
  | 'turnover_on_downs';

/** What the last play did, for play-by-play text. Reused, never allocated per play. */
export interface PlayOutcome {
  kind: PlayKind;
  team: SideIx;
  yards: number;
  points: number;
  /** Quarter that ended with this play (0 if none). */
  quarterEnded: number;
}

export function newFootballState(openingReceiver: SideIx, quarterS: number): FootballState {
  return {
    quarter: 1,
    clock: quarterS,
    offense: openingReceiver,
    yard: 30,
    down: 1,
    toGo: 10,
    score: [0, 0],
    kickoff: true,
    kicker: openingReceiver === 0 ? 1 : 0,
    openingReceiver,
    over: false,
  };
}

function cloneState(s: FootballState, into?: FootballState): FootballState {
  const t = into ?? newFootballState(0, 0);
  t.quarter = s.quarter;
  t.clock = s.clock;
  t.offense = s.offense;
  t.yard = s.yard;
  t.down = s.down;
  t.toGo = s.toGo;
  t.score[0] = s.score[0];
  t.score[1] = s.score[1];
  t.kickoff = s.kickoff;
  t.kicker = s.kicker;
  t.openingReceiver = s.openingReceiver;
  t.over = s.over;
  return t;
}

/** Clock seconds the next play will use, drawn independently of its outcome. */
export function drawPlayClock(s: FootballState, rng: Rng): number {
  return s.kickoff ? 5 : 18 + Math.floor(rng.next() * 25);
}

const other = (side: SideIx): SideIx => (side === 0 ? 1 : 0);

function score(s: FootballState, side: SideIx, points: number, out: PlayOutcome): void {
  s.score[side] += points;
  out.points = points;
  // Sudden death: any score in overtime ends it.
  if (s.quarter > 4) s.over = true;
}

function firstDown(s: FootballState): void {
  s.down = 1;
  s.toGo = Math.min(10, 100 - s.yard);
}

function changePossession(s: FootballState, yardForNewOffense: number): void {
  s.offense = other(s.offense);
  s.yard = Math.min(99, Math.max(1, yardForNewOffense));
  firstDown(s);
}

function kickAfterScore(s: FootballState, kicker: SideIx): void {
  s.kickoff = true;
  s.kicker = kicker;
}

function runKickoff(s: FootballState, rng: Rng, out: PlayOutcome): void {
  const receiver = other(s.kicker);
  s.offense = receiver;
  s.yard = rng.next() < 0.6 ? 35 : 20 + Math.floor(rng.next() * 25);
  s.kickoff = false;
  firstDown(s);
  out.kind = 'kickoff';
  out.team = receiver;
  out.yards = s.yard;
}

/** Fourth-down choice: kick a field goal, punt or go for it. */
function fourthDownChoice(s: FootballState): 'fg' | 'punt' | 'go' {
  const ytg = 100 - s.yard;
  const lead = s.score[s.offense] - s.score[other(s.offense)];
  const late = s.quarter >= 4 && s.clock < 300;
  if (late && lead < -3) return 'go';
  if (ytg <= 37 && !(late && lead < -3)) return 'fg';
  if (s.toGo <= 2 && s.yard >= 45) return 'go';
  return 'punt';
}

function fieldGoal(s: FootballState, rng: Rng, out: PlayOutcome): void {
  const distance = 100 - s.yard + 17;
  const p = Math.min(0.99, Math.max(0.25, 1.22 - 0.0115 * distance));
  out.team = s.offense;
  out.yards = distance;
  if (rng.next() < p) {
    out.kind = 'field_goal';
    score(s, s.offense, 3, out);
    kickAfterScore(s, s.offense);
  } else {
    out.kind = 'missed_field_goal';
    changePossession(s, 100 - Math.max(20, s.yard - 7));
  }
}

function punt(s: FootballState, rng: Rng, out: PlayOutcome): void {
  const net = 30 + Math.floor(rng.next() * 19);
  const landing = s.yard + net;
  out.kind = 'punt';
  out.team = s.offense;
  out.yards = net;
  changePossession(s, landing >= 100 ? 20 : 100 - landing);
}

function scrimmage(s: FootballState, m: number, rng: Rng, out: PlayOutcome): void {
  const r = rng.next();
  const offense = s.offense;
  out.team = offense;
  let yards: number;
  if (r < 0.024 * (2 - m)) {
    yards = Math.floor(rng.next() * 11) - 2;
    out.kind = 'turnover';
    out.yards = yards;
    changePossession(s, 100 - Math.min(99, Math.max(1, s.yard + yards)));
    return;
  } else if (r < 0.08) {
    yards = -(4 + Math.floor(rng.next() * 6));
    out.kind = 'sack';
  } else if (r < 0.27) {
    yards = 0;
    out.kind = 'incomplete';
  } else if (rng.next() < 0.1 * m) {
    yards = 15 + Math.floor(rng.next() * 46);
    out.kind = rng.next() < 0.6 ? 'pass' : 'rush';
  } else {
    yards = Math.round(m * (Math.floor(rng.next() * 15) - 1));
    out.kind = rng.next() < 0.5 ? 'pass' : 'rush';
  }
  out.yards = yards;
  s.yard += yards;
  if (s.yard >= 100) {
    out.kind = 'touchdown';
    score(s, offense, rng.next() < 0.94 ? 7 : 6, out);
    kickAfterScore(s, offense);
    return;
  }
  if (s.yard <= 0) {
    out.kind = 'safety';
    out.team = other(offense);
    score(s, other(offense), 2, out);
    kickAfterScore(s, offense);
    return;
  }
  if (yards >= s.toGo) {
    firstDown(s);
  } else if (s.down === 4) {
    out.kind = 'turnover_on_downs';
    changePossession(s, 100 - s.yard);
  } else {
    s.down += 1;
    s.toGo -= yards;
  }
}

function endOfQuarter(s: FootballState, rules: FootballRules, rng: Rng, out: PlayOutcome): void {
  out.quarterEnded = s.quarter;
  const level = s.score[0] === s.score[1];
  if (s.quarter >= 4 && !level) {
    s.over = true;
    return;
  }
  s.quarter += 1;
  if (s.quarter === 3) {
    s.clock = rules.quarterS;
    kickAfterScore(s, s.openingReceiver);
  } else if (s.quarter >= 5) {
    s.clock = rules.overtimeS;
    kickAfterScore(s, rng.next() < 0.5 ? 0 : 1);
  } else {
    s.clock = rules.quarterS;
  }
}

/**
 * Runs one play using `clockUsed` seconds (from drawPlayClock) and updates `s` in place.
 * `m` holds each side's yard multiplier from the hidden strength.
 */
export function runPlay(
  s: FootballState,
  m: readonly [number, number],
  rules: FootballRules,
  rng: Rng,
  clockUsed: number,
  out: PlayOutcome,
): void {
  out.points = 0;
  out.yards = 0;
  out.quarterEnded = 0;
  if (s.kickoff) {
    runKickoff(s, rng, out);
  } else if (s.down === 4 && fourthDownChoice(s) !== 'go') {
    if (fourthDownChoice(s) === 'fg') fieldGoal(s, rng, out);
    else punt(s, rng, out);
  } else {
    scrimmage(s, m[s.offense]!, rng, out);
  }
  if (s.over) return;
  s.clock -= clockUsed;
  if (s.clock <= 0) {
    s.clock = 0;
    endOfQuarter(s, rules, rng, out);
  }
}

const scratchOutcome = (): PlayOutcome => ({ kind: 'rush', team: 0, yards: 0, points: 0, quarterEnded: 0 });

/**
 * P(home wins) from `state` by Monte Carlo over the same process. A fixed seed gives common
 * random numbers across evaluations, so the series moves with the game, not with the noise.
 */
export function footballWinProb(
  state: FootballState,
  m: readonly [number, number],
  rules: FootballRules,
  paths: number,
  seed: number,
): number {
  if (state.over) return state.score[0] > state.score[1] ? 1 : 0;
  const rng = new Rng(seed);
  const s = cloneState(state);
  const out = scratchOutcome();
  let wins = 0;
  for (let i = 0; i < paths; i++) {
    cloneState(state, s);
    for (let guard = 0; !s.over && guard < 5000; guard++) {
      runPlay(s, m, rules, rng, drawPlayClock(s, rng), out);
    }
    if (s.score[0] > s.score[1]) wins += 1;
  }
  return wins / paths;
}

export function yardMultipliers(rules: FootballRules, strength: number): [number, number] {
  const edge = rules.homeEdge + strength * rules.strengthSd;
  return [1 + edge / 2, 1 - edge / 2];
}
