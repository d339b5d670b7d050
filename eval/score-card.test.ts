import { describe, expect, it } from 'vitest';
import { ScoreCard, ThreeWayBrier } from './score-card.js';

describe('score card', () => {
  it('scores a coin flip at Brier 0.25 and log loss ln 2, a sure forecast at 0', () => {
    const coin = new ScoreCard();
    const sure = new ScoreCard();
    for (const y of [0, 1, 1, 0] as const) {
      coin.add(0.5, y);
      sure.add(y, y);
    }
    expect(coin.scores().brier).toBeCloseTo(0.25, 12);
    expect(coin.scores().logLoss).toBeCloseTo(Math.log(2), 12);
    expect(sure.scores().brier).toBe(0);
    expect(sure.scores().logLoss).toBeLessThan(1e-3);
  });

  it('fills ten reliability bins with the mean forecast and the observed rate', () => {
    const card = new ScoreCard();
    card.add(0.05, 0);
    card.add(0.15, 1);
    card.add(0.95, 1);
    card.add(1, 1);
    const bins = card.scores().reliability;
    expect(bins).toHaveLength(10);
    expect(bins[0]).toMatchObject({ n: 1, observed: 0 });
    expect(bins[1]).toMatchObject({ n: 1, observed: 1 });
    expect(bins[9]!.n).toBe(2);
    expect(bins[9]!.meanPredicted).toBeCloseTo(0.975, 12);
    expect(() => card.add(Number.NaN, 1)).toThrow(RangeError);
  });

  it('three-way Brier is 0 for a sure right call and 2 for a sure wrong one', () => {
    const right = new ThreeWayBrier();
    right.add(0, 1, 0, 'draw');
    const wrong = new ThreeWayBrier();
    wrong.add(1, 0, 0, 'away');
    expect(right.value()).toBe(0);
    expect(wrong.value()).toBe(2);
  });
});
