/**
 * The decision loop of execution_service. For each signal or exit, in order:
 *
 *   validate -> plan and risk-check (synchronous: sizing, the 15 risk checks, then the cash
 *   reservation and exposure booking, all before the next await) -> claim the id in Redis with
 *   the plan in the same write (at most once across restarts, and write-ahead) -> kill switch
 *   re-checked -> send every leg together -> unwind any arbitrage excess -> book the fills -> record the
 *   outcome: trades:completed + decision record in one MULTI, then trades.completed.<id> on the
 *   hot path, plus an audit entry at every step.
 *
 * Every path ends in a recorded state with a reason: malformed, duplicate, rejected by risk,
 * venue refusal, no fill, partial, unwound, unknown (market blocked until reconciled), or
 * recovered after a restart.
 */
import type { Logger } from 'pino';
import type { RawEnvelope } from '../../core/envelope.js';
import { errorMessage, LedgerFencedError } from '../../core/errors.js';
import { ThrottledLog } from '../../core/throttled-log.js';
import { ExitSignalSchema, TradeSignalSchema, type ExitSignal, type Fill, type TradeCompleted, type TradeSignal } from '../../core/messages.js';
import { SPORTS, isValidTopicId, type Sport } from '../../core/topics.js';
import { nowMicros } from '../../core/time.js';
import { addContracts, subContracts } from '../../core/money.js';
import { sellableContracts } from '../../core/execution/sell-size.js';
import type { Metrics } from '../../runtime/metrics.js';
import type { AuditLog } from './audit-log.js';
import type { BookCache } from './book-cache.js';
import type { ExecutionSettings } from './execution-service-config.js';
import type { ExecutionState } from './execution-state.js';
import { type TradeLeg, type TradeRecord } from './execution-types.js';
import { emptyReport, type LegReport } from '../../core/execution/venue-order.js';
import { reasonText } from '../../core/execution/exec-reasons.js';
import type { IdempotencyStore } from './idempotency-store.js';
import type { KillSwitch } from './kill-switch.js';
import { entryPauseReason, type EntryPause } from './entry-pause.js';
import { planExit, planTradeSignal, requestIdOf, type PlanContext, type PlanResult } from './order-planner.js';
import { unknownLegs, type OrderOutcomeTracker } from './order-outcome-tracker.js';
import type { TradeRecorder } from './trade-recorder.js';
import { clientOrderId, type VenueExecutors } from '../../venues/venue-executor.js';

export interface EngineDeps {
  settings: ExecutionSettings;
  state: ExecutionState;
  books: BookCache;
  executors: VenueExecutors;
  killSwitch: Pick<KillSwitch, 'on' | 'reason'>;
  /** Reduce-only mode (control:entries_paused); absent = never paused. */
  entryPause?: EntryPause;
  store: IdempotencyStore;
  recorder: TradeRecorder;
  audit: AuditLog;
  log: Logger;
  metrics: Metrics;
  orderTimeoutMs: number;
}

const MAX_ID = 128;

export class ExecutionService {
  tracker: OrderOutcomeTracker | null = null;
  /** Told of every well-formed trade signal before it is decided (the service follows its markets). */
  onSignal: ((signal: TradeSignal, receivedUs: number) => void) | null = null;
  /** Sport of every game seen (exits carry no sport; TradeCompleted needs one). */
  readonly #sportOfGame = new Map<string, Sport>();
  /** Claims refused because the ledger is gone: one line a second at most. */
  readonly #fencedLog: ThrottledLog;

  constructor(private readonly d: EngineDeps) {
    this.#fencedLog = new ThrottledLog(d.log, { maxPerWindow: 1 });
  }

  noteGameSport(gameId: string, sport: Sport): void {
    this.#sportOfGame.set(gameId, sport);
  }

  // ---- entry points ---------------------------------------------------------------------------

  async onTradeSignal(envelope: RawEnvelope): Promise<void> {
    const receivedUs = nowMicros();
    this.d.metrics.inc('signals_received');
    const parsed = TradeSignalSchema.safeParse(envelope.data);
    if (!parsed.success) return this.#malformed('signal', envelope, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const signal = parsed.data;
    this.noteGameSport(signal.game_id, signal.sport);
    // The book each leg was priced on, unless a newer one is held: no fill on a book older than its signal.
    for (const leg of signal.legs) this.d.books.offerCarried(leg.venue, leg.market_id, leg.book, receivedUs);
    this.onSignal?.(signal, receivedUs);
    const record = newRecord('signal', signal.signal_id, signal.kind, signal.game_id, signal.sport, envelope);
    await this.#decide(record, envelope, () => planTradeSignal(signal, this.#planContext()), signal);
    this.d.metrics.set('last_decision_us', nowMicros() - receivedUs);
  }

