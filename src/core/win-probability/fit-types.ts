/** The shapes of the constants fitted on real games (values: fitted-constants.ts, generated). */
import type { Calibration } from './calibration.js';

export interface NflFit {
  /** SD of the final margin (points per game) of the Brownian margin model. */
  sigma: number;
  /** Home edge (points per game); fitted with a N(2.5, 3^2) prior (eval/winprob-fit-specs.ts). */
  homeEdge: number;
  /** Multiplier on the offense's expected points. */
  epScale: number;
  /** SD of the unknown team strength without a market prior (0: not supported by the data). */
  strengthSd: number;
  calibration: Calibration;
}

export interface NhlFit {
  /** Effective goals per team per 60 minutes (also carries the spread of team strengths). */
  goalsPer60: number;
  /** Log rate ratio of the home side. */
  homeEdge: number;
  powerPlayFactor: number;
  shortHandedFactor: number;
  extraAttackerFactor: number;
  emptyNetFactor: number;
  /** Log rate ratio per shot on goal of difference so far (no market prior only). */
  shotEdge: number;
  calibration: Calibration;
}
