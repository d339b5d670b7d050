/**
 * Reduce-only mode: with control:entries_paused ON (prefixed here), execution_service rejects new
 * entries with EXEC_ENTRIES_PAUSED and still executes an exit of a held position; turning it off
 * lets entries through again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowMicros } from '../src/core/time.js';
import { ExecHarness, modelSignal } from './execution-harness.js';

const h = new ExecHarness();

beforeAll(async () => {
  await h.startSource();
  await h.startExec();
}, 60_000);

afterAll(() => h.close());

describe('entries paused (reduce-only)', () => {
  it('rejects entries, executes exits, and resumes', async () => {
    const market = `KXRO-${h.uid}`;
    await h.fillEntry(market);

    await h.redis.set(`${h.prefix}control:entries_paused`, 'on: test');
    await new Promise((r) => setTimeout(r, 120)); // a few polls
    const blocked = modelSignal({ marketId: market, yesPrice: 0.4, contracts: 5, modelProb: null });
    h.publishSignal(blocked);
    const rejected = await h.waitTrade(blocked.signal_id);
    expect(rejected.status).toBe('rejected');
    expect(rejected.reason).toMatch(/^EXEC_ENTRIES_PAUSED: entries paused/);

    const now = nowMicros();
    const exitId = `x-${h.uid}`;
    h.publishExit({ exit_id: exitId, position_id: `kalshi:${market}:yes`, game_id: 'g1', venue: 'kalshi', market_id: market, side: 'yes', contracts: 5, yes_price: 0.38, reason: 'manual', created_ts: now, expires_ts: now + 10_000_000 });
    const exit = await h.waitTrade(exitId);
    expect(exit.status).toBe('filled');
    expect(exit.fills[0]?.action).toBe('sell');

    await h.redis.set(`${h.prefix}control:entries_paused`, 'off');
    await new Promise((r) => setTimeout(r, 120));
    const again = modelSignal({ marketId: market, yesPrice: 0.4, contracts: 5, modelProb: null });
    h.publishSignal(again);
    expect((await h.waitTrade(again.signal_id)).status).toBe('filled');
  }, 30_000);
});
