import { describe, expect, it } from 'vitest';
import type { PriceUpdate } from '../../core/messages.js';
import { BookCache } from './book-cache.js';

const S = 1_000_000;
const quote = (marketId: string, status: PriceUpdate['status'] = 'open'): PriceUpdate => ({
  venue: 'kalshi', market_id: marketId, game_id: 'g1', team: null, yes_bid: 0.4, yes_ask: 0.42, yes_bid_size: 10, yes_ask_size: 10, status,
});

describe('book cache: markets that went silent', () => {
  it('forgets the books and statuses of markets not heard since the cut, and keeps the rest usable', () => {
    const books = new BookCache(7_200 * S, { pricesAsBooks: true });
    const t0 = 1_000 * S;
    books.onPrice(quote('SETTLED'), t0, t0);
    books.onPrice(quote('SETTLED', 'settled'), t0 + 1, t0 + 1);
    books.onPrice(quote('OLD'), t0, t0);
    books.onPrice(quote('LIVE'), t0, t0);
    const later = t0 + 3_600 * S;
    books.onPrice(quote('LIVE'), later, later);
    expect(books.size).toBe(3);
    expect(books.forgetSilentSince(later - 60 * S)).toBe(2);
    expect(books.size).toBe(1);
    expect(books.get('kalshi', 'LIVE', later).ok).toBe(true);
    expect(books.get('kalshi', 'OLD', later)).toMatchObject({ ok: false, why: 'no book received for kalshi:OLD' });
    // A market heard again after being forgotten is simply new.
    books.onPrice(quote('OLD'), later + 1, later + 1);
    expect(books.get('kalshi', 'OLD', later + 1).ok).toBe(true);
  });
});