  async onExitSignal(envelope: RawEnvelope): Promise<void> {
    this.d.metrics.inc('exits_received');
    const parsed = ExitSignalSchema.safeParse(envelope.data);
    if (!parsed.success) return this.#malformed('exit', envelope, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const exit = parsed.data;
    const sport = this.#sportOfExit(exit);
    if (sport === null) {
      this.d.metrics.inc('exits_unknown_game');
      this.d.audit.record({ event: 'rejected', sourceId: exit.exit_id, reason: reasonText('RISK_EXIT_EXCEEDS_POSITION', 'no position and no known sport for this game'), data: exit });
      return;
    }
    const record = newRecord('exit', exit.exit_id, 'exit', exit.game_id, sport, envelope);
    await this.#decide(record, envelope, () => planExit(exit, sport, this.#planContext()), exit);
  }

  // ---- decision -------------------------------------------------------------------------------

  /**
   * Plans first (synchronously, reserving at once), then claims the id in Redis with the plan in
   * the same write: an accepted decision costs one awaited round trip before its orders go out,
   * where a claim and then a separate write-ahead save cost two. A duplicate found by the claim
   * gives its reservation back. A rejection is claimed too, so a duplicate of a signal decided
   * earlier (in this or a previous run) gets no second record.
   */
  async #decide(record: TradeRecord, envelope: RawEnvelope, plan: () => PlanResult, input: TradeSignal | ExitSignal): Promise<void> {
    const { audit, state } = this.d;
    audit.record({ event: 'signal_received', sourceId: record.sourceId, data: { kind: record.kind, envelope_id: envelope.id, origin_ts: envelope.origin_ts } });
    // From here to reserve(): synchronous, so no other decision can interleave.
    let result = plan();
    const paused = entryPauseReason(this.d.entryPause, record.source);
    if (result.ok && paused !== null) result = { ok: false, code: 'EXEC_ENTRIES_PAUSED', detail: paused };
    if (!result.ok && result.code === 'RISK_KILL_SWITCH') result = { ...result, detail: `${result.detail} (${this.d.killSwitch.reason() ?? 'cleared since'})` };
    if (!result.ok) {
      if (!(await this.#claimed(record, envelope))) return;
      this.d.metrics.inc(`rejected.${result.code}`);
      record.state = 'done';
      audit.record({ event: 'rejected', sourceId: record.sourceId, reason: reasonText(result.code, result.detail), data: input });
      return this.#publish(record, [], 'rejected', reasonText(result.code, result.detail));
    }
    const acceptedUs = nowMicros();
    state.reserve(result.request, result.requiredCc, acceptedUs);
    record.request = result.request;
    record.reservedCc = result.requiredCc;
    record.legs = result.orders.map((order) => ({ order, state: 'pending', report: null, sentAtMs: null, published: false }));
    record.state = 'executing';
    record.notes.push(result.sizing);
    record.updatedMs = Date.now();
    // The claim carries the plan (write-ahead): a restart knows these orders may be out.
    if (!(await this.#claimed(record, envelope, () => state.withdraw(result.request, acceptedUs)))) return;
    audit.record({ event: 'accepted', sourceId: record.sourceId, data: { sizing: result.sizing, reserved_cc: result.requiredCc, orders: result.orders } });
    const halted = this.d.killSwitch.reason();
    const reducing = result.request.legs.every((l) => l.action === 'sell') && this.d.settings.limits.killSwitchAllowsExits;
    if (halted !== null && !reducing) {
      // Flipped while the plan was being saved: nothing was sent yet, so nothing is.
      state.release(result.request.requestId);
      record.legs = [];
      record.state = 'done';
      audit.record({ event: 'rejected', sourceId: record.sourceId, reason: reasonText('RISK_KILL_SWITCH', `${halted} (before sending)`) });
      return this.#publish(record, [], 'rejected', reasonText('RISK_KILL_SWITCH', `${halted} (before sending)`));
    }
    await this.#execute(record);
  }

  /**
   * Claims the decision's id with the record as it stands. When it cannot (a duplicate, or Redis
   * unavailable), `undo` gives back what the plan reserved and the rejection is recorded in the
   * stream only; returns whether the decision is this process's to carry out.
   */
  async #claimed(record: TradeRecord, envelope: RawEnvelope, undo: () => void = () => {}): Promise<boolean> {
    let claim;
    try {
      claim = await this.d.store.claim(record);
    } catch (err) {
      undo();
      if (err instanceof LedgerFencedError) {
        // Redis lost the ledger under us: no decision and no record, not even a rejection (it
        // would land in the truncated trades:completed); the ledger guard halts us next.
        this.d.metrics.inc('claims_fenced');
        this.#fencedLog.warn({ code: err.code, signal: record.sourceId }, err.message);
        return false;
      }
      this.d.metrics.inc('claims_failed');
      await this.#rejectUnclaimed(record, reasonText('EXEC_RECORD_UNAVAILABLE', errorMessage(err)), 'norecord');
      return false;
    }
    if (claim.claimed) return true;
    undo();
    this.d.metrics.inc('duplicates');
    const before = claim.existing;
    const detail = before ? `already ${before.state}${before.status ? ` (${before.status})` : ''} since ${new Date(before.updatedMs).toISOString()}` : 'already claimed';
    this.d.audit.record({ event: 'duplicate_detected', sourceId: record.sourceId, reason: reasonText('EXEC_DUPLICATE', detail), data: { envelope_id: envelope.id } });
    await this.#rejectUnclaimed(record, reasonText('EXEC_DUPLICATE', detail), `dup-${shortId(envelope.id)}`);
    return false;
  }

  async #execute(record: TradeRecord): Promise<void> {
    await this.#sendAll(record, record.legs);
    if (unknownLegs(record).length === 0) await this.#unwindIfShort(record);
    await this.finish(record);
  }

  async #sendAll(record: TradeRecord, legs: TradeLeg[]): Promise<void> {
    await Promise.all(
      legs.map(async (leg) => {
        leg.sentAtMs = Date.now();
        this.d.audit.record({ event: 'order_sent', sourceId: record.sourceId, data: leg.order });
        const report = await withDeadline(this.d.executors[leg.order.venue].place(leg.order), this.d.orderTimeoutMs + 2_000);
        leg.report = report;
        leg.state = report.status === 'unknown' ? 'unknown' : 'done';
        this.d.audit.record({ event: 'leg_outcome', sourceId: record.sourceId, reason: report.detail || null, data: { order: leg.order.clientOrderId, status: report.status, filled: report.filled, fee_cc: report.feeCc } });
      }),
    );
  }

