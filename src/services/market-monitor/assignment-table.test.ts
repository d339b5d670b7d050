import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GameInfo } from '../../core/messages.js';
import { AssignmentTable, type AssignmentDiff } from './assignment-table.js';
import type { MarketAssignment } from '../../core/market-assignment.js';
import type { Venue } from '../../core/topics.js';

function info(gameId: string, markets: [venue: Venue, id: string, team: string | null][], event: GameInfo['event'] = 'updated'): GameInfo {
  return {
    event,
    game_id: gameId,
    sport: 'nba',
    name: gameId,
    home: { name: 'Home', abbr: 'HOM' },
    away: { name: 'Away', abbr: 'AWY' },
    start_time: '2026-11-25T00:30:00Z',
    status: event === 'final' ? 'final' : 'live',
    markets: markets.map(([venue, market_id, team]) => ({ venue, market_id, team, outcome: team === 'HOM' ? 'home' : team === 'AWY' ? 'away' : 'draw' })),
    shard: null,
  };
}

const ids = (ms: MarketAssignment[]) => ms.map((m) => m.marketId).sort();

describe('AssignmentTable', () => {
  it('takes only its venue’s markets, with game and team', () => {
    const t = new AssignmentTable('kalshi');
    const u = t.applySnapshot([info('g1', [['kalshi', 'K-HOM', 'HOM'], ['kalshi', 'K-AWY', 'AWY'], ['poly', '123', 'HOM']])], 0, 10);
    expect(ids(u.diff.added)).toEqual(['K-AWY', 'K-HOM']);
    expect(t.market('K-AWY')).toMatchObject({ gameId: 'g1', team: 'AWY', outcome: 'away', venue: 'kalshi' });
    expect(t.market('123')).toBeUndefined();
  });

  it('reports team changes as changed and dropped markets as removed', () => {
    const t = new AssignmentTable('poly');
    t.applyMessage(info('g1', [['poly', '1', 'HOM'], ['poly', '2', 'AWY']]), 1);
    const u = t.applyMessage(info('g1', [['poly', '1', 'AWY']]), 2);
    expect(ids(u.diff.changed)).toEqual(['1']);
    expect(ids(u.diff.removed)).toEqual(['2']);
    expect(u.diff.added).toEqual([]);
  });

  it('a final starts the grace period; markets stay until remove()', () => {
    const t = new AssignmentTable('kalshi');
    t.applyMessage(info('g1', [['kalshi', 'A', 'HOM']]), 1);
    const u = t.applyMessage(info('g1', [['kalshi', 'A', 'HOM']], 'final'), 2);
    expect(u.ending).toEqual(['g1']);
    expect(t.market('A')).toBeDefined();
    expect(t.applyMessage(info('g1', [['kalshi', 'A', 'HOM']], 'final'), 3).ending).toEqual([]);
    expect(ids(t.remove('g1').removed)).toEqual(['A']);
    expect(t.markets().size).toBe(0);
  });

  it('a final for a game it never tracked adds nothing', () => {
    const t = new AssignmentTable('kalshi');
    const u = t.applyMessage(info('g9', [['kalshi', 'Z', 'HOM']], 'final'), 1);
    expect(u.diff.added).toEqual([]);
    expect(t.markets().size).toBe(0);
  });

  it('a hash read that started before a hot-path message leaves that game alone', () => {
    const t = new AssignmentTable('kalshi');
    t.applyMessage(info('g1', [['kalshi', 'NEW', 'HOM']]), 100);
    // The read started at 50 and does not know g1 yet: it must not end it.
    const u = t.applySnapshot([], 50, 120);
    expect(u.ending).toEqual([]);
    expect(t.market('NEW')).toBeDefined();
    // A read that started after the message is the authority again.
    expect(t.applySnapshot([], 150, 160).ending).toEqual(['g1']);
  });

  it('a game ended on the hot path is not revived by a stale hash entry, but is by a newer message', () => {
    const t = new AssignmentTable('kalshi');
    t.applyMessage(info('g1', [['kalshi', 'A', 'HOM']]), 1);
    t.applyMessage(info('g1', [['kalshi', 'A', 'HOM']], 'final'), 2);
    t.remove('g1');
    const stale = t.applySnapshot([info('g1', [['kalshi', 'A', 'HOM']])], 10, 11);
    expect(stale.diff.added).toEqual([]);
    const back = t.applyMessage(info('g1', [['kalshi', 'A', 'HOM']], 'discovered'), 20);
    expect(ids(back.diff.added)).toEqual(['A']);
  });

  it('a game missing from the hash ends with the same grace, and is revived if it comes back', () => {
    const t = new AssignmentTable('kalshi');
    t.applySnapshot([info('g1', [['kalshi', 'A', 'HOM']])], 0, 1);
    expect(t.applySnapshot([], 10, 11).ending).toEqual(['g1']);
    expect(t.isEnding('g1')).toBe(true);
    expect(t.applySnapshot([info('g1', [['kalshi', 'A', 'HOM']])], 20, 21).revived).toEqual(['g1']);
    expect(t.isEnding('g1')).toBe(false);
  });

  it('rejects market ids that cannot name a topic', () => {
    const t = new AssignmentTable('kalshi');
    const u = t.applyMessage(info('g1', [['kalshi', 'BAD.ID', 'HOM'], ['kalshi', 'OK', 'AWY']]), 1);
    expect(u.rejected).toEqual(['BAD.ID']);
    expect(ids(u.diff.added)).toEqual(['OK']);
  });

  it('property: replaying every diff reproduces markets(), whatever the sequence of messages, reads and removals', () => {
    const gameIds = ['g1', 'g2', 'g3'];
    const marketIds = ['M1', 'M2', 'M3', 'M4'];
    const arbInfo = fc.record({
      game: fc.constantFrom(...gameIds),
      markets: fc.uniqueArray(fc.tuple(fc.constantFrom(...marketIds), fc.constantFrom<string | null>('HOM', 'AWY', null)), {
        selector: ([id]) => id,
        maxLength: 3,
      }),
      final: fc.boolean(),
    });
    const op = fc.oneof(
      arbInfo.map((i) => ({ kind: 'message' as const, i })),
      fc.array(arbInfo, { maxLength: 3 }).map((is) => ({ kind: 'snapshot' as const, is })),
      fc.constantFrom(...gameIds).map((g) => ({ kind: 'remove' as const, g })),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        const t = new AssignmentTable('kalshi');
        const replay = new Map<string, MarketAssignment>();
        const apply = (d: AssignmentDiff) => {
          for (const m of d.added) {
            expect(replay.has(m.marketId)).toBe(false);
            replay.set(m.marketId, m);
          }
          for (const m of d.changed) {
            expect(replay.has(m.marketId)).toBe(true);
            replay.set(m.marketId, m);
          }
          for (const m of d.removed) expect(replay.delete(m.marketId)).toBe(true);
        };
        const toInfo = (i: { game: string; markets: [string, string | null][]; final: boolean }) =>
          info(i.game, i.markets.map(([id, team]) => ['kalshi', id, team]), i.final ? 'final' : 'updated');
        let now = 0;
        for (const o of ops) {
          now += 10;
          if (o.kind === 'message') apply(t.applyMessage(toInfo(o.i), now).diff);
          else if (o.kind === 'snapshot') {
            const unique = new Map(o.is.map((i) => [i.game, toInfo(i)]));
            apply(t.applySnapshot([...unique.values()], now - 5, now).diff);
          } else apply(t.remove(o.g));
        }
        expect(new Map(replay)).toEqual(new Map(t.markets()));
      }),
      { numRuns: 300 },
    );
  });
});
