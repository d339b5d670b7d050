import { describe, expect, it } from 'vitest';
import type { GameStatus } from '../../core/messages.js';
import { needsShard, transition } from './game-lifecycle.js';

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
});
