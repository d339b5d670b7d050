/**
 * The ledger fence: with the ledger guard on, execution_service claims and writes its durable
 * records, and position_tracker its settlements, only while `ledger:epoch` exists. A Redis that came back empty (here: the epoch key
 * deleted, the guard's own check slowed down so the window before it halts stays open) gets no
 * decision, no rejection and no record; what the outbox held is written, in order, once the
 * epoch is back (an operator restored or confirmed the ledger).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerFencedError } from '../src/core/errors.js';
import { IdempotencyStore } from '../src/services/execution-service/idempotency-store.js';
import { executionKeys } from '../src/services/execution-service/execution-service-config.js';
import { fencedXadd, recordCommands } from '../src/runtime/ledger-fence.js';
import { RedisOutbox, xadd, type OutboxEntry } from '../src/services/execution-service/redis-outbox.js';
import { ExecHarness, modelSignal } from './execution-harness.js';
import { eventually, testRedis } from './helpers/redis.js';
import type { TradeRecord } from '../src/services/execution-service/execution-types.js';


describe('ledger fence, outbox and claims against a real Redis', () => {
  const { redis, prefix } = testRedis();
  const epoch = `${prefix}ledger:epoch`;
  const stream = `${prefix}fenced`;
  const entry = (n: number): OutboxEntry => ({ what: `e${n}`, write: (tx) => xadd(tx, stream, ['n', String(n)]) });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('holds every batch while the epoch is gone and writes them in order once it is back', async () => {
    const warnings: unknown[] = [];
    const outbox = new RedisOutbox(redis, { warn: (...args: unknown[]) => void warnings.push(args) }, { markerKey: `${prefix}marker`, retryMs: 20, fenceKey: epoch });
    for (let n = 0; n < 3; n++) void outbox.append(entry(n));
    await new Promise((r) => setTimeout(r, 150)); // several retries
    expect(await redis.exists(stream)).toBe(0);
    expect(outbox.pending).toBe(3);
    expect(outbox.failures).toBeGreaterThan(1);
    // A short fence is not logged (a new Redis gets its epoch a moment after the first records).
    expect(warnings).toEqual([]);
    await redis.hset(epoch, 'id', 'e1');
    void outbox.append(entry(3));
    await eventually(async () => outbox.pending === 0, 2_000, 'the outbox drained');
    expect((await redis.xrange(stream, '-', '+')).map(([, f]) => Number(f[1]))).toEqual([0, 1, 2, 3]);
    // The marker went in the same script, for the lost-reply check.
    expect(await redis.get(`${prefix}marker`)).not.toBeNull();
    await redis.del(epoch);
  });

  it('claims nothing while the epoch is gone', async () => {
    const keys = executionKeys(prefix);
    const store = new IdempotencyStore(redis, keys, 60, epoch);
    const record = { source: 'signal', sourceId: 'fence-1', state: 'claimed', legs: [], updatedMs: Date.now() } as unknown as TradeRecord;
    await expect(store.claim(record)).rejects.toBeInstanceOf(LedgerFencedError);
    expect(await redis.exists(store.recordKey('signal', 'fence-1'))).toBe(0);
    expect(await redis.sismember(keys.inFlight, 'signal:fence-1')).toBe(0);
    await redis.hset(epoch, 'id', 'e1');
    expect(await store.claim(record)).toEqual({ claimed: true });
  });

  it('appends a single entry (position_tracker settlements) only while the epoch exists', async () => {
    const settlements = `${prefix}settlements`;
    await redis.del(epoch);
    await expect(fencedXadd(redis, epoch, settlements, ['k', 'v1'])).rejects.toBeInstanceOf(LedgerFencedError);
    expect(await redis.exists(settlements)).toBe(0);
    await redis.hset(epoch, 'id', 'e1');
    const id = await fencedXadd(redis, epoch, settlements, ['k', 'v2']);
    expect(await redis.xrange(settlements, '-', '+')).toEqual([[id, ['k', 'v2']]]);
  });

  it('records the commands an entry writes, and refuses what a script cannot carry', () => {
    const into: string[][] = [];
    const tx = recordCommands(into);
    tx.set('k', 'v', 'EX', 5).sadd('s', 'm');
    xadd(tx, 'st', ['a', '1'], 100);
    expect(into).toEqual([
      ['set', 'k', 'v', 'EX', '5'],
      ['sadd', 's', 'm'],
      ['xadd', 'st', 'MAXLEN', '~', '100', '*', 'a', '1'],
    ]);
    expect(() => tx.set('k', Buffer.from('v'))).toThrow(/only string and number/);
    expect((tx as unknown as { then?: unknown }).then).toBeUndefined();
  });
});

describe('ledger fence, execution_service', () => {
  const h = new ExecHarness();
  const epoch = `${h.prefix}ledger:epoch`;

  beforeAll(async () => {
    await h.startSource();
    // The guard checks rarely here: the test plays the moment before it notices the loss.
    await h.startExec({ ARBEES_LEDGER_CHECK_MS: '600000' });
  }, 60_000);

  afterAll(() => h.close());

  it('decides nothing and records nothing while the epoch is gone; trades again once it is back', async () => {
    const market = `KXFENCE-${h.uid}`;
    await h.fillEntry(market);
    const saved = await h.redis.hgetall(epoch);
    expect(saved.id).toBeTruthy();
    const tradesBefore = (await h.streamTrades()).length;

    await h.redis.del(epoch);
    const lost = modelSignal({ marketId: market, yesPrice: 0.4, contracts: 5, modelProb: null });
    h.publishSignal(lost);
    await eventually(async () => ((await h.metrics())['claims_fenced'] ?? 0) >= 1, 10_000, 'the claim fenced');
    // A kill-switch change is audited through the outbox: held while fenced.
    const audit = `${h.prefix}audit:execution`;
    const auditBefore = await h.redis.xlen(audit);
    await h.redis.set(`${h.prefix}control:kill_switch`, 'on: fence test');
    await new Promise((r) => setTimeout(r, 300));
    expect(await h.redis.xlen(audit)).toBe(auditBefore);
    expect((await h.streamTrades()).length).toBe(tradesBefore);
    expect(await h.redis.exists(`${h.prefix}exec:decision:signal:${lost.signal_id}`)).toBe(0);

    await h.redis.hset(epoch, saved);
    await eventually(async () => (await h.redis.xlen(audit)) > auditBefore, 5_000, 'the held audit entry written');
    await h.redis.set(`${h.prefix}control:kill_switch`, 'off');
    await new Promise((r) => setTimeout(r, 150));
    const after = modelSignal({ marketId: market, yesPrice: 0.4, contracts: 5, modelProb: null });
    h.publishSignal(after);
    expect((await h.waitTrade(after.signal_id)).status).toBe('filled');
    expect((await h.streamTrades()).some((t) => t.trade.source_id === lost.signal_id)).toBe(false);
  }, 40_000);
});
