/**
 * Shared signal pieces: which outcomes a bet pays on, debounce keys, expiry.
 */
import { describe, expect, it } from 'vitest';
import { backedKey, coveredOutcomes, isExpired } from './signal-result.js';

describe('signal result helpers', () => {
  it('YES pays on its outcome, NO on every other one', () => {
    expect(coveredOutcomes('home', 'yes', ['home', 'away'])).toEqual(['home']);
    expect(coveredOutcomes('home', 'no', ['home', 'away'])).toEqual(['away']);
    expect(coveredOutcomes('home', 'no', ['home', 'draw', 'away'])).toEqual(['draw', 'away']);
  });

  it('gives one key to bets that back the same outcomes', () => {
    expect(backedKey(coveredOutcomes('away', 'no', ['home', 'away']))).toBe(backedKey(coveredOutcomes('home', 'yes', ['home', 'away'])));
    expect(backedKey(['away', 'draw'])).toBe(backedKey(['draw', 'away']));
  });

  it('a signal is expired from its expires_ts on', () => {
    expect(isExpired({ expires_ts: 100 }, 99)).toBe(false);
    expect(isExpired({ expires_ts: 100 }, 100)).toBe(true);
  });
});