  /**
   * Legs bought together must end equal (each set pays exactly 1). Any leg that filled more than
   * the shortest is sold back at once at whatever the book pays: a naked leg is the bigger risk.
   * Unwinds run even with the kill switch on: they only reduce risk.
   */
  async #unwindIfShort(record: TradeRecord): Promise<void> {
    if (record.legs.length < 2 || record.unwinds.length > 0) return;
    if (!record.legs.every((l) => l.order.action === 'buy')) return;
    const filled = record.legs.map((l) => l.report?.filled ?? 0);
    const matched = Math.min(...filled);
    const unwinds: TradeLeg[] = [];
    record.legs.forEach((leg, i) => {
      // What the venue can sell of the excess: a remainder below its sell step (a Polymarket
      // fraction of a share) stays on the position as dust and is paid at settlement.
      const excess = sellableContracts(leg.order.venue, subContracts(filled[i]!, matched));
      if (excess <= 0) return;
      unwinds.push({
        order: { ...leg.order, action: 'sell', contracts: excess, limitYesPrice: null, purpose: 'unwind', clientOrderId: clientOrderId(requestIdOf(record.source, record.sourceId), i, 'unwind'), createdMs: Date.now() },
        state: 'pending',
        report: null,
        sentAtMs: null,
        published: false,
      });
    });
    if (unwinds.length === 0) return;
    record.unwinds = unwinds;
    this.d.metrics.inc('unwinds');
    this.d.audit.record({ event: 'unwind', sourceId: record.sourceId, reason: `legs filled ${filled.join('/')}; selling the excess over ${matched}`, data: unwinds.map((u) => u.order) });
    try {
      await this.d.store.save(record);
    } catch (err) {
      this.d.log.warn({ code: 'ARB_EXEC_RECORD_FAILED', err: errorMessage(err) }, 'unwind plan not saved; sending anyway (a naked leg is the bigger risk)');
    }
    await this.#sendAll(record, unwinds);
  }

  /** Books whatever is newly known, publishes it, and either closes the decision or hands it to reconciliation. */
  async finish(record: TradeRecord): Promise<void> {
    const fresh = [...record.legs, ...record.unwinds].filter((l) => l.state === 'done' && !l.published);
    const fills: Fill[] = [];
    const nowUs = nowMicros();
    for (const leg of fresh) {
      for (const fill of leg.report?.fills ?? []) {
        try {
          this.d.state.applyFill(fill, { gameId: record.gameId, sport: record.sport, team: leg.order.team }, nowUs);
        } catch (err) {
          // Still published: the venue did it; the tracker will see the same inconsistency.
          record.notes.push(`fill not applied: ${errorMessage(err)}`);
          this.d.audit.record({ event: 'state_error', sourceId: record.sourceId, reason: reasonText('EXEC_STATE', errorMessage(err)), data: fill });
        }
        fills.push(fill);
      }
      leg.published = true;
    }
    const unknown = unknownLegs(record);
    if (unknown.length === 0) {
      if (record.request) this.d.state.release(record.request.requestId);
      record.state = 'done';
    } else {
      record.state = 'unknown';
      this.d.metrics.inc('outcomes_unknown');
      this.d.audit.record({ event: 'outcome_unknown', sourceId: record.sourceId, reason: unknown.map((l) => l.report?.detail ?? 'no answer').join('; '), data: unknown.map((l) => l.order) });
    }
    const { status, reason } = summarize(record);
    // Blocked (in Redis too) before anyone hears "unknown": a reader of the trade finds the block.
    if (record.state === 'unknown') await this.tracker?.track(record);
    await this.#publish(record, fills, status, reason);
  }

  // ---- recording ------------------------------------------------------------------------------

  async #publish(record: TradeRecord, fills: Fill[], status: TradeCompleted['status'], reason: string | null): Promise<void> {
    const n = record.publications++;
    record.status = status;
    record.reason = reason;
    record.updatedMs = Date.now();
    const trade: TradeCompleted = {
      trade_id: tradeIdFor(record, n),
      source: record.source,
      source_id: record.sourceId,
      game_id: record.gameId,
      sport: record.sport,
      mode: this.d.settings.mode,
      status,
      reason,
      fills,
      decided_ts: nowMicros(),
    };
    this.d.metrics.inc(`trades.${status}`);
    this.d.metrics.set('last_tick_to_trade_us', trade.decided_ts - record.originTs);
    this.d.audit.record({ event: 'completed', sourceId: record.sourceId, reason, data: { trade_id: trade.trade_id, status, fills: fills.length } });
    try {
      await this.d.recorder.record(trade, { originTs: record.originTs, cause: record.cause || null }, this.d.store.snapshotWriter(record));
    } catch (err) {
      this.d.log.error({ code: 'ARB_EXEC_RECORD_FAILED', err: errorMessage(err), trade: trade.trade_id }, 'trade not recorded');
    }
  }

  /** Rejections that own no decision record (duplicate, or Redis unavailable): recorded in the stream only. */
  #rejectUnclaimed(record: TradeRecord, reason: string, suffix: string): Promise<void> {
    const trade: TradeCompleted = {
      trade_id: withSuffix(record.source === 'exit' ? `exit-${record.sourceId}` : record.sourceId, suffix),
      source: record.source,
      source_id: record.sourceId,
      game_id: record.gameId,
      sport: record.sport,
      mode: this.d.settings.mode,
      status: 'rejected',
      reason,
      fills: [],
      decided_ts: nowMicros(),
    };
    this.d.metrics.inc('trades.rejected');
    return this.d.recorder.record(trade, { originTs: record.originTs, cause: record.cause || null }).catch((err: unknown) => {
      this.d.log.error({ code: 'ARB_EXEC_RECORD_FAILED', err: errorMessage(err) }, 'rejection not recorded');
    });
  }

  async #malformed(source: 'signal' | 'exit', envelope: RawEnvelope, problem: string): Promise<void> {
    this.d.metrics.inc('signals_malformed');
    const data = (typeof envelope.data === 'object' && envelope.data !== null ? envelope.data : {}) as Record<string, unknown>;
    const id = source === 'signal' ? data.signal_id : data.exit_id;
    const reason = reasonText('EXEC_MALFORMED', problem.slice(0, 500));
    this.d.log.warn({ code: 'ARB_EXEC_SIGNAL_INVALID', source, envelope: envelope.id, problem: problem.slice(0, 300) }, 'ARB_EXEC_SIGNAL_INVALID: malformed signal rejected');
    this.d.audit.record({ event: 'signal_malformed', sourceId: typeof id === 'string' ? id.slice(0, MAX_ID) : '', reason, data: { envelope_id: envelope.id, src: envelope.src } });
    const gameId = data.game_id;
    const sport = typeof data.sport === 'string' ? data.sport.toLowerCase() : null;
    const knownSport = (SPORTS as readonly string[]).includes(sport ?? '') ? (sport as Sport) : typeof gameId === 'string' ? (this.#sportOfGame.get(gameId) ?? null) : null;
    // A TradeCompleted needs an id, a game and a sport; without them the audit entry is the record.
    if (typeof id !== 'string' || !isValidTopicId(id) || typeof gameId !== 'string' || !isValidTopicId(gameId) || knownSport === null) return;
    const record = newRecord(source, id, source === 'exit' ? 'exit' : 'model_edge', gameId, knownSport, envelope);
    await this.#rejectUnclaimed(record, reason, `malformed-${shortId(envelope.id)}`);
  }

  #planContext(): PlanContext {
    const nowUs = nowMicros();
    return {
      settings: this.d.settings,
      books: this.d.books,
      executors: this.d.executors,
      view: this.d.state.view(this.d.killSwitch.on, this.d.books, nowUs),
      cashCc: this.d.state.bankroll.cashCc,
      nowUs,
      nowMs: Date.now(),
    };
  }

  #sportOfExit(exit: ExitSignal): Sport | null {
    const held = this.d.state.positions.get(exit.venue, exit.market_id, exit.side);
    return held?.sport ?? this.#sportOfGame.get(exit.game_id) ?? null;
  }

  // ---- restart --------------------------------------------------------------------------------

  /**
   * Finishes what a previous run left in flight. A decision that never got to send is closed as
   * interrupted; one whose orders may be out is re-booked (reservation, exposure) and its open
   * legs resolved: paper orders had no effect outside the dead process, venue orders are looked
   * up at the venue by their client order id (the market stays blocked until they are found).
   */
  async recover(records: TradeRecord[]): Promise<void> {
    for (const record of records) {
      this.d.metrics.inc('recovered');
      this.noteGameSport(record.gameId, record.sport);
      this.d.audit.record({ event: 'recovered_after_restart', sourceId: record.sourceId, reason: `found ${record.state}`, data: { legs: record.legs.length } });
      if (record.state === 'claimed' || record.legs.length === 0) {
        record.state = 'done';
        await this.#publish(record, [], 'rejected', reasonText('EXEC_INTERRUPTED', 'the service stopped before any order was sent'));
        continue;
      }
      if (record.request) this.d.state.reserve(record.request, record.reservedCc, nowMicros());
      for (const leg of [...record.legs, ...record.unwinds]) {
        if (leg.state !== 'pending') continue;
        if (this.d.settings.mode === 'paper' || this.d.settings.dryRun) {
          leg.state = 'done';
          leg.report = emptyReport('none', reasonText('EXEC_INTERRUPTED', 'paper order had no recorded outcome; nothing filled'));
        } else {
          leg.state = 'unknown';
          leg.sentAtMs ??= record.updatedMs;
          leg.report = emptyReport('unknown', reasonText('EXEC_INTERRUPTED', 'the service stopped with this order in flight; reconciling with the venue'));
        }
      }
      if (unknownLegs(record).length === 0) await this.#unwindIfShort(record);
      await this.finish(record);
    }
  }

  /** Called by the tracker once a decision has no unknown leg left. */
  async resolved(record: TradeRecord): Promise<void> {
    await this.#unwindIfShort(record);
    await this.finish(record);
  }
}

