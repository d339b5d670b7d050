import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FEES, feeCc } from '../../core/fees.js';
import type { Fill, TradeCompleted } from '../../core/messages.js';
import { compareStreamIds } from './stream-ids.js';
import { TrackerLedger } from './tracker-ledger.js';
import { parseTradeEntry } from './trade-ingest.js';
import type { SettlementRecord } from './settlement-record.js';

const START = 10_000_000; // $1000
const TS = 1_760_000_000_000_000;
const options = { initialBankrollCc: START, timeZone: 'America/New_York' };

function fill(side: 'yes' | 'no', action: 'buy' | 'sell', contracts: number, yes: number, market = 'KX-A'): Fill {
  return { venue: 'kalshi', market_id: market, side, action, contracts, yes_price: yes, fee_cc: feeCc(DEFAULT_FEES.kalshi, contracts, yes), order_id: null };
}

function trade(id: string, fills: Fill[], ts = TS): TradeCompleted {
  return { trade_id: id, source: 'signal', source_id: `s-${id}`, game_id: 'g1', sport: 'nba', mode: 'paper', status: 'filled', reason: null, fills, decided_ts: ts };
}

describe('ledger: trades from the log', () => {
  it('applies fills in stream order, books cash with fees, and ignores a repeated trade_id', () => {
    const ledger = new TrackerLedger(options);
    const buy = fill('yes', 'buy', 10, 0.4);
    const r1 = ledger.applyTrade('1-0', trade('t1', [buy]));
    expect(r1.changes).toHaveLength(1);
    expect(ledger.bankroll.cashCc).toBe(START - 10 * 4000 - buy.fee_cc);
    const dup = ledger.applyTrade('2-0', trade('t1', [buy]));
    expect(dup.duplicate).toBe(true);
    expect(ledger.bankroll.cashCc).toBe(START - 10 * 4000 - buy.fee_cc);
    expect(ledger.tradeCursor).toBe('2-0');
    expect(ledger.counters).toMatchObject({ trades_applied: 1, trades_duplicate: 1 });
  });

  it('rebuilds from a log holding old whole-contract records and new fractional ones: positions and cash exact', () => {
    // An old entry (before notional_cc) read back from trades:completed as the stream stores it.
    const old = parseTradeEntry('1-0', { data: JSON.stringify(trade('t-old', [fill('no', 'buy', 3, 0.61)])) }).trade!;
    const polyBuy: Fill = { venue: 'poly', market_id: 'tok-1', side: 'yes', action: 'buy', contracts: 9.85, yes_price: 0.5076, fee_cc: 750, order_id: 'o1', notional_cc: 49_250 };
    const polySell: Fill = { venue: 'poly', market_id: 'tok-1', side: 'yes', action: 'sell', contracts: 9.85, yes_price: 0.44, fee_cc: 738, order_id: 'o2', notional_cc: 43_340 };
    const fresh = parseTradeEntry('2-0', { data: JSON.stringify(trade('t-new', [polyBuy])) }).trade!;
    const exit = parseTradeEntry('3-0', { data: JSON.stringify(trade('t-exit', [polySell])) }).trade!;
    const ledger = new TrackerLedger(options);
    for (const [id, t] of [['1-0', old], ['2-0', fresh], ['3-0', exit]] as const) expect(ledger.applyTrade(id, t).refused).toHaveLength(0);
    const kalshi = ledger.book.get('kalshi', 'KX-A', 'no')!;
    expect(kalshi).toMatchObject({ contracts: 3, costCc: 3 * 3_900 });
    expect(ledger.book.get('poly', 'tok-1', 'yes')).toBeUndefined();
    expect(ledger.book.closed().at(-1)).toMatchObject({ contracts: 0, realisedCc: 43_340 - 738 - 49_250 - 750 });
    expect(ledger.bankroll.cashCc).toBe(START - 3 * 3_900 - old.fills[0]!.fee_cc - 50_000 + 43_340 - 738);
  });

  it('refuses a bad fill on its own; the other fills of the trade apply', () => {
    const ledger = new TrackerLedger(options);
    const r = ledger.applyTrade('1-0', trade('t1', [fill('yes', 'sell', 5, 0.5), fill('no', 'buy', 3, 0.7), fill('no', 'buy', 1, 0.5, 'bad.id')]));
    expect(r.refused).toHaveLength(2);
    expect(r.changes.map((c) => c.position.side)).toEqual(['no']);
    expect(ledger.counters).toMatchObject({ fills_applied: 1, fills_refused: 2 });
  });

  it('never applies an entry at or before its cursor (a replay would double it)', () => {
    const ledger = new TrackerLedger(options);
    ledger.applyTrade('10-0', trade('t1', [fill('yes', 'buy', 1, 0.5)]));
    expect(() => ledger.applyTrade('9-5', trade('t2', [fill('yes', 'buy', 1, 0.5)]))).toThrow(/not after the cursor/);
    expect(() => ledger.skipMalformedTrade('10-0')).toThrow(RangeError);
    ledger.skipMalformedTrade('10-1');
    expect(ledger.counters.trades_malformed).toBe(1);
    expect(compareStreamIds('10-0', '9-0')).toBeGreaterThan(0);
    expect(compareStreamIds('1-10', '1-9')).toBeGreaterThan(0);
  });

  it('settles at 1 or 0 per contract with fees included, and counts a settlement that matches nothing', () => {
    const ledger = new TrackerLedger(options);
    const yes = fill('yes', 'buy', 10, 0.6);
    const no = fill('no', 'buy', 4, 0.6, 'KX-B');
    ledger.applyTrade('1-0', trade('t1', [yes, no]));
    const record: SettlementRecord = {
      settlement_id: 's1', game_id: 'g1', sport: 'nba', home_score: 101, away_score: 99, after_trade_id: '1-0', ts: TS + 1,
      markets: [
        { venue: 'kalshi', market_id: 'KX-A', outcome: 'home', outcome_yes_price: 1 },
        { venue: 'kalshi', market_id: 'KX-B', outcome: 'away', outcome_yes_price: 0 },
      ],
    };
    const changes = ledger.applySettlement('5-0', record);
    expect(changes.map((c) => c.realisedDeltaCc)).toEqual([10 * 10_000 - 10 * 6000 - yes.fee_cc, 4 * 10_000 - 4 * 4000 - no.fee_cc]);
    expect(ledger.book.open()).toHaveLength(0);
    expect(ledger.bankroll.cashCc).toBe(START + ledger.book.totalRealisedCc());
    expect(ledger.isSettled('g1')).toBe(true);
    expect(ledger.applySettlement('6-0', { ...record, settlement_id: 's2' })).toEqual([]);
    expect(ledger.counters).toMatchObject({ settlements_applied: 1, settlements_unmatched: 1 });
  });

  it('books realised P&L on the trading day of the log (US Eastern)', () => {
    const ledger = new TrackerLedger(options);
    const dayOne = Date.UTC(2026, 0, 10, 23, 0) * 1000; // 18:00 Eastern, Jan 10
    const nextDay = Date.UTC(2026, 0, 11, 6, 0) * 1000; // 01:00 Eastern, Jan 11
    ledger.applyTrade('1-0', trade('t1', [fill('yes', 'buy', 10, 0.5)], dayOne));
    ledger.applyTrade('2-0', trade('t2', [fill('yes', 'sell', 5, 0.6)], dayOne));
    const first = ledger.summary();
    expect(first.day).toBe('2026-01-10');
    expect(first.dayRealisedCc).toBe(first.realisedCc);
    ledger.applyTrade('3-0', trade('t3', [fill('yes', 'sell', 5, 0.4)], nextDay));
    const second = ledger.summary();
    expect(second.day).toBe('2026-01-11');
    expect(second.dayRealisedCc).toBe(second.realisedCc - first.realisedCc);
  });
});

