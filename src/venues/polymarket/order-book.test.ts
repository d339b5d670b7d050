import { describe, expect, it } from 'vitest';
import { PolyOrderBook } from './order-book.js';

describe('PolyOrderBook', () => {
  it('applies a snapshot then level updates, best first, 0 removing a level', () => {
    const b = new PolyOrderBook('1');
    expect(b.synced).toBe(false);
    b.applySnapshot([{ price: 0.8, size: 311 }, { price: 0.81, size: 1520 }], [{ price: 0.83, size: 90 }, { price: 0.82, size: 233 }], 1, 10);
    expect(b.top()).toEqual({ bestBid: { price: 0.81, size: 1520 }, bestAsk: { price: 0.82, size: 233 } });
    expect(b.midpoint()).toBe(0.815);
    b.applyLevel('BUY', 0.81, 1720, 2, 20);
    b.applyLevel('SELL', 0.82, 0, 3, 30);
    b.applyLevel('BUY', 0.1 + 0.7, 5, 4, 40); // 0.7999999999999999 lands on the 0.80 level
    expect(b.bidLevels()).toEqual([{ price: 0.81, size: 1720 }, { price: 0.8, size: 5 }]);
    expect(b.askLevels()).toEqual([{ price: 0.83, size: 90 }]);
    expect(b.receivedUs).toBe(40);
    expect(b.isCrossed()).toBe(false);
    b.applyLevel('BUY', 0.9, 1, 5, 50);
    expect(b.isCrossed()).toBe(true);
  });

  it('a new snapshot replaces everything', () => {
    const b = new PolyOrderBook('1');
    b.applySnapshot([{ price: 0.5, size: 1 }], [{ price: 0.6, size: 1 }], 1, 1);
    b.markStale();
    expect(b.synced).toBe(false);
    b.applySnapshot([], [{ price: 0.7, size: 2 }, { price: 0.71, size: 0 }], 2, 2);
    expect(b.synced).toBe(true);
    expect(b.top()).toEqual({ bestBid: null, bestAsk: { price: 0.7, size: 2 } });
    expect(b.depth).toEqual({ bids: 0, asks: 1 });
  });
});
