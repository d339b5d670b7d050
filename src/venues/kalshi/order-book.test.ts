import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KalshiBookSync } from './book-sync.js';
import type { KalshiLevel, KalshiWsDelta, KalshiWsSnapshot } from './common.js';
import { KalshiOrderBook } from './order-book.js';

const T = 'KXNBAGAME-26NOV24BOSLAL-BOS';

const snap = (seq: number, yes: KalshiLevel[], no: KalshiLevel[], sid = 1, ticker = T): KalshiWsSnapshot => ({
  type: 'orderbook_snapshot',
  sid,
  seq,
  ticker,
  marketId: null,
  yes,
  no,
});

const delta = (seq: number, side: 'yes' | 'no', price: number, d: number, sid = 1, ticker = T): KalshiWsDelta => ({
  type: 'orderbook_delta',
  sid,
  seq,
  ticker,
  side,
  price,
  delta: d,
  clientOrderId: null,
  tsMs: null,
});

describe('Kalshi order book', () => {
  it('takes YES bids from yes levels and YES asks from no levels (ask = 1 - no bid)', () => {
    const book = new KalshiOrderBook(T);
    book.applySnapshot(
      [
        [0.8, 300],
        [0.81, 1520],
      ],
      [
        [0.17, 20],
        [0.18, 146],
      ],
      1,
    );
    expect(book.top()).toEqual({ yesBid: 0.81, yesBidSize: 1520, yesAsk: 0.82, yesAskSize: 146 });
    expect(book.ladders()).toEqual({
      yesBids: [
        [0.81, 1520],
        [0.8, 300],
      ],
      yesAsks: [
        [0.82, 146],
        [0.83, 20],
      ],
    });
  });

  it('applies deltas and deletes a level that reaches zero', () => {
    const book = new KalshiOrderBook(T);
    book.applySnapshot([[0.81, 100]], [[0.18, 50]], 1);
    book.applyDelta('yes', 0.81, -54, 2);
    expect(book.top()?.yesBidSize).toBe(46);
    book.applyDelta('yes', 0.81, -46, 3);
    book.applyDelta('no', 0.19, 10, 4);
    expect(book.top()).toEqual({ yesBid: null, yesBidSize: 0, yesAsk: 0.81, yesAskSize: 10 });
    expect(book.seq).toBe(4);
  });

  it('tells an empty but valid book from one that cannot be trusted', () => {
    const book = new KalshiOrderBook(T);
    expect(book.state).toBe('awaiting_snapshot');
    expect(book.top()).toBeNull();
    book.applySnapshot([], [], 1);
    expect(book.top()).toEqual({ yesBid: null, yesBidSize: 0, yesAsk: null, yesAskSize: 0 });
    book.invalidate('test');
    expect(book.top()).toBeNull();
    expect(book.view().yesBids).toEqual([]);
    expect(book.applyDelta('yes', 0.5, 10, 2)).toBe(false);
  });

  it('reads NO levels sent in YES terms when the subscription asked for use_yes_price', () => {
    const book = new KalshiOrderBook(T, { noLevelsInYesTerms: true });
    book.applySnapshot([[0.81, 10]], [[0.82, 146]], 1);
    expect(book.top()).toEqual({ yesBid: 0.81, yesBidSize: 10, yesAsk: 0.82, yesAskSize: 146 });
    expect(book.rawLevels().no).toEqual([[0.18, 146]]);
  });

  it('reads the levels right whatever use_yes_price does: a snapshot only consistent the other way switches the book', () => {
    // Asked for NO-leg pricing, but the venue sends NO levels in YES terms (the announced default flip).
    const flipped = new KalshiOrderBook(T, { noLevelsInYesTerms: false });
    flipped.applySnapshot([[0.6, 10]], [[0.62, 146]], 1);
    expect(flipped.top()).toEqual({ yesBid: 0.6, yesBidSize: 10, yesAsk: 0.62, yesAskSize: 146 });
    expect(flipped).toMatchObject({ noLevelsInYesTerms: true, conventionSwitches: 1 });
    flipped.applyDelta('no', 0.61, 5, 2); // deltas follow the convention the snapshot showed
    expect(flipped.top()).toMatchObject({ yesAsk: 0.61, yesAskSize: 5 });
    // Asked for YES terms, but the flag was dropped and NO-leg pricing arrives.
    const legacy = new KalshiOrderBook(T, { noLevelsInYesTerms: true });
    legacy.applySnapshot([[0.6, 10]], [[0.38, 146]], 1);
    expect(legacy.top()).toMatchObject({ yesBid: 0.6, yesAsk: 0.62 });
    expect(legacy.noLevelsInYesTerms).toBe(false);
    // Consistent both ways: the flag is kept.
    const either = new KalshiOrderBook(T);
    either.applySnapshot([[0.2, 10]], [[0.7, 5]], 1);
    expect(either).toMatchObject({ noLevelsInYesTerms: false, conventionSwitches: 0 });
    // Crossed both ways: not trusted.
    const broken = new KalshiOrderBook(T);
    broken.applySnapshot([[0.9, 10]], [[0.5, 5]], 1);
    expect(broken.state).toBe('invalid');
    expect(broken.invalidReason).toMatch(/crossed whichever way/);
  });

  it('equals a reference model under any sequence of deltas (property)', () => {
    const cents = fc.integer({ min: 1, max: 99 });
    const level = fc.tuple(cents, fc.integer({ min: 1, max: 5000 }));
    const op = fc.record({ side: fc.constantFrom<'yes' | 'no'>('yes', 'no'), cents, delta: fc.integer({ min: -3000, max: 3000 }).filter((d) => d !== 0) });
    fc.assert(
      fc.property(fc.array(level, { maxLength: 20 }), fc.array(level, { maxLength: 20 }), fc.array(op, { maxLength: 300 }), (yes, no, ops) => {
        // The venue's snapshots are never crossed (YES bid + NO bid < $1): it matches crossing orders.
        fc.pre(yes.length === 0 || no.length === 0 || Math.max(...yes.map(([c]) => c)) + Math.max(...no.map(([c]) => c)) < 100);
        const model = { yes: new Map<number, number>(), no: new Map<number, number>() };
        const load = (m: Map<number, number>, levels: [number, number][]) => {
          for (const [c, q] of levels) m.set(c, (m.get(c) ?? 0) + q);
        };
        load(model.yes, yes);
        load(model.no, no);
        const book = new KalshiOrderBook(T);
        book.applySnapshot(
          yes.map(([c, q]) => [c / 100, q]),
          no.map(([c, q]) => [c / 100, q]),
          1,
        );
        let seq = 1;
        for (const o of ops) {
          const m = model[o.side];
          const next = (m.get(o.cents) ?? 0) + o.delta;
          if (next > 0) m.set(o.cents, next);
          else m.delete(o.cents);
          book.applyDelta(o.side, o.cents / 100, o.delta, ++seq);
        }
        const asc = (m: Map<number, number>) => [...m.entries()].sort((a, b) => a[0] - b[0]).map(([c, q]) => [c / 100, q]);
        expect(book.rawLevels()).toEqual({ yes: asc(model.yes), no: asc(model.no) });
        const bestYes = Math.max(...model.yes.keys(), -1);
        const bestNo = Math.max(...model.no.keys(), -1);
        expect(book.top()).toEqual({
          yesBid: bestYes < 0 ? null : bestYes / 100,
          yesBidSize: bestYes < 0 ? 0 : model.yes.get(bestYes),
          yesAsk: bestNo < 0 ? null : (100 - bestNo) / 100,
          yesAskSize: bestNo < 0 ? 0 : model.no.get(bestNo),
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('Kalshi book sync (seq per subscription)', () => {
  function syncWith(...tickers: string[]): KalshiBookSync {
    const sync = new KalshiBookSync();
    for (const t of tickers) sync.track(t);
    sync.beginSubscription(1, tickers);
    return sync;
  }

  it('applies a contiguous stream across markets of one subscription', () => {
    const other = 'KXNBAGAME-26NOV24BOSLAL-LAL';
    const sync = syncWith(T, other);
    expect(sync.onSnapshot(snap(1, [[0.4, 10]], [[0.5, 10]])).changed).toEqual([T]);
    expect(sync.onSnapshot(snap(2, [[0.5, 10]], [[0.4, 10]], 1, other)).changed).toEqual([other]);
    const r = sync.onDelta(delta(3, 'yes', 0.41, 5));
    expect(r).toEqual({ changed: [T], invalidated: [], resync: null });
    expect(sync.book(T)?.top()?.yesBid).toBe(0.41);
    expect(sync.stats()).toMatchObject({ snapshots: 2, deltas: 1, gaps: 0 });
  });

  it('a gap invalidates every book of the subscription and asks for snapshots', () => {
    const other = 'KXNBAGAME-26NOV24BOSLAL-LAL';
    const sync = syncWith(T, other);
    sync.onSnapshot(snap(1, [[0.4, 10]], []));
    sync.onSnapshot(snap(2, [[0.5, 10]], [], 1, other));
    const r = sync.onDelta(delta(4, 'yes', 0.41, 5));
    expect(r.resync).toEqual({ sid: 1, tickers: [T, other], reason: 'gap' });
    expect(r.invalidated.sort()).toEqual([T, other].sort());
    expect(r.changed).toEqual([]);
    expect(sync.book(T)?.state).toBe('invalid');
    expect(sync.book(T)?.top()).toBeNull();
    // Deltas keep flowing (and are counted against the new baseline) but are not applied.
    expect(sync.onDelta(delta(5, 'yes', 0.42, 5)).resync).toBeNull();
    expect(sync.book(T)?.state).toBe('invalid');
    // A fresh snapshot restores the market; the other stays invalid until its own.
    sync.onSnapshot(snap(6, [[0.45, 7]], [[0.5, 3]]));
    expect(sync.book(T)?.top()).toEqual({ yesBid: 0.45, yesBidSize: 7, yesAsk: 0.5, yesAskSize: 3 });
    expect(sync.book(other)?.state).toBe('invalid');
    expect(sync.stats().gaps).toBe(1);
  });

  it('a repeated or earlier seq is out of order: invalid, resync, nothing applied', () => {
    const sync = syncWith(T);
    sync.onSnapshot(snap(1, [[0.4, 10]], []));
    sync.onDelta(delta(2, 'yes', 0.4, 5));
    const r = sync.onDelta(delta(2, 'yes', 0.4, 5));
    expect(r.resync?.reason).toBe('out_of_order');
    expect(sync.book(T)?.state).toBe('invalid');
    expect(sync.stats().outOfOrder).toBe(1);
  });

  it('a delta before the first snapshot is skipped, never applied to an empty book', () => {
    const sync = syncWith(T);
    const r = sync.onDelta(delta(1, 'yes', 0.4, 5));
    expect(r.changed).toEqual([]);
    expect(sync.book(T)?.state).toBe('awaiting_snapshot');
    expect(sync.stats().deltasSkipped).toBe(1);
  });

  it('a new subscription restarts the sequence; losing the connection invalidates everything', () => {
    const sync = syncWith(T);
    sync.onSnapshot(snap(1, [[0.4, 10]], []));
    expect(sync.invalidateAll('connection lost')).toEqual([T]);
    sync.beginSubscription(7, [T]);
    expect(sync.onSnapshot(snap(1, [[0.3, 1]], [], 7)).resync).toBeNull();
    expect(sync.book(T)?.top()?.yesBid).toBe(0.3);
  });

  it('matches a reference model when random gaps and reorders are injected (property)', () => {
    // Each message either arrives in order, is dropped (gap) or is duplicated; after the stream
    // a valid book must equal the model, and an invalid book must have reported a resync.
    fc.assert(
      fc.property(
        fc.array(fc.record({ cents: fc.integer({ min: 1, max: 99 }), delta: fc.integer({ min: -50, max: 50 }).filter((d) => d !== 0), fate: fc.constantFrom('ok', 'ok', 'ok', 'drop', 'dup') }), {
          maxLength: 100,
        }),
        (ops) => {
          const sync = syncWith(T);
          const model = new Map<number, number>();
          sync.onSnapshot(snap(1, [], []));
          let seq = 1;
          let resyncs = 0;
          for (const [i, o] of ops.entries()) {
            seq++;
            // A loss at the very end is invisible until the next message; the stream goes on in
            // reality, so the last message is always delivered here.
            const fate = i === ops.length - 1 && o.fate === 'drop' ? 'ok' : o.fate;
            const next = (model.get(o.cents) ?? 0) + o.delta;
            if (next > 0) model.set(o.cents, next);
            else model.delete(o.cents);
            if (fate === 'drop') continue;
            const msg = delta(seq, 'yes', o.cents / 100, o.delta);
            if (sync.onDelta(msg).resync) resyncs++;
            if (fate === 'dup' && sync.onDelta(msg).resync) resyncs++;
          }
          const book = sync.book(T)!;
          if (book.isValid) {
            const asc = [...model.entries()].sort((a, b) => a[0] - b[0]).map(([c, q]) => [c / 100, q]);
            expect(book.rawLevels().yes).toEqual(asc);
            expect(resyncs).toBe(0);
          } else {
            expect(resyncs).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