describe('ledger: money is conserved', () => {
  it('cash + basis of open positions = initial + realised, and replaying the log gives the same state', () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('buy' as const), side: fc.constantFrom<'yes' | 'no'>('yes', 'no'), m: fc.integer({ min: 0, max: 2 }), n: fc.integer({ min: 1, max: 50 }), p: fc.integer({ min: 1, max: 99 }) }),
      fc.record({ kind: fc.constant('sell' as const), side: fc.constantFrom<'yes' | 'no'>('yes', 'no'), m: fc.integer({ min: 0, max: 2 }), n: fc.integer({ min: 1, max: 60 }), p: fc.integer({ min: 1, max: 99 }) }),
      fc.record({ kind: fc.constant('settle' as const), m: fc.integer({ min: 0, max: 2 }), yes: fc.boolean() }),
      fc.record({ kind: fc.constant('dup' as const) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        type Entry = { log: 't'; id: string; trade: TradeCompleted } | { log: 's'; id: string; record: SettlementRecord };
        const entries: Entry[] = [];
        let t = 0;
        let s = 0;
        const ledger = new TrackerLedger(options);
        for (const st of steps) {
          if (st.kind === 'settle') {
            const record: SettlementRecord = { settlement_id: `s${s}`, game_id: 'g1', sport: 'nba', home_score: 1, away_score: 0, after_trade_id: ledger.tradeCursor, ts: TS, markets: [{ venue: 'kalshi', market_id: `M${st.m}`, outcome: 'home', outcome_yes_price: st.yes ? 1 : 0 }] };
            const id = `${++s}-0`;
            ledger.applySettlement(id, record);
            entries.push({ log: 's', id, record });
          } else {
            const f = st.kind === 'dup' ? fill('yes', 'buy', 1, 0.5, 'M0') : fill(st.side, st.kind, st.n, st.p / 100, `M${st.m}`);
            const tr = trade(st.kind === 'dup' ? 't1' : `t${t + 1}`, [f]);
            const id = `${++t}-0`;
            ledger.applyTrade(id, tr);
            entries.push({ log: 't', id, trade: tr });
          }
          expect(ledger.bankroll.cashCc + ledger.book.openBasisCc()).toBe(START + ledger.book.totalRealisedCc());
        }
        // Replay by the recovery rule: a settlement goes right after the trade it was applied after.
        const replay = new TrackerLedger(options);
        const trades = entries.filter((e): e is Extract<Entry, { log: 't' }> => e.log === 't');
        const settlements = entries.filter((e): e is Extract<Entry, { log: 's' }> => e.log === 's');
        let next = 0;
        for (const e of trades) {
          while (next < settlements.length && compareStreamIds(settlements[next]!.record.after_trade_id, e.id) < 0) {
            replay.applySettlement(settlements[next]!.id, settlements[next]!.record);
            next++;
          }
          replay.applyTrade(e.id, e.trade);
        }
        for (; next < settlements.length; next++) replay.applySettlement(settlements[next]!.id, settlements[next]!.record);
        expect(replay.book.open()).toEqual(ledger.book.open());
        expect(replay.summary()).toEqual(ledger.summary());
      }),
      { numRuns: 200 },
    );
  });
});
