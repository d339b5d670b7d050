/**
 * REFERENCE SYSTEM formulas, for comparison only: the win-probability model of the reference
 * system (rust_core/src/win_prob.rs) re-implemented from its description in
 * reference/reference-system.md section 9.4, constant for constant, including its quirks
 * (logistic links, football down/distance terms applied to whichever side is asked, the
 * basketball volatility and difficulty tables). It is NOT used by arbees; the evaluation
 * scores it on the same states as our models.
 *
 * Inputs are given correctly (soccer clocks included, although the reference's ESPN parser
 * turned "67'" into 0), so the comparison is about the formulas, not its input bugs.
 */

type RefSport = 'NFL' | 'NCAAF' | 'NBA' | 'NCAAB' | 'NHL' | 'MLB' | 'SOCCER';

export interface ReferenceState {
  sport: string;
  homeScore: number;
  awayScore: number;
  period: number;
  /** Seconds left in the current period. */
  timeRemainingS: number;
  possession: 'home' | 'away' | null;
  /** Football: yards to the opponent's goal line, down, distance. */
  yardLine?: number | null;
  down?: number | null;
  yardsToGo?: number | null;
  timeoutsHome?: number;
  timeoutsAway?: number;
  /** The optional pregame blend (never active at the reference's HEAD). */
  pregameHomeProb?: number | null;
}

const sigma = (x: number): number => 1 / (1 + Math.exp(-x));
const logit = (p: number): number => Math.log(p / (1 - p));

function refSport(s: string): RefSport | null {
  switch (s) {
    case 'nfl':
      return 'NFL';
    case 'ncaaf':
      return 'NCAAF';
    case 'nba':
      return 'NBA';
    case 'ncaab':
      return 'NCAAB';
    case 'nhl':
      return 'NHL';
    case 'mlb':
      return 'MLB';
    case 'mls':
    case 'epl':
      return 'SOCCER';
    default:
      return null;
  }
}

/** total_seconds per sport (section 4.1). */
const TOTAL_S: Record<RefSport, number> = { NFL: 3600, NCAAF: 3600, NBA: 2880, NCAAB: 2400, NHL: 3600, MLB: 32400, SOCCER: 5400 };
/** (regulation periods N, period seconds P) used for total_time_remaining. */
const PERIODS: Record<RefSport, [number, number]> = {
  NFL: [4, 900],
  NCAAF: [4, 900],
  NBA: [4, 720],
  NCAAB: [2, 1200],
  NHL: [3, 1200],
  SOCCER: [2, 2700],
  MLB: [9, 0],
};

function totalRemaining(s: ReferenceState, sport: RefSport): number {
  const [n, p] = PERIODS[sport];
  return s.timeRemainingS + Math.max(0, n - s.period) * p;
}

function football(s: ReferenceState, sport: RefSport, forHome: boolean): number {
  const tf = totalRemaining(s, sport) / TOTAL_S[sport];
  const d = forHome ? s.homeScore - s.awayScore : s.awayScore - s.homeScore;
  const vol = 14 * Math.sqrt(tf);
  const ha = (sport === 'NFL' ? 2.5 : 3.0) * Math.sqrt(tf);
  const v = Math.max(vol, 1);
  let l = (d + (forHome ? ha : -ha)) / v;
  const hasBall = s.possession === (forHome ? 'home' : 'away');
  if (hasBall) {
    const yl = s.yardLine ?? null;
    let fv = 2.5;
    if (yl !== null && yl <= 20) fv = 4.0 + (20 - Math.min(yl, 20)) * 0.1;
    else if (yl !== null) fv = 2.5 + (50 - Math.min(yl, 50)) * 0.03;
    l += fv / v;
  }
  if (s.down != null && s.yardsToGo != null) {
    const df = ({ 1: 0, 2: -0.1, 3: -0.3, 4: -0.5 } as Record<number, number>)[s.down] ?? 0;
    const yf = -(s.yardsToGo - 7) * 0.02;
    // Applied to whichever side is asked, regardless of who has the ball (as in the reference).
    l += (df + yf) / v;
  }
  const tv = 0.05 * (1 - tf);
  const adjHome = -(3 - (s.timeoutsHome ?? 3)) * tv;
  const adjAway = -(3 - (s.timeoutsAway ?? 3)) * tv;
  l += forHome ? adjHome - adjAway : adjAway - adjHome;
  return sigma(l);
}

/** The basketball difficulty table: (threshold, base, exponent). */
function difficulty(kind: 'close' | 'moderate' | 'large', crunch: boolean, vlate: boolean, late: boolean): [number, number, number] {
  if (kind === 'close') return crunch ? [0.55, 1.35, 1.0] : [0.6, 1.25, 0.9];
  if (kind === 'moderate') {
    if (crunch) return [0.4, 1.7, 1.3];
    if (vlate) return [0.45, 1.6, 1.2];
    if (late) return [0.5, 1.5, 1.1];
    return [0.55, 1.4, 1.0];
  }
  if (crunch) return [0.35, 2.0, 1.5];
  if (vlate) return [0.4, 1.8, 1.4];
  if (late) return [0.45, 1.7, 1.3];
  return [0.5, 1.5, 1.2];
}

