/**
 * Our fills against the venues' own: every order the venue simulators filled for our accounts
 * must be booked by us exactly once, with the same number of contracts. Ours come from the
 * recorder's Postgres (the record of truth, which survives a Redis that lost data) and from the
 * `trades:completed` stream; the venues' from Kalshi `GET /portfolio/fills` and Polymarket
 * `GET /data/trades`, through the same clients execution uses, signed with the simulated accounts'
 * keys in the data dir.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import pg from 'pg';
import type { LocalAccount } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { Hex } from 'viem';
import { SlowKey } from '../src/core/slow-keys.js';
import { ensureSimKalshiKey } from '../src/sim/sim-kalshi-key.js';
import { SIM_ENDPOINTS_KEY, type SimEndpoints } from '../src/sim/sim-endpoints.js';
import { loadKalshiSigner } from '../src/venues/kalshi/auth.js';
import { KalshiHttpClient } from '../src/venues/kalshi/http.js';
import { buildL1Headers } from '../src/venues/polymarket/auth.js';
import { PolymarketClobClient } from '../src/venues/polymarket/http.js';

/** Contracts per order id. */
export type OrderTotals = Map<string, number>;

export interface Reconciliation {
  venueOrders: number;
  ourOrders: number;
  /** Filled at the venue, not booked by us. */
  lost: string[];
  /** Booked by us more than the venue filled (or under two trade records). */
  duplicated: string[];
  /** Booked short of the venue by a whole contract or more. */
  short: string[];
  /** Booked by us, unknown to the venue. */
  phantom: string[];
  /** Differences under one contract (fractional Polymarket shares are not booked). */
  fractional: number;
}

/** Fills per order id in the recorder's `fills` table, and order ids booked under two trades. */
export async function fillsInPostgres(databaseUrl: string): Promise<{ totals: OrderTotals; twice: string[] }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const rows = await client.query<{ order_id: string; contracts: number; action: string; trades: string }>(
      `SELECT order_id, SUM(contracts)::float8 AS contracts, MIN(action) AS action, COUNT(DISTINCT trade_id)::text AS trades
         FROM fills WHERE order_id IS NOT NULL GROUP BY order_id`,
    );
    const totals: OrderTotals = new Map();
    const twice: string[] = [];
    for (const r of rows.rows) {
      totals.set(r.order_id, Number(r.contracts));
      if (Number(r.trades) > 1) twice.push(r.order_id);
    }
    return { totals, twice };
  } finally {
    await client.end();
  }
}

/** Trade ids that appear more than once in `trades:completed`, and how many entries it holds. */
export async function duplicateTradeIds(redis: Redis): Promise<{ entries: number; duplicates: string[] }> {
  const seen = new Set<string>();
  const duplicates: string[] = [];
  let entries = 0;
  let from = '-';
  for (;;) {
    const batch = await redis.xrange(SlowKey.tradesCompleted, from, '+', 'COUNT', 1000);
    for (const [id, fields] of batch) {
      if (id === from) continue;
      entries++;
      const data = fields[fields.indexOf('data') + 1];
      const tradeId = data === undefined ? id : ((JSON.parse(data) as { trade_id?: string }).trade_id ?? id);
      if (seen.has(tradeId)) duplicates.push(tradeId);
      seen.add(tradeId);
    }
    if (batch.length < 1000) return { entries, duplicates };
    from = batch[batch.length - 1]![0];
  }
}

/** Contracts per order id the venue simulators filled for our two accounts. */
export async function fillsAtVenues(dataDir: string, endpoints: SimEndpoints): Promise<OrderTotals> {
  const totals: OrderTotals = new Map();
  const add = (orderId: string, contracts: number) => totals.set(orderId, (totals.get(orderId) ?? 0) + contracts);

  const key = ensureSimKalshiKey(dataDir);
  const kalshi = new KalshiHttpClient({ baseUrl: endpoints.kalshiRestUrl, signer: loadKalshiSigner({ keyId: key.keyId, privateKeyPath: key.privateKeyPath }) });
  let cursor: string | undefined;
  do {
    const page = await kalshi.getFills({ limit: 200, ...(cursor !== undefined ? { cursor } : {}) });
    for (const f of page.fills) add(f.orderId, f.count);
    cursor = page.cursor ?? undefined;
  } while (cursor !== undefined && cursor !== '');

  const account = polyWallet(dataDir);
  const l1 = new PolymarketClobClient({ baseUrl: endpoints.polyClobUrl, readRetries: 0 });
  const credentials = await l1.createApiKey(await buildL1Headers(account));
  const poly = new PolymarketClobClient({ baseUrl: endpoints.polyClobUrl, credentials, address: account.address });
  for (const t of await poly.getTrades()) {
    if (t.traderSide === 'TAKER') add(t.takerOrderId, Number(t.size) / 1e6);
    else for (const m of t.makerOrders) add(m.orderId, Number(m.matched) / 1e6);
  }
  return totals;
}

/** The simulated wallet execution_service keeps in the data dir (src/venues/polymarket/adapter.ts). */
function polyWallet(dataDir: string): LocalAccount {
  const key = readFileSync(path.join(dataDir, 'sim', 'execution-poly-wallet.key'), 'utf8').trim() as Hex;
  return privateKeyToAccount(key);
}

export async function simEndpoints(redis: Redis): Promise<SimEndpoints> {
  const raw = await redis.get(SIM_ENDPOINTS_KEY);
  if (raw === null) throw new Error(`${SIM_ENDPOINTS_KEY} is not in Redis: is the simulator running?`);
  return JSON.parse(raw) as SimEndpoints;
}

export function reconcile(venue: OrderTotals, ours: OrderTotals, bookedTwice: readonly string[]): Reconciliation {
  const out: Reconciliation = { venueOrders: venue.size, ourOrders: ours.size, lost: [], duplicated: [...bookedTwice], short: [], phantom: [], fractional: 0 };
  for (const [orderId, atVenue] of venue) {
    const booked = ours.get(orderId);
    if (booked === undefined) {
      if (atVenue >= 1) out.lost.push(orderId);
      else out.fractional++;
      continue;
    }
    const diff = booked - atVenue;
    if (diff >= 1 && !out.duplicated.includes(orderId)) out.duplicated.push(orderId);
    else if (diff <= -1) out.short.push(orderId);
    else if (diff !== 0) out.fractional++;
  }
  for (const [orderId, booked] of ours) if (!venue.has(orderId) && booked > 0) out.phantom.push(orderId);
  return out;
}
