import { describe, expect, it } from 'vitest';
import { Bankroll } from './bankroll.js';
import { BankrollError } from './bankroll-error.js';

describe('bankroll reservations', () => {
  it('reserved cash is not available to a second order', () => {
    const bank = new Bankroll(100_000);
    bank.reserve('a', 70_000);
    expect(bank.availableCc).toBe(30_000);
    expect(() => bank.reserve('b', 30_001)).toThrow(BankrollError);
    bank.reserve('b', 30_000);
    expect(bank.availableCc).toBe(0);
    expect(bank.snapshot()).toEqual({ cashCc: 100_000, reservedCc: 100_000, availableCc: 0, reservations: 2 });
  });

  it('a fill releases its reservation and applies the real cost; releases are idempotent', () => {
    const bank = new Bankroll(100_000);
    bank.reserve('a', 60_000);
    bank.applyCashDelta(-52_500, 'a'); // filled at a better price than reserved
    expect(bank.snapshot()).toEqual({ cashCc: 47_500, reservedCc: 0, availableCc: 47_500, reservations: 0 });
    expect(bank.release('a')).toBe(0);
    expect(() => bank.reserve('x', -1)).toThrow(BankrollError);
    expect(() => bank.reserve('x', 1.5)).toThrow(BankrollError);
    expect(() => bank.applyCashDelta(0.5)).toThrow(BankrollError);
  });

  it('refuses a duplicate reservation id and over-withdrawal, accepts deposits', () => {
    const bank = new Bankroll(10_000);
    bank.reserve('a', 1);
    expect(() => bank.reserve('a', 1)).toThrow(/already exists/);
    expect(() => bank.withdraw(10_000)).toThrow(BankrollError);
    bank.deposit(5_000);
    bank.withdraw(14_999);
    expect(bank.cashCc).toBe(1);
    expect(bank.availableCc).toBe(0);
  });
});
