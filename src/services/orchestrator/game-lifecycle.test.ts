import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GameStatusSchema } from '../../core/messages.js';
import type { GameStatus } from '../../core/messages.js';
import { isOver, isUnderWay, needsShard, transition } from './game-lifecycle.js';

describe('game lifecycle transitions', () => {
  const advance: [GameStatus, GameStatus][] = [
    ['scheduled', 'live'], ['scheduled', 'delayed'], ['scheduled', 'final'], ['live', 'halftime'], ['halftime', 'live'],
    ['live', 'delayed'], ['delayed', 'live'], ['live', 'final'], ['delayed', 'postponed'], ['live', 'cancelled'],
    ['postponed', 'scheduled'], ['postponed', 'live'], ['scheduled', 'postponed'],
  ];
  const backward: [GameStatus, GameStatus][] = [
    ['live', 'scheduled'], ['halftime', 'scheduled'], ['delayed', 'scheduled'], ['final', 'live'], ['final', 'scheduled'],
    ['final', 'cancelled'], ['cancelled', 'live'], ['cancelled', 'final'],
  ];
  it.each(advance)('%s -> %s advances', (from, to) => expect(transition(from, to)).toEqual({ kind: 'advance', from, to }));
  it.each(backward)('%s -> %s is backwards (ignored)', (from, to) => expect(transition(from, to)).toEqual({ kind: 'backward', from, to }));
  it('same status is no transition', () => expect(transition('live', 'live')).toEqual({ kind: 'same' }));

  it('needs a shard when under way or scheduled within the imminent window (late starts included)', () => {
    const hour = 3_600_000;
    expect(needsShard('live', 10 * hour, 0, hour)).toBe(true);
    expect(needsShard('scheduled', hour, 0, hour)).toBe(true);
    expect(needsShard('scheduled', hour + 1, 0, hour)).toBe(false);
    expect(needsShard('scheduled', -hour, 0, hour)).toBe(true);
    expect(needsShard('postponed', 0, 0, hour)).toBe(false);
    expect(needsShard('final', 0, 0, hour)).toBe(false);
  });

  it('property: whatever ESPN reports, the followed status never returns to scheduled once under way (unless postponed first) and never leaves an end', () => {
    const status = fc.constantFrom(...GameStatusSchema.options);
    fc.assert(
      fc.property(fc.array(status, { maxLength: 40 }), (reports) => {
        let current: GameStatus = 'scheduled';
        let wasUnderWay = false;
        for (const seen of reports) {
          const t = transition(current, seen);
          const before = current;
          if (t.kind === 'advance') current = seen;
          if (isOver(before)) expect(current).toBe(before);
          // A started game comes back to scheduled only through postponed (a suspended game resumed another day).
          if (wasUnderWay && current === 'scheduled' && before !== 'scheduled') expect(before).toBe('postponed');
          wasUnderWay ||= isUnderWay(current);
        }
      }),
      { numRuns: 500 },
    );
  });
});