function newRecord(source: TradeRecord['source'], sourceId: string, kind: TradeRecord['kind'], gameId: string, sport: Sport, envelope: RawEnvelope): TradeRecord {
  return {
    source,
    sourceId,
    kind,
    gameId,
    sport,
    originTs: Number.isFinite(envelope.origin_ts) ? envelope.origin_ts : nowMicros(),
    cause: typeof envelope.id === 'string' ? envelope.id : '',
    state: 'claimed',
    request: null,
    reservedCc: 0,
    legs: [],
    unwinds: [],
    publications: 0,
    status: null,
    reason: null,
    notes: [],
    updatedMs: Date.now(),
  };
}

/** Status and reason of the decision as it stands (all legs and unwinds). */
export function summarize(record: TradeRecord): { status: TradeCompleted['status']; reason: string | null } {
  const legs = record.legs;
  const reports = legs.map((l) => l.report ?? emptyReport('unknown', 'no report'));
  if (unknownLegs(record).length > 0) {
    return { status: 'unknown', reason: reasonText('EXEC_ORDER_UNKNOWN', [...legs, ...record.unwinds].filter((l) => l.state === 'unknown').map((l) => `${l.order.venue}:${l.order.marketId} ${l.report?.detail ?? ''}`).join('; ')) };
  }
  // A venue's 'filled' counts: a Polymarket buy that spent all it signed may hold 6.9989 of 7 shares.
  const filledAll = reports.every((r, i) => r.status === 'filled' || r.filled >= legs[i]!.order.contracts);
  const anyFill = reports.some((r) => r.filled > 0);
  if (filledAll && record.unwinds.length === 0) return { status: 'filled', reason: null };
  if (record.unwinds.length > 0) {
    const sold = record.unwinds.reduce((s, u) => addContracts(s, u.report?.filled ?? 0), 0);
    const excess = record.unwinds.reduce((s, u) => addContracts(s, u.order.contracts), 0);
    const filled = reports.map((r) => r.filled).join('/');
    const short = reports.map((r) => r.detail).filter((d) => d).join('; ');
    const state = sold >= excess ? 'one_short_unwound' : 'one_short_unwind_incomplete';
    return { status: 'partial', reason: `${state}: legs filled ${filled}, unwound ${sold} of ${excess} excess${sold < excess ? `, ${subContracts(excess, sold)} left open` : ''}${short ? ` (${short})` : ''}` };
  }
  if (anyFill) return { status: 'partial', reason: reports.map((r, i) => `${legs[i]!.order.venue}:${legs[i]!.order.marketId} ${r.filled}/${legs[i]!.order.contracts}`).join(', ') };
  const details = reports.map((r) => r.detail).filter((d) => d).join('; ');
  const rejected = reports.some((r) => r.status === 'rejected');
  return { status: rejected ? 'rejected' : 'failed', reason: details || reasonText('EXEC_NO_FILL', 'nothing filled') };
}

