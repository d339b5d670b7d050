import { describe, expect, it } from 'vitest';
import type { ExitSignal } from '../../core/messages.js';
import { resolveExitOptions } from '../../core/positions/exit-options.js';
import type { PositionSnapshot } from '../../core/positions/position-book.js';
import { ExitMonitor, type ExitInputs } from './exit-monitor.js';

const T0 = 1_760_000_000_000_000;
const S = 1_000_000;
const rules = resolveExitOptions({ all: { minHoldUs: 0 } });

const position: PositionSnapshot = {
  positionId: 'kalshi:KX:yes:1', venue: 'kalshi', marketId: 'KX', side: 'yes', gameId: 'g1', sport: 'nba', team: null, state: 'open',
  contracts: 10, costCc: 50_000, openFeesCc: 0, realisedCc: 0, feesPaidCc: 0, boughtContracts: 10, boughtCostCc: 50_000, openedUs: T0, updatedUs: T0,
};

const up = (now: number): ExitInputs => ({ top: { yesBid: 0.58, yesAsk: 0.59 }, quoteUs: now, modelYesProb: null, secondsToEnd: null, gameFinal: false, hedged: false });

function monitor(confirmChecks = 1, accept = true): { m: ExitMonitor; sent: ExitSignal[] } {
  const sent: ExitSignal[] = [];
  const m = new ExitMonitor({ rules, ttlUs: 5 * S, confirmChecks }, (s) => (accept ? (sent.push(s), true) : false));
  return { m, sent };
}

describe('exit monitor: one exit per position in flight', () => {
  it('sends one signal per position until it expires, then one more', () => {
    const { m, sent } = monitor();
    for (let i = 0; i < 10; i++) m.check(position, up(T0 + i * S), T0 + i * 100_000);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ reason: 'take_profit', position_id: position.positionId, contracts: 10, expires_ts: T0 + 5 * S });
    m.check(position, up(T0 + 6 * S), T0 + 6 * S);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.exit_id).not.toBe(sent[0]!.exit_id);
    expect(m.counters).toMatchObject({ exits_take_profit: 2, exits_expired: 1, exits_in_flight_suppressed: 9 });
  });

  it('a filled exit frees the position at once; a rejected one keeps it quiet until expiry', () => {
    const { m, sent } = monitor();
    m.check(position, up(T0), T0);
    m.onExitTrade(sent[0]!.exit_id, false);
    m.check(position, up(T0), T0 + S);
    expect(sent).toHaveLength(1);
    m.onExitTrade(sent[0]!.exit_id, true);
    m.check(position, up(T0), T0 + S);
    expect(sent).toHaveLength(2);
  });

  it('waits for the configured number of consecutive checks; a hold resets the count', () => {
    const { m, sent } = monitor(3);
    const flat: ExitInputs = { ...up(T0), top: { yesBid: 0.5, yesAsk: 0.51 } };
    m.check(position, up(T0), T0);
    m.check(position, up(T0), T0);
    m.check(position, flat, T0);
    m.check(position, up(T0), T0);
    m.check(position, up(T0), T0);
    expect(sent).toHaveLength(0);
    m.check(position, up(T0), T0);
    expect(sent).toHaveLength(1);
  });

  it('holds hedged positions and counts a signal the bus dropped without marking it in flight', () => {
    const { m, sent } = monitor();
    expect(m.check(position, { ...up(T0), hedged: true }, T0)).toBeNull();
    expect(sent).toHaveLength(0);
    expect(m.counters.exits_hedged_held).toBe(1);
    const dropped = monitor(1, false);
    expect(dropped.m.check(position, up(T0), T0)).toBeNull();
    expect(dropped.m.counters.exits_dropped).toBe(1);
    expect(dropped.m.inFlightCount()).toBe(0);
  });
});
