/**
 * Every constant of the win-probability models, in one place. Values describe the real sports
 * (recent seasons), not the simulator, so the models carry over to live games; the README of
 * this folder says where each number comes from and how the models use it.
 */

/** Model outputs stay inside [PROB_FLOOR, 1 - PROB_FLOOR] until the game is final. */
export const PROB_FLOOR = 1e-4;

/** A market prior is trusted inside this range only (a 0.999 pregame price is not information). */
export const PRIOR_MIN = 0.02;
export const PRIOR_MAX = 0.98;

// ---------------------------------------------------------------------------------------------
// Brownian score-margin sports (Stern 1994): final margin ~ N(lead + mu*f, sigma^2 * f), where f
// is the share of regulation time left.

export interface MarginSportConstants {
  /** Regulation periods and their length in seconds. */
  periods: number;
  periodS: number;
  /** Length of one overtime period in seconds. */
  overtimeS: number;
  /** SD of the final home-minus-away margin around its expectation, over a whole game (points). */
  sigma: number;
  /** Expected margin (points) of the home side over a whole game between equal teams. */
  homeEdge: number;
}

export const NBA: Readonly<MarginSportConstants> = Object.freeze({
  periods: 4,
  periodS: 720,
  overtimeS: 300,
  // Residual SD of NBA margins around the closing spread, about 12-13 points.
  sigma: 12.5,
  homeEdge: 2.5,
});

export const NCAAB: Readonly<MarginSportConstants> = Object.freeze({
  periods: 2,
  periodS: 1200,
  overtimeS: 300,
  sigma: 11,
  homeEdge: 3.5,
});

export const NFL: Readonly<MarginSportConstants> = Object.freeze({
  periods: 4,
  periodS: 900,
  overtimeS: 600,
  // Stern 1991: NFL margins around the spread are close to normal with SD about 13.9.
  sigma: 13.5,
  homeEdge: 2.0,
});

/** NFL playoff overtime periods last 15 minutes (regular season: 10). */
export const NFL_POSTSEASON: Readonly<MarginSportConstants> = Object.freeze({ ...NFL, overtimeS: 900 });

export const NCAAF: Readonly<MarginSportConstants> = Object.freeze({
  periods: 4,
  periodS: 900,
  overtimeS: 900,
  sigma: 16,
  homeEdge: 3.0,
});

/** Basketball: the side with the ball gets about half a possession more than the other. */
export const BASKETBALL_POSSESSION_POINTS = 0.55;

/**
 * Football expected points of the offense before a first-and-10, a quadratic in yards to the
 * opponent's goal y (1..99): EP1(y) = a + b*y + c*y^2, fitted to the usual nflscrapR-era curve
 * (own 20: about 0.4, midfield: about 2.2, opponent 20: about 4.5, goal line: about 6.2).
 */
export const FOOTBALL_EP = Object.freeze({
  a: 6.295,
  b: -0.0956,
  c: 0.000274,
  /** Subtracted on later downs (index = down). */
  downPenalty: [0, 0, 0.35, 0.9, 1.6] as readonly number[],
  /** Per yard of distance beyond 10 (negative for short yardage). */
  distancePenalty: 0.05,
  min: -2.5,
  max: 7,
  /** Receiving a kickoff: the touchback line (own 25) on first-and-10. */
  kickoffYardsToGoal: 75,
  /** The clock a drive needs to realise its expected points: value scales down inside it. */
  fullValueHalfS: 90,
  /** Field-goal success: clamp(fgIntercept - fgSlope * kickDistance, fgMin, fgMax). */
  fgIntercept: 1.3,
  fgSlope: 0.012,
  fgMin: 0.3,
  fgMax: 0.99,
  /** Snap-to-goal-post yards added to the line of scrimmage for a kick. */
  fgExtraYards: 17,
  /** A field goal is tried from inside this many yards to the goal. */
  fgRangeYards: 40,
});

// ---------------------------------------------------------------------------------------------
// Poisson sports: goals/runs of each side are Poisson (baseball: negative binomial per half
// inning) with the sides' rates split by a strength s (log rate ratio, home over away):
// rate_home = base * e^(s/2), rate_away = base * e^(-s/2).

