import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planAssignments, type Move, type PlanInput, type ShardView } from './assignment-plan.js';

/** The owners after applying `moves` to `owners`, checking each move's `from` is current. */
function apply(owners: ReadonlyMap<string, string>, moves: readonly Move[]): Map<string, string> {
  const out = new Map(owners);
  for (const m of moves) {
    expect(out.get(m.gameId) ?? null).toBe(m.from);
    if (m.to === null) out.delete(m.gameId);
    else out.set(m.gameId, m.to);
  }
  return out;
}

const shard = (id: string, capacity = 10, acceptsNew = true, keepsGames = true): ShardView => ({ id, capacity, acceptsNew, keepsGames });
const games = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `g${i}`, preferMove: i % 2 === 0 }));

describe('planAssignments', () => {
  it('spreads new games evenly over equal shards', () => {
    const moves = planAssignments({ games: games(9), owners: new Map(), shards: [shard('a'), shard('b'), shard('c')], rebalanceMaxMoves: 0 });
    const owners = apply(new Map(), moves);
    const counts = ['a', 'b', 'c'].map((s) => [...owners.values()].filter((o) => o === s).length);
    expect(counts).toEqual([3, 3, 3]);
    expect(moves.every((m) => m.reason === 'new')).toBe(true);
  });

  it('weighs load by capacity', () => {
    const owners = apply(new Map(), planAssignments({ games: games(12), owners: new Map(), shards: [shard('a', 30), shard('b', 10)], rebalanceMaxMoves: 0 }));
    expect([...owners.values()].filter((o) => o === 'a')).toHaveLength(9);
  });

  it('moves the games of a dead shard and leaves the others alone', () => {
    const before = new Map([['g0', 'a'], ['g1', 'b'], ['g2', 'dead'], ['g3', 'dead']]);
    const moves = planAssignments({ games: games(4), owners: before, shards: [shard('a'), shard('b')], rebalanceMaxMoves: 0 });
    expect(moves.map((m) => [m.gameId, m.reason])).toEqual([['g2', 'shard_gone'], ['g3', 'shard_gone']]);
    expect(new Set(moves.map((m) => m.to))).toEqual(new Set(['a', 'b']));
  });

  it('keeps games on a starting shard, gives it nothing new, and rebalances onto a healthy newcomer', () => {
    const before = new Map([['g0', 'a'], ['g1', 'a'], ['g2', 'a'], ['g3', 'a']]);
    const starting = planAssignments({ games: games(5), owners: before, shards: [shard('a', 10, false, true)], rebalanceMaxMoves: 5 });
    expect(starting).toEqual([]); // g4 has nowhere to go; a keeps its four
    const healthy = planAssignments({ games: games(4), owners: before, shards: [shard('a'), shard('b')], rebalanceMaxMoves: 5 });
    expect(healthy.map((m) => m.reason)).toEqual(['rebalance', 'rebalance']);
    // The latest-starting games not yet under way move first.
    expect(healthy.map((m) => m.gameId)).toEqual(['g2', 'g0']);
  });

  it('unassigns games that no longer need a shard, and games whose shard died with no one to take them', () => {
    const before = new Map([['g0', 'a'], ['old', 'a'], ['g1', 'dead']]);
    const moves = planAssignments({ games: games(2), owners: before, shards: [shard('a', 10, false, false)], rebalanceMaxMoves: 0 });
    expect(moves).toEqual([
      { gameId: 'old', from: 'a', to: null, reason: 'not_needed' },
      { gameId: 'g1', from: 'dead', to: null, reason: 'no_shard' },
    ]);
  });

  const inputArb: fc.Arbitrary<PlanInput> = fc
    .record({
      nGames: fc.integer({ min: 0, max: 40 }),
      shards: fc.uniqueArray(
        fc.record({ id: fc.constantFrom('s1', 's2', 's3', 's4', 's5'), capacity: fc.integer({ min: 1, max: 12 }), acceptsNew: fc.boolean(), keepsGames: fc.boolean() }),
        { selector: (s) => s.id, maxLength: 5 },
      ),
      owned: fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.constantFrom('s1', 's2', 's3', 's4', 's5', 'gone')), { maxLength: 50 }),
      rebalanceMaxMoves: fc.integer({ min: 0, max: 5 }),
    })
    .map(({ nGames, shards, owned, rebalanceMaxMoves }) => ({
      games: games(nGames),
      owners: new Map(owned.map(([g, s]) => [`g${g}`, s])),
      shards: shards.map((s) => ({ ...s, keepsGames: s.keepsGames || s.acceptsNew })),
      rebalanceMaxMoves,
    }));

  it('property: one owner per needed game when anyone accepts, none on a dead shard, no game moved twice, and a second plan is stable', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const moves = planAssignments(input);
        const ids = moves.map((m) => m.gameId);
        expect(new Set(ids).size).toBe(ids.length);
        const after = apply(input.owners, moves);
        const alive = new Set(input.shards.map((s) => s.id));
        const needed = new Set(input.games.map((g) => g.id));
        for (const [g, s] of after) {
          expect(needed.has(g)).toBe(true);
          expect(alive.has(s)).toBe(true);
        }
        if (input.shards.some((s) => s.acceptsNew)) for (const g of needed) expect(after.has(g)).toBe(true);
        // Without rebalancing, a plan on its own result has nothing left to do.
        const again = planAssignments({ ...input, owners: after, rebalanceMaxMoves: 0 });
        expect(again).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('property: rebalancing converges (repeated plans end with no moves) and never overshoots', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        let owners = apply(input.owners, planAssignments(input));
        for (let round = 0; round < 200; round++) {
          const moves = planAssignments({ ...input, owners, rebalanceMaxMoves: 3 });
          if (moves.length === 0) return;
          for (const m of moves) expect(m.reason).toBe('rebalance');
          owners = apply(owners, moves);
        }
        throw new Error('rebalancing did not converge in 200 rounds');
      }),
      { numRuns: 200 },
    );
  });
});
