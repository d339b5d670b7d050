/**
 * Signal options: defaults, overrides, validation once, frozen result.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { DEFAULT_FEES } from '../fees.js';
import { DEFAULT_SIGNAL_OPTIONS, resolveSignalOptions } from './signal-options.js';

describe('signal options', () => {
  it('defaults: the core fee schedule, 10% high edge, soccer three-way, NFL tie risk, score change off', () => {
    const o = resolveSignalOptions();
    expect(o.fees).toBe(DEFAULT_FEES);
    expect(o.highEdgeThreshold).toBe(0.1);
    expect(o.threeOutcomeSports).toEqual(['mls', 'epl']);
    expect(o.tieRiskSports).toEqual(['nfl']);
    expect(o.scoreChange.enabled).toBe(false);
    expect(o.model.enabled).toBe(true);
    expect(o).toEqual(DEFAULT_SIGNAL_OPTIONS);
  });

  it('merges nested overrides over the defaults and freezes the result', () => {
    const o = resolveSignalOptions({ arbitrage: { maxContracts: 42 }, model: { minNetEdgeCc: 250 } });
    expect(o.arbitrage.maxContracts).toBe(42);
    expect(o.arbitrage.minProfitCc).toBe(DEFAULT_SIGNAL_OPTIONS.arbitrage.minProfitCc);
    expect(o.model.minNetEdgeCc).toBe(250);
    expect(Object.isFrozen(o) && Object.isFrozen(o.arbitrage) && Object.isFrozen(o.tieRiskSports)).toBe(true);
    expect(() => {
      (o.arbitrage as { maxContracts: number }).maxContracts = 1;
    }).toThrow(TypeError);
  });

  it.each([
    [{ arbitrage: { minProfitCc: 0 } }, 'arbitrage.minProfitCc'],
    [{ arbitrage: { maxContracts: 1.5 } }, 'arbitrage.maxContracts'],
    [{ arbitrage: { maxContracts: 1_000_000 } }, 'arbitrage.maxContracts'],
    [{ model: { minNetEdgeCc: Number.NaN } }, 'model.minNetEdgeCc'],
    [{ model: { minModelProb: 0.9, maxModelProb: 0.1 } }, 'model.minModelProb'],
    [{ model: { minLiquidityContracts: 50, maxContracts: 10 } }, 'model.maxContracts'],
    [{ scoreChange: { enabled: 'yes' as never } }, 'scoreChange.enabled'],
    [{ scoreChange: { minModelMove: 2 } }, 'scoreChange.minModelMove'],
    [{ debounce: { windowUs: -1 } }, 'debounce.windowUs'],
    [{ highEdgeThreshold: Number.POSITIVE_INFINITY }, 'highEdgeThreshold'],
    [{ tieRiskSports: ['cricket' as never] }, 'tieRiskSports'],
    [{ fees: { kalshi: { takerRateBp: -1, makerRateBp: 0, roundingCc: 1 }, poly: DEFAULT_FEES.poly } }, 'fees.kalshi.takerRateBp'],
    [{ fees: { kalshi: DEFAULT_FEES.kalshi } as never }, 'fees.poly'],
  ])('rejects %j naming %s', (overrides, variable) => {
    try {
      resolveSignalOptions(overrides);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).variable).toBe(variable);
      expect((err as ConfigError).code).toBe('ARB_CONFIG_INVALID');
    }
  });
});
