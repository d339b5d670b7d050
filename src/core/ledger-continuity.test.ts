import { describe, expect, it } from 'vitest';
import { cursorAhead, EMPTY_MARK, judgeLedger, type LedgerEpoch, type LedgerRecord, type StreamMark } from './ledger-continuity.js';

const T = 'trades:completed';
const mark = (lastId: string, entriesAdded: number, length = entriesAdded): StreamMark => ({ lastId, entriesAdded, length });
const epoch = (id: string, createdUs = 1_000, origin: LedgerEpoch['origin'] = 'fresh'): LedgerEpoch => ({ id, createdUs, origin, note: '' });
const record = (epochId: string, streams: Record<string, StreamMark>, savedUs = 2_000): LedgerRecord => ({ epoch: epochId, savedUs, streams });

describe('judgeLedger', () => {
  it('a first start on an empty Redis is a new ledger; on a ledger with history it adopts it', () => {
    expect(judgeLedger(null, null, { [T]: EMPTY_MARK }).kind).toBe('fresh');
    expect(judgeLedger(null, null, { [T]: mark('5-0', 3) }).kind).toBe('adopt');
    expect(judgeLedger(null, epoch('e1'), { [T]: mark('5-0', 3) }).kind).toBe('adopt');
  });

  it('the same epoch with streams at or past what was seen is intact, trimmed or not', () => {
    const seen = record('e1', { [T]: mark('5-0', 3) });
    expect(judgeLedger(seen, epoch('e1'), { [T]: mark('5-0', 3) }).kind).toBe('intact');
    expect(judgeLedger(seen, epoch('e1'), { [T]: mark('9-0', 7) }).kind).toBe('intact');
    // XTRIM leaves the last id and the count of entries ever added where they were.
    expect(judgeLedger(seen, epoch('e1'), { [T]: mark('9-0', 7, 1) }).kind).toBe('intact');
  });

  it('an epoch gone (empty restart, FLUSHALL) is a loss, even when new entries were written since', () => {
    const seen = record('e1', { [T]: mark('5-0', 3) });
    const v = judgeLedger(seen, null, { [T]: mark('99-0', 1) });
    expect(v.kind).toBe('lost');
    expect(v.kind === 'lost' && v.problems[0]).toMatch(/ledger:epoch is gone/);
  });

  it('a stream behind what was seen under the same epoch (stale replica, lost AOF tail) is a loss', () => {
    const seen = record('e1', { [T]: mark('10-0', 8) });
    const byId = judgeLedger(seen, epoch('e1'), { [T]: mark('7-0', 5) });
    expect(byId.kind === 'lost' && byId.problems.join()).toMatch(/trades:completed ends at 7-0 but this service saw it reach 10-0/);
    const byCount = judgeLedger(seen, epoch('e1'), { [T]: mark('10-0', 6) });
    expect(byCount.kind).toBe('lost');
    expect(judgeLedger(seen, epoch('e1'), {}).kind).toBe('lost'); // the stream is gone altogether
  });

  it('another epoch is a loss unless an operator confirmed or restored it after our record', () => {
    const seen = record('e1', { [T]: mark('10-0', 8) }, 5_000);
    expect(judgeLedger(seen, epoch('e2', 9_000, 'fresh'), { [T]: EMPTY_MARK }).kind).toBe('lost');
    expect(judgeLedger(seen, epoch('e2', 4_000, 'confirmed'), { [T]: EMPTY_MARK }).kind).toBe('lost'); // confirmed before we last saw e1
    const accepted = judgeLedger(seen, epoch('e2', 9_000, 'confirmed'), { [T]: mark('3-0', 2) }, ['checkpoint ahead']);
    expect(accepted).toMatchObject({ kind: 'accepted', epoch: { id: 'e2' } });
    expect(judgeLedger(seen, epoch('e2', 9_000, 'restored'), { [T]: EMPTY_MARK }).kind).toBe('accepted');
  });

  it("a service's own finding is a loss when it has no record (a new data dir on a stale Redis)", () => {
    expect(judgeLedger(null, null, { [T]: EMPTY_MARK }, ['checkpoint ahead'])).toEqual({ kind: 'lost', problems: ['checkpoint ahead'] });
    expect(judgeLedger(null, epoch('e1'), { [T]: mark('5-0', 3) }, ['checkpoint ahead']).kind).toBe('lost');
    expect(judgeLedger(record('e1', { [T]: mark('5-0', 3) }), epoch('e1'), { [T]: mark('5-0', 3) }, ['checkpoint ahead']).kind).toBe('intact');
  });
});

describe('cursorAhead', () => {
  it('flags a committed cursor beyond the end of its stream, not one at or before it', () => {
    expect(cursorAhead('positions:checkpoint', '12-0', T, mark('10-0', 4))).toHaveLength(1);
    expect(cursorAhead('positions:checkpoint', '10-0', T, mark('10-0', 4))).toEqual([]);
    expect(cursorAhead('positions:checkpoint', '0-0', T, EMPTY_MARK)).toEqual([]);
  });
});