export const NHL = Object.freeze({
  periods: 3,
  periodS: 1200,
  /** Regular-season overtime: 5 minutes of 3-on-3 sudden death, then a shootout. */
  overtimeS: 300,
  /** Goals per team per 60 minutes, all strengths (NHL 2022-23: about 3.1). */
  goalsPer60: 3.05,
  /** 3-on-3 overtime scores faster. */
  overtimeRateFactor: 1.8,
  /** Log rate ratio of the home side between equal teams (home teams win about 54%). */
  homeEdge: 0.1,
  /** The shootout leans slightly toward the stronger side: 0.5 + shootoutTilt * s, clamped. */
  shootoutTilt: 0.1,
  shootoutMin: 0.4,
  shootoutMax: 0.6,
  /** Power play (more skaters, both goalies in): rate multipliers. */
  powerPlayFactor: 2.2,
  shortHandedFactor: 0.3,
  /** How long a power play seen now is expected to last (the feed rarely says). */
  powerPlayExpectedS: 70,
  /** Goalie pulled (6 skaters): the attacking side scores faster, the other into an empty net. */
  extraAttackerFactor: 1.8,
  emptyNetFactor: 3.5,
  /** When a side trails late in the third, it is expected to pull its goalie for the last... */
  pullWindowS: [0, 75, 110, 130] as readonly number[],
  /** Seconds of a delayed-penalty pull outside the late window. */
  delayedPullS: 20,
});

const SOCCER_BASE = Object.freeze({
  periods: 2,
  halfS: 2700,
  /** Expected stoppage added to each half (seconds), current seasons. */
  stoppageS: [0, 180, 360] as readonly number[],
  /** A sent-off player: the short side's rate and the other side's rate multiply by these. */
  redCardOwnFactor: 0.7,
  redCardOpponentFactor: 1.25,
});

export const EPL = Object.freeze({ ...SOCCER_BASE, goalsPer90: 1.4, homeEdge: 0.22 });
export const MLS = Object.freeze({ ...SOCCER_BASE, goalsPer90: 1.55, homeEdge: 0.3 });

export const MLB = Object.freeze({
  innings: 9,
  /** Runs per half inning for an average team and the negative-binomial shape (P(0) ~ 0.73). */
  runsPerHalf: 0.49,
  nbShape: 0.36,
  homeEdge: 0.08,
  /** Extra innings start with a runner on second (bases bitmask 0b010). */
  extraInningBases: 0b010,
  /** Runs distributions are truncated here (the tail mass goes to the last cell). */
  maxRuns: 28,
});

/**
 * Run expectancy for the rest of a half inning by (outs, bases) and the probability that at
 * least one more run scores (MLB 2010-2019 averages, Tango's RE24 tables). Bases bitmask:
 * 1 = first, 2 = second, 4 = third.
 */
export const MLB_RUN_EXPECTANCY: readonly (readonly number[])[] = [
  // empty  1B    2B    12    3B    13    23    123
  [0.49, 0.86, 1.1, 1.44, 1.35, 1.78, 1.96, 2.29],
  [0.26, 0.51, 0.66, 0.88, 0.95, 1.14, 1.35, 1.54],
  [0.1, 0.22, 0.32, 0.43, 0.35, 0.49, 0.57, 0.75],
];
export const MLB_SCORING_PROBABILITY: readonly (readonly number[])[] = [
  [0.27, 0.43, 0.62, 0.63, 0.85, 0.87, 0.86, 0.87],
  [0.16, 0.27, 0.41, 0.42, 0.67, 0.64, 0.7, 0.67],
  [0.07, 0.13, 0.22, 0.23, 0.27, 0.29, 0.27, 0.33],
];

/** Unknown sports: a Brownian margin with this SD per game and, without a clock, the prior. */
export const FALLBACK = Object.freeze({
  periods: 4,
  periodS: 900,
  overtimeS: 300,
  sigma: 10,
  homeEdge: 0,
});

/** Grid of strengths for inverting a pregame price into s (Poisson sports). */
export const STRENGTH_GRID = Object.freeze({ min: -5, max: 5, steps: 400 });
