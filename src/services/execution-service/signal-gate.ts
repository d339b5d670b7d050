/**
 * Who may make execution_service trade: a trade signal is acted on only when it comes from a
 * publisher of an allowed role (game_shard) and an exit only from position_tracker or the api's
 * flatten control; with EXEC_SIGNAL_AUTH=required (the default, and the only choice in live
 * mode) the envelope must also carry a valid MAC under the system's bus key, which is what makes
 * its `src` (and so its role) believable: a registry entry or a ZMQ endpoint proves nothing,
 * anyone who can write to Redis can add one.
 *
 * Checked before anything else, before the signal id is claimed: a stranger cannot burn the id
 * of a real signal, nor write into trades:completed. A rejection is counted (`untrusted.*`),
 * audited (`signal_untrusted`, at most AUDIT_PER_SECOND a second, the rest counted) and logged
 * at most once a second.
 */
import type { Logger } from 'pino';
import type { MacCheck } from '../../bus/envelope-signer.js';
import type { RawEnvelope } from '../../core/envelope.js';
import { reasonText } from '../../core/execution/exec-reasons.js';
import { ThrottledLog } from '../../core/throttled-log.js';
import { TopicPrefix } from '../../core/topics.js';
import type { Metrics } from '../../runtime/metrics.js';
import type { AuditLog } from './audit-log.js';

const AUDIT_PER_SECOND = 50;
const MAX_ID = 128;

export interface SignalGateOptions {
  tradeRoles: readonly string[];
  exitRoles: readonly string[];
  /** Null: authentication off (EXEC_SIGNAL_AUTH=off), roles still checked. */
  verifier: { verify(topic: string, envelope: RawEnvelope): MacCheck } | null;
  audit: Pick<AuditLog, 'record'>;
  metrics: Metrics;
  log: Pick<Logger, 'warn' | 'debug' | 'error'>;
}

/** The service name in an envelope's `src` (`<service>.<instance>`). */
export function roleOf(src: string): string {
  const dot = src.indexOf('.');
  return dot < 0 ? src : src.slice(0, dot);
}

export class SignalGate {
  readonly #o: SignalGateOptions;
  readonly #logBudget: ThrottledLog;
  readonly #auditBudget: ThrottledLog;

  constructor(options: SignalGateOptions) {
    this.#o = options;
    this.#logBudget = new ThrottledLog(options.log, { maxPerWindow: 1 });
    this.#auditBudget = new ThrottledLog(options.log, { maxPerWindow: AUDIT_PER_SECOND });
  }

  /** True when the signal may be decided on; otherwise it has been counted, audited and logged. Never throws. */
  admit(topic: string, envelope: RawEnvelope): boolean {
    const exit = topic.startsWith(TopicPrefix.exitSignals);
    // The role first: a string compare, so junk from other publishers costs no HMAC. Either check
    // failing rejects; the role only counts once the MAC says the src is what was signed.
    const role = roleOf(envelope.src);
    const allowed = exit ? this.#o.exitRoles : this.#o.tradeRoles;
    if (!allowed.includes(role)) {
      const detail = `publisher ${JSON.stringify(envelope.src.slice(0, 100))} (role ${JSON.stringify(role.slice(0, 64))}) may not send ${exit ? 'exit' : 'trade'} signals; allowed: ${allowed.join(', ') || 'none'}`;
      return this.#reject(topic, envelope, 'untrusted_source', reasonText('EXEC_UNTRUSTED_SOURCE', detail));
    }
    if (this.#o.verifier !== null) {
      const check = this.#o.verifier.verify(topic, envelope);
      if (!check.ok) return this.#reject(topic, envelope, check.problem, reasonText('EXEC_UNAUTHENTICATED', `${check.problem}: ${check.detail}`));
    }
    return true;
  }

  #reject(topic: string, envelope: RawEnvelope, problem: string, reason: string): false {
    const { metrics, audit, log } = this.#o;
    metrics.inc('signals_untrusted');
    metrics.inc(`untrusted.${problem}`);
    const data = (typeof envelope.data === 'object' && envelope.data !== null ? envelope.data : {}) as Record<string, unknown>;
    const id = topic.startsWith(TopicPrefix.exitSignals) ? data.exit_id : data.signal_id;
    const sourceId = typeof id === 'string' ? id.slice(0, MAX_ID) : '';
    if (this.#auditBudget.allow()) {
      audit.record({ event: 'signal_untrusted', sourceId, reason, data: { envelope_id: String(envelope.id).slice(0, MAX_ID), src: envelope.src.slice(0, MAX_ID), topic: topic.slice(0, 200) } });
    } else metrics.inc('untrusted.audit_suppressed');
    if (this.#logBudget.allow()) {
      log.warn(
        { code: 'ARB_EXEC_SIGNAL_UNTRUSTED', src: envelope.src.slice(0, MAX_ID), topic: topic.slice(0, 200), reason: reason.slice(0, 300), untrusted: metrics.get('signals_untrusted') },
        'ARB_EXEC_SIGNAL_UNTRUSTED: signal rejected, not traded',
      );
    }
    return false;
  }
}