function tradeIdFor(record: TradeRecord, n: number): string {
  const base = record.source === 'exit' ? `exit-${record.sourceId}` : record.sourceId;
  return n === 0 ? fit(base) : withSuffix(base, `r${n}`);
}

function fit(id: string): string {
  return id.length <= MAX_ID ? id : id.slice(0, MAX_ID);
}

function withSuffix(base: string, suffix: string): string {
  const room = MAX_ID - suffix.length - 1;
  return `${base.slice(0, room)}-${suffix}`;
}

function shortId(id: unknown): string {
  const s = typeof id === 'string' ? id.replace(/[^A-Za-z0-9_-]/g, '') : '';
  return (s || Math.random().toString(36).slice(2)).slice(-24);
}

/** A venue call that never settles would hold the decision for ever: past the deadline it is unknown. */
function withDeadline(p: Promise<LegReport>, ms: number): Promise<LegReport> {
  let timer: NodeJS.Timeout;
  const deadline = new Promise<LegReport>((resolve) => {
    timer = setTimeout(() => resolve(emptyReport('unknown', reasonText('EXEC_ORDER_UNKNOWN', `no answer within ${ms} ms`))), ms);
  });
  return Promise.race([p.catch((err: unknown) => emptyReport('unknown', reasonText('EXEC_ORDER_UNKNOWN', errorMessage(err)))), deadline]).finally(() => clearTimeout(timer));
}
