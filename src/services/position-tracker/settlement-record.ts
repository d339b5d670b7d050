/**
 * A settlement as the tracker records it in `positions:settlements` before applying it. The
 * record carries everything replay needs (the outcome price of each market, decided once) and
 * the trades:completed id it was applied after, so a restart puts it back at the same place in
 * the order of trades: a buy that came after the final opens a new position in replay too.
 */
import { z } from 'zod';
import { SportSchema, VenueSchema } from '../../core/messages.js';
import { isStreamId } from './stream-ids.js';

const Id = z.string().min(1).max(128);

export const SettledMarketSchema = z.object({
  venue: VenueSchema,
  market_id: Id,
  outcome: z.enum(['home', 'away', 'draw']),
  /** 1 when the YES contract won, 0 when it lost. */
  outcome_yes_price: z.union([z.literal(0), z.literal(1)]),
});

export const SettlementRecordSchema = z.object({
  settlement_id: Id,
  game_id: Id,
  sport: SportSchema,
  home_score: z.number().int().nonnegative(),
  away_score: z.number().int().nonnegative(),
  after_trade_id: z.string().refine(isStreamId, 'not a stream id'),
  markets: z.array(SettledMarketSchema).min(1),
  ts: z.number().int().nonnegative(),
});

export type SettledMarket = z.infer<typeof SettledMarketSchema>;
export type SettlementRecord = z.infer<typeof SettlementRecordSchema>;

/** Stream entry fields: the id and game for redis-cli readers, the record as JSON. */
export function settlementFields(record: SettlementRecord): string[] {
  return ['settlement_id', record.settlement_id, 'game_id', record.game_id, 'data', JSON.stringify(record)];
}

/** Parses a stream entry's fields; null when malformed. Never throws. */
export function parseSettlementFields(fields: Readonly<Record<string, string>>): SettlementRecord | null {
  if (fields.data === undefined) return null;
  let json: unknown;
  try {
    json = JSON.parse(fields.data);
  } catch {
    return null;
  }
  const parsed = SettlementRecordSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}
