/**
 * Orders whose outcome is unknown (the venue did not answer in time, the reply was lost, the
 * service died with the order in flight). Each one blocks its market for new orders (the risk
 * engine's RISK_MARKET_UNRECONCILED) until it is reconciled against the venue's own orders and
 * fills; the block is kept in Redis (`exec:blocked`), so it survives a restart. Reconciliation
 * runs every `intervalMs`; the engine is told when a decision has no unknown leg left.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { errorMessage } from '../../core/errors.js';
import { marketKey } from '../../core/execution/order-types.js';
import type { RiskState } from '../../core/risk/risk-state.js';
import type { Venue } from '../../core/topics.js';
import { type TradeLeg, type TradeRecord } from './execution-types.js';
import { emptyReport } from '../../core/execution/venue-order.js';
import { reasonText } from '../../core/execution/exec-reasons.js';
import type { VenueExecutors } from '../../venues/venue-executor.js';

export interface OutcomeTrackerOptions {
  redis: Redis;
  blockedKey: string;
  risk: RiskState;
  executors: VenueExecutors;
  intervalMs: number;
  log: Pick<Logger, 'warn' | 'info'>;
  /** A decision has no unknown leg left. */
  onResolved: (record: TradeRecord) => Promise<void>;
  onLegReconciled: (record: TradeRecord, leg: TradeLeg) => void;
}

const keyOf = (r: TradeRecord) => `${r.source}:${r.sourceId}`;

export class OrderOutcomeTracker {
  readonly #records = new Map<string, TradeRecord>();
  /** Blocks this process wrote to Redis (only those can be cleared by an operator). */
  readonly #persisted = new Set<string>();
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  reconciled = 0;
  reconcileErrors = 0;

  constructor(private readonly o: OutcomeTrackerOptions) {}

  /** Blocks markets persisted by an earlier run (before any decision is made). */
  async loadBlocked(): Promise<number> {
    const blocked = await this.o.redis.hgetall(this.o.blockedKey);
    for (const [key, why] of Object.entries(blocked)) {
      const colon = key.indexOf(':');
      this.o.risk.blockMarket(key.slice(0, colon) as Venue, key.slice(colon + 1), why);
    }
    return Object.keys(blocked).length;
  }

  start(): void {
    this.#timer = setInterval(() => void this.reconcileNow(), this.o.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  get unknownDecisions(): number {
    return this.#records.size;
  }

  /** Tracks a decision with unknown legs and blocks their markets (in memory now, in Redis as well). */
  async track(record: TradeRecord): Promise<void> {
    this.#records.set(keyOf(record), record);
    for (const leg of unknownLegs(record)) {
      const why = `${record.source} ${record.sourceId} order ${leg.order.clientOrderId}: outcome unknown since ${new Date(leg.sentAtMs ?? Date.now()).toISOString()}`;
      this.o.risk.blockMarket(leg.order.venue, leg.order.marketId, why);
      try {
        await this.o.redis.hset(this.o.blockedKey, marketKey(leg.order.venue, leg.order.marketId), why);
        this.#persisted.add(marketKey(leg.order.venue, leg.order.marketId));
      } catch (err) {
        this.o.log.warn({ code: 'ARB_EXEC_RECORD_FAILED', err: errorMessage(err) }, 'could not persist a blocked market (blocked in memory)');
      }
    }
  }

  reconcileNow(): Promise<void> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #pass(): Promise<void> {
    const cleared = await this.#operatorCleared();
    for (const record of [...this.#records.values()]) {
      for (const leg of unknownLegs(record)) {
        if (cleared.has(marketKey(leg.order.venue, leg.order.marketId))) {
          // The operator checked the venue and removed the block (HDEL exec:blocked): no fill is booked here.
          leg.state = 'done';
          leg.report = emptyReport('none', reasonText('EXEC_ORDER_UNKNOWN', 'cleared by the operator (exec:blocked); no fill booked by this service'));
          this.o.onLegReconciled(record, leg);
          continue;
        }
        try {
          const report = await this.o.executors[leg.order.venue].reconcile(leg.order, leg.sentAtMs ?? record.updatedMs);
          if (report === null) continue;
          leg.state = 'done';
          leg.report = report;
          this.reconciled++;
          this.o.onLegReconciled(record, leg);
        } catch (err) {
          this.reconcileErrors++;
          this.o.log.warn({ code: 'ARB_EXEC_ORDER_UNKNOWN', err: errorMessage(err), order: leg.order.clientOrderId }, 'reconciliation attempt failed; retrying');
        }
      }
      if (unknownLegs(record).length === 0) {
        this.#records.delete(keyOf(record));
        await this.o.onResolved(record);
        await this.#unblockClear(record);
      }
    }
  }

  /** Markets blocked here whose entry an operator deleted from the Redis hash. */
  async #operatorCleared(): Promise<Set<string>> {
    const out = new Set<string>();
    if (this.#records.size === 0) return out;
    let persisted: Record<string, string>;
    try {
      persisted = await this.o.redis.hgetall(this.o.blockedKey);
    } catch {
      return out;
    }
    for (const r of this.#records.values()) {
      for (const leg of unknownLegs(r)) {
        const key = marketKey(leg.order.venue, leg.order.marketId);
        if (this.#persisted.has(key) && !(key in persisted)) out.add(key);
      }
    }
    return out;
  }

  /** Unblocks the record's markets unless another unknown order still sits on them. */
  async #unblockClear(record: TradeRecord): Promise<void> {
    const still = new Set<string>();
    for (const r of this.#records.values()) for (const leg of unknownLegs(r)) still.add(marketKey(leg.order.venue, leg.order.marketId));
    for (const leg of [...record.legs, ...record.unwinds]) {
      const key = marketKey(leg.order.venue, leg.order.marketId);
      if (still.has(key)) continue;
      this.o.risk.markReconciled(leg.order.venue, leg.order.marketId);
      try {
        await this.o.redis.hdel(this.o.blockedKey, key);
        this.#persisted.delete(key);
      } catch (err) {
        this.o.log.warn({ code: 'ARB_EXEC_RECORD_FAILED', err: errorMessage(err) }, 'could not clear a blocked market in Redis');
      }
    }
  }
}

export function unknownLegs(record: TradeRecord): TradeLeg[] {
  return [...record.legs, ...record.unwinds].filter((l) => l.state === 'unknown');
}
