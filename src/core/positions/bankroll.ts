/**
 * Cash, in integer centi-cents, owned by one writer. The reference system lost trades' P&L by
 * re-reading an absolute balance over its own (a write-after-read race); here every change is a
 * delta applied in order (the cashDeltaCc of a PositionChange), so nothing is ever overwritten.
 *
 * cashCc is all cash, reserved included. A reservation earmarks cash for an order in flight so
 * two orders cannot spend the same dollars; availableCc = cashCc - reservedCc is what a new order
 * may use. Facts are never refused: a fill that happened is applied even if it costs more than
 * its reservation (the venue already took the money); only new reservations can be refused.
 */
import { BankrollError } from './bankroll-error.js';

export interface BankrollSnapshot {
  readonly cashCc: number;
  readonly reservedCc: number;
  readonly availableCc: number;
  readonly reservations: number;
}

export class Bankroll {
  private cash: number;
  private reserved = 0;
  private readonly reservations = new Map<string, number>();

  constructor(startCc: number) {
    checkAmount('start', startCc);
    this.cash = startCc;
  }

  get cashCc(): number {
    return this.cash;
  }

  get reservedCc(): number {
    return this.reserved;
  }

  get availableCc(): number {
    return this.cash - this.reserved;
  }

  /** Earmark cash for an order in flight; refused when it exceeds what is available. */
  reserve(id: string, amountCc: number): void {
    checkAmount('reservation', amountCc);
    if (this.reservations.has(id)) throw new BankrollError(`reservation ${id} already exists`, { id });
    if (amountCc > this.availableCc) {
      throw new BankrollError(`reservation ${id} of ${amountCc} cc exceeds the ${this.availableCc} cc available`, { id });
    }
    this.reservations.set(id, amountCc);
    this.reserved += amountCc;
  }

  /** Release a reservation; returns what it held (0 when already released: releases are idempotent). */
  release(id: string): number {
    const amount = this.reservations.get(id) ?? 0;
    this.reservations.delete(id);
    this.reserved -= amount;
    return amount;
  }

  /** Apply a cash movement that happened (fill, settlement), first releasing its reservation if given. */
  applyCashDelta(deltaCc: number, reservationId?: string): void {
    if (!Number.isInteger(deltaCc)) throw new BankrollError(`cash delta ${deltaCc} is not an integer number of cc`);
    if (reservationId !== undefined) this.release(reservationId);
    this.cash += deltaCc;
  }

  deposit(amountCc: number): void {
    checkAmount('deposit', amountCc);
    this.cash += amountCc;
  }

  withdraw(amountCc: number): void {
    checkAmount('withdrawal', amountCc);
    if (amountCc > this.availableCc) throw new BankrollError(`withdrawal of ${amountCc} cc exceeds the ${this.availableCc} cc available`);
    this.cash -= amountCc;
  }

  snapshot(): BankrollSnapshot {
    return { cashCc: this.cash, reservedCc: this.reserved, availableCc: this.availableCc, reservations: this.reservations.size };
  }
}

function checkAmount(what: string, cc: number): void {
  if (!Number.isSafeInteger(cc) || cc < 0) throw new BankrollError(`${what} ${cc} must be a non-negative integer number of cc`);
}
