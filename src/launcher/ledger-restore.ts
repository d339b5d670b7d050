/**
 * `arbees ledger restore`: puts back into Redis the ledger entries the recorder's Postgres holds
 * and Redis lost. Trades go back into trades:completed under their original stream ids (the
 * recorder keeps them), so their order, and the place of every settlement after them, is the one
 * they had. Settlements go back into positions:settlements; the recorder does not keep the trade
 * id a settlement followed, so it is taken as the last trade appended before the settlement's own
 * time (exact unless a trade landed in the same millisecond). Then a `restored` epoch, which the
 * halted services accept and rebuild from.
 *
 * Refused (nothing written) when a lost trade would have to go before an entry the stream already
 * holds: the stream has moved on since the loss and cannot take it back in order.
 * What Postgres never got (the recorder's last moments before the loss) is not restored.
 */
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { ENVELOPE_VERSION } from '../core/envelope.js';
import { TradeCompletedSchema, type TradeCompleted } from '../core/messages.js';
import { SlowKey } from '../core/slow-keys.js';
import { compareStreamIds, isStreamId, STREAM_START } from '../core/stream-ids.js';
import { Topic } from '../core/topics.js';
import { streamEntryFields } from '../bus/slow-track.js';
import { LedgerProbe } from '../runtime/ledger-probe.js';
import { executionKeys } from '../services/execution-service/execution-service-config.js';
import { settlementFields, SettlementRecordSchema, type SettlementRecord } from '../services/position-tracker/settlement-record.js';
import { pairs } from '../services/position-tracker/trade-ingest.js';

export interface RestoreResult {
  readonly trades: number;
  readonly settlements: number;
  /** Why nothing was written, or null. */
  readonly refused: string | null;
}

interface HistoryTrade {
  readonly streamId: string;
  readonly msgId: string;
  readonly trade: TradeCompleted;
}

export async function restoreLedger(redis: Redis, pool: pg.Pool, prefix: string): Promise<RestoreResult> {
  const keys = { trades: prefix + SlowKey.tradesCompleted, settlements: prefix + SlowKey.positionsSettlements, exec: executionKeys(prefix).settlements };
  const history = await readTrades(pool);
  const inStream = await streamEntries(redis, keys.trades);
  const heldIds = new Set(inStream.map(([, f]) => tradeIdOf(f)));
  const lost = history.filter((h) => !heldIds.has(h.trade.trade_id));
  const probe = new LedgerProbe(redis, prefix + SlowKey.ledgerEpoch);
  // XADD with an explicit id must go past the last id ever generated, trimmed entries included.
  const lastId = (await probe.mark(keys.trades)).lastId;
  const early = lost.find((h) => compareStreamIds(h.streamId, lastId) <= 0);
  if (early !== undefined) {
    return { trades: 0, settlements: 0, refused: `${keys.trades} already holds entries up to ${lastId}, after the lost trade ${early.trade.trade_id} (${early.streamId}): it cannot be put back in order` };
  }
  const settlements = await lostSettlements(redis, pool, keys.settlements, [...inStream.map(([id]) => id), ...lost.map((h) => h.streamId)]);
  if (typeof settlements === 'string') return { trades: 0, settlements: 0, refused: settlements };

  for (const h of lost) {
    const envelope = { v: ENVELOPE_VERSION, type: 'trade_completed', id: h.msgId, src: 'ledger_restore.0', seq: 0, ts: h.trade.decided_ts, origin_ts: h.trade.decided_ts, data: h.trade };
    await redis.xadd(keys.trades, h.streamId, ...streamEntryFields(Topic.tradeCompleted(h.trade.trade_id), envelope));
  }
  for (const s of settlements) {
    await redis.xadd(keys.settlements, '*', ...settlementFields(s));
    for (const m of s.markets) await redis.hsetnx(keys.exec, `${m.venue}:${m.market_id}`, String(m.outcome_yes_price));
  }
  await probe.replaceEpoch('restored', `restored from Postgres: ${lost.length} trades, ${settlements.length} settlements`);
  return { trades: lost.length, settlements: settlements.length, refused: null };
}