const VOL_FACTOR: Record<'close' | 'moderate' | 'large', [number, number, number, number]> = {
  // crunch, vlate, late, otherwise
  close: [0.85, 0.9, 0.95, 1.0],
  moderate: [0.65, 0.7, 0.8, 1.0],
  large: [0.5, 0.6, 0.7, 1.0],
};

function basketball(s: ReferenceState, sport: RefSport, forHome: boolean): number {
  const r = totalRemaining(s, sport);
  const trp = r / TOTAL_S[sport];
  const haPoints = (sport === 'NBA' ? 3.0 : 4.0) * trp;
  const raw = s.homeScore - s.awayScore;
  const adj = raw + haPoints;
  const sd = forHome ? adj : -adj;
  const poss = trp * 100;
  const a = Math.abs(raw);
  const late = r < 600;
  const vlate = r < 300;
  const crunch = r < 120;
  const closeThr = late ? 3 : 4;
  const modThr = late ? 6 : 8;
  const kind = a <= closeThr ? 'close' : a <= modThr ? 'moderate' : 'large';
  const f = VOL_FACTOR[kind];
  const factor = crunch ? f[0] : vlate ? f[1] : late ? f[2] : f[3];
  const baseVol = Math.sqrt(Math.max(poss, 1)) * 2.2 * factor;
  const trailing = poss / 2;
  const req = trailing > 0.5 && a > 0 ? a / trailing : 0;
  const lf = Math.min(1, Math.max(0, 1 - trp));
  let w: number;
  if (late && kind !== 'close') w = 1.2 + Math.min(a / 12, 0.8) * lf;
  else if (late) w = 1.1 + Math.min(a / 15, 0.4) * lf;
  else w = 1.0 + Math.min(a / 12, 1.0) * (0.25 + 0.75 * lf);
  const [theta, base, k] = difficulty(kind, crunch, vlate, late);
  const dfc = req > theta ? base ** ((req - theta) * k) : 1;
  const minVol = kind === 'close' ? 1.0 : a > 10 ? 0.4 : 0.6;
  const vol = Math.max(baseVol / dfc, minVol);
  let pv = 1.0;
  if (crunch && sd > 0) pv = 2.0;
  else if (vlate && sd > 0) pv = 1.7;
  else if (late && sd > 0) pv = 1.3;
  const hasBall = s.possession === (forHome ? 'home' : 'away');
  return sigma((sd * w + (hasBall ? pv : 0)) / vol);
}

function hockey(s: ReferenceState, forHome: boolean): number {
  const tf = totalRemaining(s, 'NHL') / TOTAL_S.NHL;
  const d = forHome ? s.homeScore - s.awayScore : s.awayScore - s.homeScore;
  const g = tf < 0.33 ? 0.7 : tf < 0.5 ? 0.85 : 1.0;
  const vol = 1.2 * Math.sqrt(tf) * g;
  return sigma((d + (forHome ? 0.1 : -0.1)) / Math.max(vol, 0.3));
}

function baseball(s: ReferenceState, forHome: boolean): number {
  const d = forHome ? s.homeScore - s.awayScore : s.awayScore - s.homeScore;
  const ir = Math.max(9 - s.period, 0);
  const bottom = s.possession === 'home';
  const runs = ir * 0.5 + (bottom && forHome ? 0.25 : 0);
  const vol = Math.max(2 * runs, 0.5);
  const homeAdj = forHome && ir <= 1 ? 0.1 : 0;
  return sigma((d + homeAdj) / vol);
}

function soccer(s: ReferenceState, forHome: boolean): number {
  const tf = totalRemaining(s, 'SOCCER') / TOTAL_S.SOCCER;
  const d = forHome ? s.homeScore - s.awayScore : s.awayScore - s.homeScore;
  const vol = 1.5 * Math.sqrt(tf);
  return sigma((d + (forHome ? 0.4 : -0.4)) / Math.max(vol, 0.3));
}

/** The reference's live win probability for one side (no pregame blend). */
export function referenceWinProb(s: ReferenceState, forHome = true): number {
  const sport = refSport(s.sport);
  if (sport === null) {
    const d = forHome ? s.homeScore - s.awayScore : s.awayScore - s.homeScore;
    return sigma(d / 3); // Tennis/MMA branch: sigma(d/3).
  }
  switch (sport) {
    case 'NFL':
    case 'NCAAF':
      return football(s, sport, forHome);
    case 'NBA':
    case 'NCAAB':
      return basketball(s, sport, forHome);
    case 'NHL':
      return hockey(s, forHome);
    case 'MLB':
      return baseball(s, forHome);
    case 'SOCCER':
      return soccer(s, forHome);
  }
}

/**
 * The reference's optional pregame log-odds blend: weight 0.5*e^(-2.5*progress) on the prior.
 * Inactive at its HEAD (the shard passes no prior); used here to show what the blend alone buys.
 */
export function referenceWithBlend(s: ReferenceState): number {
  const live = referenceWinProb(s, true);
  const prior = s.pregameHomeProb;
  const sport = refSport(s.sport);
  if (prior == null || sport === null) return live;
  const pre = Math.min(0.99, Math.max(0.01, prior));
  const t = TOTAL_S[sport];
  const progress = Math.min(1, Math.max(0, (t - totalRemaining(s, sport)) / t));
  const w = 0.5 * Math.exp(-2.5 * progress);
  const pLive = Math.min(1 - 1e-12, Math.max(1e-12, live));
  return sigma(w * logit(pre) + (1 - w) * logit(pLive));
}
