import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EnvelopeSigner } from '../../bus/envelope-signer.js';
import type { RawEnvelope } from '../../core/envelope.js';
import { Metrics } from '../../runtime/metrics.js';
import type { AuditEntry } from './audit-log.js';
import { SignalGate, roleOf } from './signal-gate.js';

const signer = new EnvelopeSigner({ current: { id: 'k1', secret: randomBytes(32) }, previous: null, source: 'test' });

function gate(verify: boolean) {
  const audits: AuditEntry[] = [];
  const warns: unknown[] = [];
  const metrics = new Metrics();
  const g = new SignalGate({
    tradeRoles: ['game_shard'],
    exitRoles: ['position_tracker', 'api'],
    verifier: verify ? signer : null,
    audit: { record: (e) => void audits.push(e) },
    metrics,
    log: { warn: (o: unknown) => void warns.push(o), debug() {}, error() {} },
  });
  return { g, audits, warns, metrics };
}

const env = (src: string, data: unknown = { signal_id: 's1' }): RawEnvelope => ({ v: 1, type: 'trade_signal', id: 'e1', src, seq: 1, ts: 1, origin_ts: 1, data });

describe('signal gate', () => {
  it('takes the role from src; with auth off only the role decides, per kind of signal', () => {
    expect(roleOf('game_shard.3')).toBe('game_shard');
    expect(roleOf('game_shard.host.a')).toBe('game_shard');
    expect(roleOf('nodot')).toBe('nodot');
    const { g, audits, metrics } = gate(false);
    expect(g.admit('signals.trade.s1', env('game_shard.0'))).toBe(true);
    expect(g.admit('signals.exit.p1', env('position_tracker.0', { exit_id: 'x1' }))).toBe(true);
    expect(g.admit('signals.exit.p1', env('api.0', { exit_id: 'x2' }))).toBe(true);
    expect(g.admit('signals.trade.s1', env('api.0'))).toBe(false);
    expect(g.admit('signals.exit.p1', env('game_shard.0', { exit_id: 'x3' }))).toBe(false);
    expect(g.admit('signals.trade.s1', env('game_shardx.0'))).toBe(false);
    expect(metrics.get('untrusted.untrusted_source')).toBe(3);
    expect(audits.map((a) => [a.event, a.sourceId])).toEqual([['signal_untrusted', 's1'], ['signal_untrusted', 'x3'], ['signal_untrusted', 's1']]);
    expect(audits[0]!.reason).toMatch(/^EXEC_UNTRUSTED_SOURCE: publisher "api\.0" \(role "api"\) may not send trade signals; allowed: game_shard$/);
  });

  it('with auth on, a signed signal of an allowed role passes; signed by the wrong role or unsigned does not', () => {
    const { g, metrics } = gate(true);
    const ok = env('game_shard.0');
    signer.sign('signals.trade.s1', ok);
    expect(g.admit('signals.trade.s1', ok)).toBe(true);
    // Signed, but the topic it is replayed on is not the one signed.
    expect(g.admit('signals.trade.s2', ok)).toBe(false);
    const wrongRole = env('api.0');
    signer.sign('signals.trade.s1', wrongRole);
    expect(g.admit('signals.trade.s1', wrongRole)).toBe(false);
    expect(g.admit('signals.trade.s1', env('game_shard.0'))).toBe(false);
    expect([metrics.get('untrusted.bad_mac'), metrics.get('untrusted.untrusted_source'), metrics.get('untrusted.unsigned')]).toEqual([1, 1, 1]);
  });

  it('a flood is counted in full, audited at most 50 a second, logged once a second', () => {
    const { g, audits, warns, metrics } = gate(true);
    for (let i = 0; i < 1_000; i++) g.admit('signals.trade.s1', env('fake.0'));
    expect(metrics.get('signals_untrusted')).toBe(1_000);
    expect(audits.length).toBe(50);
    expect(metrics.get('untrusted.audit_suppressed')).toBe(950);
    expect(warns.length).toBe(1);
  });

  it('never throws and never admits unsigned junk (fuzz)', () => {
    const { g } = gate(true);
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), fc.anything(), fc.anything(), (topic, src, data, mac) => {
        const e = { ...env(src, data), mac } as RawEnvelope;
        expect(g.admit(topic, e)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
