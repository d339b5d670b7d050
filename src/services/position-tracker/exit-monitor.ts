/**
 * Runs the exit rules (src/core/positions/exit-rules.ts) on a position whenever its mark, its
 * game or the clock moves, and publishes `signals.exit.<position_id>` with an expiry.
 *
 * One exit per position is in flight: after a signal, the position gets no other until the
 * signal expires or the execution answers it with fills (a rejected exit keeps the position
 * quiet until expiry, so a kill switch does not turn into a signal storm). A condition may be
 * asked to hold on several consecutive checks before it fires (exitConfirmChecks).
 *
 * Hedged positions (an arbitrage: the same outcome held both ways) are exempt: selling one leg
 * on a price rule would turn a locked payout into a naked bet.
 */
import { randomBytes } from 'node:crypto';
import type { TopOfBook } from '../../core/execution/order-types.js';
import type { ExitSignal } from '../../core/messages.js';
import type { ExitRulesBySport } from '../../core/positions/exit-options.js';
import { evaluateExit, exitSignalFor, type ExitReason } from '../../core/positions/exit-rules.js';
import type { PositionSnapshot } from '../../core/positions/position-book.js';

export interface ExitMonitorOptions {
  readonly rules: ExitRulesBySport;
  readonly ttlUs: number;
  readonly confirmChecks: number;
}

export interface ExitInputs {
  readonly top: TopOfBook | null;
  readonly quoteUs: number | null;
  readonly modelYesProb: number | null;
  readonly secondsToEnd: number | null;
  readonly gameFinal: boolean;
  readonly hedged: boolean;
}

export type ExitCounters = Record<`exits_${ExitReason}`, number> & {
  exits_in_flight_suppressed: number;
  exits_expired: number;
  exits_hedged_held: number;
  exits_dropped: number;
};

interface InFlight {
  readonly exitId: string;
  readonly expiresUs: number;
}

export class ExitMonitor {
  readonly counters: ExitCounters = {
    exits_take_profit: 0,
    exits_stop_loss: 0,
    exits_edge_gone: 0,
    exits_stale_market: 0,
    exits_time: 0,
    exits_in_flight_suppressed: 0,
    exits_expired: 0,
    exits_hedged_held: 0,
    exits_dropped: 0,
  };
  private readonly inFlight = new Map<string, InFlight>();
  private readonly byExitId = new Map<string, string>();
  private readonly confirm = new Map<string, { reason: ExitReason; count: number }>();
  /** Exit ids must never repeat across restarts: execution deduplicates signals by id. */
  private readonly bootId = randomBytes(4).toString('hex');
  private sequence = 0;

  constructor(
    private readonly options: Readonly<ExitMonitorOptions>,
    /** Publishes the signal; false when the bus dropped it. */
    private readonly publish: (signal: ExitSignal) => boolean,
  ) {}

  /** Evaluates one position; returns the signal published, if any. */
  check(position: PositionSnapshot, inputs: ExitInputs, nowUs: number): ExitSignal | null {
    if (position.state !== 'open' || position.contracts <= 0) return null;
    const decision = evaluateExit(
      {
        position,
        top: inputs.top,
        quoteUs: inputs.quoteUs,
        modelYesProb: inputs.modelYesProb,
        secondsToEnd: inputs.secondsToEnd,
        gameFinal: inputs.gameFinal,
        nowUs,
      },
      this.options.rules[position.sport],
    );
    if (decision.action === 'hold') {
      this.confirm.delete(position.positionId);
      return null;
    }
    if (inputs.hedged) {
      this.counters.exits_hedged_held++;
      return null;
    }
    const flight = this.inFlight.get(position.positionId);
    if (flight !== undefined) {
      if (nowUs < flight.expiresUs) {
        this.counters.exits_in_flight_suppressed++;
        return null;
      }
      this.counters.exits_expired++;
      this.clear(position.positionId);
    }
    if (!this.confirmed(position.positionId, decision.reason)) return null;
    const exitId = `exit-${this.bootId}-${++this.sequence}`;
    const signal = exitSignalFor(decision, position, exitId, nowUs, this.options.ttlUs);
    if (!this.publish(signal)) {
      this.counters.exits_dropped++;
      return null;
    }
    this.counters[`exits_${decision.reason}`]++;
    this.inFlight.set(position.positionId, { exitId, expiresUs: signal.expires_ts });
    this.byExitId.set(exitId, position.positionId);
    this.confirm.delete(position.positionId);
    return signal;
  }

  /** The execution answered an exit: with fills the position may be checked again at once. */
  onExitTrade(exitId: string, filled: boolean): void {
    const positionId = this.byExitId.get(exitId);
    if (positionId !== undefined && filled) this.clear(positionId);
  }

  /** The position closed or settled. */
  forget(positionId: string): void {
    this.clear(positionId);
    this.confirm.delete(positionId);
  }

  inFlightCount(): number {
    return this.inFlight.size;
  }

  private confirmed(positionId: string, reason: ExitReason): boolean {
    const prev = this.confirm.get(positionId);
    const count = prev?.reason === reason ? prev.count + 1 : 1;
    this.confirm.set(positionId, { reason, count });
    return count >= this.options.confirmChecks;
  }

  private clear(positionId: string): void {
    const flight = this.inFlight.get(positionId);
    if (flight === undefined) return;
    this.inFlight.delete(positionId);
    this.byExitId.delete(flight.exitId);
  }
}