/** Every recorded trade with its fills, in stream order. */
async function readTrades(pool: pg.Pool): Promise<HistoryTrade[]> {
  const trades = await pool.query<Record<string, string | null>>(
    `SELECT trade_id, msg_id, stream_id, source, source_id, game_id, sport, mode, status, reason, decided_ts::text AS decided_ts FROM trades
      ORDER BY split_part(stream_id, '-', 1)::numeric, split_part(stream_id, '-', 2)::numeric`,
  );
  const fills = await pool.query<Record<string, string | number | null>>(
    'SELECT trade_id, venue, market_id, side, action, contracts, yes_price, fee_cc::text AS fee_cc, order_id, notional_cc::text AS notional_cc FROM fills ORDER BY trade_id, leg',
  );
  const byTrade = new Map<string, unknown[]>();
  for (const f of fills.rows) {
    const list = byTrade.get(String(f.trade_id)) ?? [];
    list.push({ venue: f.venue, market_id: f.market_id, side: f.side, action: f.action, contracts: Number(f.contracts), yes_price: Number(f.yes_price), fee_cc: Number(f.fee_cc), order_id: f.order_id, ...(f.notional_cc === null ? {} : { notional_cc: Number(f.notional_cc) }) });
    byTrade.set(String(f.trade_id), list);
  }
  const out: HistoryTrade[] = [];
  for (const t of trades.rows) {
    if (!isStreamId(t.stream_id ?? '')) continue;
    const trade = TradeCompletedSchema.parse({
      trade_id: t.trade_id, source: t.source, source_id: t.source_id, game_id: t.game_id, sport: t.sport, mode: t.mode,
      status: t.status, reason: t.reason, fills: byTrade.get(t.trade_id!) ?? [], decided_ts: Number(t.decided_ts),
    });
    out.push({ streamId: t.stream_id!, msgId: t.msg_id!, trade });
  }
  return out;
}

/**
 * Settlements Postgres has and the stream lacks, each placed after the last trade appended before
 * it; refused when one would have to go before a settlement the stream still holds.
 */
async function lostSettlements(redis: Redis, pool: pg.Pool, key: string, tradeIds: string[]): Promise<SettlementRecord[] | string> {
  const held = await streamEntries(redis, key);
  const heldIds = new Set(held.map(([, f]) => pairs(f).settlement_id));
  const lastAfter = held.map(([, f]) => afterTradeOf(f)).filter((id): id is string => id !== null).sort(compareStreamIds).at(-1) ?? STREAM_START;
  const rows = await pool.query<{ settlement_id: string; game_id: string; sport: string; home_score: number; away_score: number; markets: unknown; ts: string }>(
    'SELECT settlement_id, game_id, sport, home_score, away_score, markets, ts::text AS ts FROM settlements ORDER BY ts, settlement_id',
  );
  const sortedTrades = [...tradeIds].sort(compareStreamIds);
  const out: SettlementRecord[] = [];
  for (const r of rows.rows) {
    if (heldIds.has(r.settlement_id)) continue;
    const ts = Number(r.ts);
    const after = lastTradeBefore(sortedTrades, Math.floor(ts / 1000));
    if (compareStreamIds(after, lastAfter) < 0) return `${key} already holds a settlement after trade ${lastAfter}, later than where the lost settlement ${r.settlement_id} goes (${after})`;
    out.push(SettlementRecordSchema.parse({ ...r, after_trade_id: after, ts }));
  }
  return out;
}

function lastTradeBefore(sorted: readonly string[], ms: number): string {
  let found = STREAM_START;
  for (const id of sorted) {
    if (Number(id.slice(0, id.indexOf('-'))) > ms) break;
    found = id;
  }
  return found;
}

async function streamEntries(redis: Redis, key: string): Promise<[string, string[]][]> {
  const out: [string, string[]][] = [];
  let start = '-';
  for (;;) {
    const batch = (await redis.xrange(key, start, '+', 'COUNT', 1000)) as [string, string[]][];
    out.push(...batch);
    if (batch.length < 1000) return out;
    start = `(${batch.at(-1)![0]}`;
  }
}

function tradeIdOf(flat: string[]): string | undefined {
  try {
    return (JSON.parse(pairs(flat).data ?? 'null') as { trade_id?: string } | null)?.trade_id;
  } catch {
    return undefined;
  }
}

function afterTradeOf(flat: string[]): string | null {
  try {
    const after = (JSON.parse(pairs(flat).data ?? 'null') as { after_trade_id?: string } | null)?.after_trade_id;
    return typeof after === 'string' && isStreamId(after) ? after : null;
  } catch {
    return null;
  }
}
