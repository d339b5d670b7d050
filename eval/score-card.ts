/**
 * Scores of probability forecasts against binary outcomes: Brier score, log loss and a
 * reliability table of ten equal-width bins. Probabilities are clamped to
 * [LOG_LOSS_EPS, 1 - LOG_LOSS_EPS] for the log loss only, the same for every model.
 */
export const LOG_LOSS_EPS = 1e-4;
export const BINS = 10;

export interface ReliabilityBin {
  lo: number;
  hi: number;
  n: number;
  meanPredicted: number;
  observed: number;
}

export interface Scores {
  n: number;
  brier: number;
  logLoss: number;
  reliability: ReliabilityBin[];
}

export class ScoreCard {
  private n = 0;
  private brierSum = 0;
  private logLossSum = 0;
  private readonly binN = new Float64Array(BINS);
  private readonly binP = new Float64Array(BINS);
  private readonly binY = new Float64Array(BINS);

  add(p: number, outcome: 0 | 1): void {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`not a probability: ${p}`);
    this.n += 1;
    this.brierSum += (p - outcome) ** 2;
    const q = Math.min(1 - LOG_LOSS_EPS, Math.max(LOG_LOSS_EPS, p));
    this.logLossSum -= outcome === 1 ? Math.log(q) : Math.log(1 - q);
    const b = Math.min(BINS - 1, Math.floor(p * BINS));
    this.binN[b]! += 1;
    this.binP[b]! += p;
    this.binY[b]! += outcome;
  }

  scores(): Scores {
    const reliability: ReliabilityBin[] = [];
    for (let b = 0; b < BINS; b++) {
      const n = this.binN[b]!;
      reliability.push({
        lo: b / BINS,
        hi: (b + 1) / BINS,
        n,
        meanPredicted: n > 0 ? this.binP[b]! / n : NaN,
        observed: n > 0 ? this.binY[b]! / n : NaN,
      });
    }
    return {
      n: this.n,
      brier: this.n > 0 ? this.brierSum / this.n : NaN,
      logLoss: this.n > 0 ? this.logLossSum / this.n : NaN,
      reliability,
    };
  }
}

/** Multi-class Brier score (sum over home/draw/away of squared errors), averaged. */
export class ThreeWayBrier {
  private n = 0;
  private sum = 0;

  add(home: number, draw: number, away: number, result: 'home' | 'draw' | 'away'): void {
    this.n += 1;
    this.sum +=
      (home - (result === 'home' ? 1 : 0)) ** 2 + (draw - (result === 'draw' ? 1 : 0)) ** 2 + (away - (result === 'away' ? 1 : 0)) ** 2;
  }

  value(): number {
    return this.n > 0 ? this.sum / this.n : NaN;
  }
}
