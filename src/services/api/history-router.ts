/**
 * Chooses where each history read comes from. With a database (DATABASE_URL) trades, closed
 * positions and reports come from the recorder's Postgres; without one, or while it is
 * unreachable, trades and positions come from the Redis streams (every page says which in
 * `source`; each fallback is counted). After a failure Postgres is skipped for `retryMs`, so a
 * dead database costs one connect timeout per period, not one per request. A first page Postgres
 * has nothing for (the recorder not caught up yet) is served from Redis when Redis has entries.
 * The account's closed-position totals and mode and the signal funnel follow the same rule
 * (Postgres counts over all it holds; Redis when it is absent, down, or has nothing yet).
 * The signal list stays on Redis. Reports exist only in Postgres: without it they are a 503 with
 * ARB_API_NO_HISTORY.
 */
import type { AccountView, FunnelRow, Page, PositionView, ReportSummaryView, ReportView, SignalView, TradeView } from '../../core/api-protocol.js';
import type { AccountHistory, ClosedStats } from './account-history.js';
import type { TradeCompleted } from '../../core/messages.js';
import { ThrottledLog, type ThrottledLogSink } from '../../core/throttled-log.js';
import { ApiError } from './api-errors.js';
import type { HistoryReader, PageRequest } from './history-reader.js';
import { parseKeyset, type PostgresHistory } from './postgres-history.js';

export interface HistoryRouterCounters {
  postgres_reads: number;
  redis_reads: number;
  /** Reads that wanted Postgres and got Redis (error or skipped while down). */
  fallbacks: number;
  postgres_errors: number;
  /** First pages Postgres had nothing for, served from Redis. */
  postgres_empty: number;
}

type TradePage = PageRequest & { status?: TradeCompleted['status'] | undefined };

const DEFAULT_RETRY_MS = 5_000;

export class HistoryRouter implements HistoryReader, AccountHistory {
  readonly counters: HistoryRouterCounters = { postgres_reads: 0, redis_reads: 0, fallbacks: 0, postgres_errors: 0, postgres_empty: 0 };
  readonly #log: ThrottledLog;
  readonly #sourced = new WeakMap<object, Page<unknown>>();
  #downUntil = 0;

  constructor(
    private readonly redis: HistoryReader,
    private readonly redisTotals: AccountHistory,
    private readonly postgres: PostgresHistory | null,
    log: ThrottledLogSink,
    private readonly retryMs = DEFAULT_RETRY_MS,
  ) {
    this.#log = new ThrottledLog(log, { maxPerWindow: 1, windowMs: 30_000 });
  }

  /** Whether a database is configured (not whether it is up). */
  get hasDatabase(): boolean {
    return this.postgres !== null;
  }

  async signals(page: PageRequest): Promise<Page<SignalView>> {
    this.counters.redis_reads++;
    return this.#redisPage(await this.redis.signals(page));
  }

  trades(page: TradePage): Promise<Page<TradeView>> {
    return this.#read(page, (pg) => pg.trades(page), () => this.redis.trades(page));
  }

  closedPositions(page: PageRequest): Promise<Page<PositionView>> {
    const keyset = parseKeyset(page.before);
    // A Postgres cursor handed to the stream: everything closed before that millisecond.
    const redisPage = keyset === null ? page : { ...page, before: `${Math.floor(keyset.ts / 1_000)}-0` };
    return this.#read(page, (pg) => pg.closedPositions(page), () => this.redis.closedPositions(redisPage));
  }

  closedStats(): Promise<ClosedStats> {
    return this.#readTotals((pg) => pg.closedStats(), () => this.redisTotals.closedStats(), (s) => s.count === 0);
  }

  mode(): Promise<AccountView['mode']> {
    return this.#readTotals((pg) => pg.mode(), () => this.redisTotals.mode(), (m) => m === 'unknown');
  }

  funnel(window: number): Promise<FunnelRow[]> {
    return this.#readTotals((pg) => pg.funnel(window), () => this.redisTotals.funnel(window), (rows) => rows.length === 0);
  }

  async reports(q: PageRequest & { kind?: string | undefined }): Promise<Page<ReportSummaryView>> {
    return { ...(await this.#postgresOnly((pg) => pg.reports(q))), source: 'postgres' };
  }

  report(id: string): Promise<ReportView | null> {
    return this.#postgresOnly((pg) => pg.report(id));
  }

  async #read<T>(page: PageRequest, fromPostgres: (pg: PostgresHistory) => Promise<Page<T>>, fromRedis: () => Promise<Page<T>>): Promise<Page<T>> {
    const pg = this.#usable();
    if (pg !== null) {
      try {
        const result = await fromPostgres(pg);
        if (result.items.length > 0 || page.before !== undefined) {
          this.counters.postgres_reads++;
          return { ...result, source: 'postgres' };
        }
        const stream = await fromRedis();
        this.counters.redis_reads++;
        if (stream.items.length === 0) return { ...result, source: 'postgres' };
        this.counters.postgres_empty++;
        return this.#redisPage(stream);
      } catch (err) {
        this.#failed(err);
      }
    }
    if (this.postgres !== null) this.counters.fallbacks++;
    this.counters.redis_reads++;
    return this.#redisPage(await fromRedis());
  }

  /** Like #read for a total: Postgres unless absent, down or empty (the recorder not caught up), then Redis. */
  async #readTotals<T>(fromPostgres: (pg: PostgresHistory) => Promise<T>, fromRedis: () => Promise<T>, isEmpty: (value: T) => boolean): Promise<T> {
    const pg = this.#usable();
    if (pg !== null) {
      try {
        const result = await fromPostgres(pg);
        if (!isEmpty(result)) {
          this.counters.postgres_reads++;
          return result;
        }
        this.counters.postgres_empty++;
      } catch (err) {
        this.#failed(err);
        this.counters.fallbacks++;
      }
    } else if (this.postgres !== null) {
      this.counters.fallbacks++;
    }
    this.counters.redis_reads++;
    return fromRedis();
  }

  async #postgresOnly<T>(read: (pg: PostgresHistory) => Promise<T>): Promise<T> {
    if (this.postgres === null) throw new ApiError(503, 'ARB_API_NO_HISTORY', 'no history database configured (DATABASE_URL): reports live in Postgres');
    try {
      const result = await read(this.postgres);
      this.counters.postgres_reads++;
      this.#downUntil = 0;
      return result;
    } catch (err) {
      this.#failed(err);
      throw new ApiError(503, 'ARB_API_NO_HISTORY', 'the history database is not reachable right now; retry later');
    }
  }

  /**
   * A Redis page with its source: the same object for the same page (the stream page cache hands
   * out one object while the stream is unchanged), so the route serializes it once (read-routes.ts).
   */
  #redisPage<T>(page: Page<T>): Page<T> {
    let sourced = this.#sourced.get(page);
    if (sourced === undefined) this.#sourced.set(page, (sourced = { ...page, source: 'redis' }));
    return sourced as Page<T>;
  }

  /** Postgres unless there is none or it failed less than retryMs ago. */
  #usable(): PostgresHistory | null {
    return this.postgres !== null && Date.now() >= this.#downUntil ? this.postgres : null;
  }

  #failed(err: unknown): void {
    this.counters.postgres_errors++;
    this.#downUntil = Date.now() + this.retryMs;
    this.#log.warn({ err: (err as Error).message }, `history database unreachable: serving history from Redis, retrying in ${this.retryMs} ms`);
  }
}
