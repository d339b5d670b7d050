/**
 * Guards a service that rebuilds its state from the durable ledger (position_tracker,
 * execution_service) against a Redis that lost data: restarted empty, FLUSHALL, a failover to a
 * stale replica, an AOF that lost its last second. Before the rebuild (`admit`) and then every
 * `checkMs` while running (`watch`, which also covers a reconnect), it compares Redis's
 * `ledger:epoch` and the ends of the durable streams with the service's own record in its data
 * dir (ledger-record-file.ts; ledger-continuity.ts decides).
 *
 * On a loss: the kill switch goes on with the reason (unless an operator's halt is already on),
 * a critical health alert is raised (alerts:health and the hot path, which the notifier
 * forwards), the heartbeat says `degraded` with why, and `admit` does not return: nothing is
 * rebuilt from the truncated ledger until an operator runs `arbees ledger confirm` (a new epoch
 * the guard accepts) or the right Redis comes back. The service keeps running meanwhile.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { errorMessage } from '../core/errors.js';
import { killSwitchValueIsOn } from '../core/kill-switch-value.js';
import { judgeLedger, LEDGER_HALT_PREFIX, type LedgerEpoch, type LedgerVerdict, type StreamMark } from '../core/ledger-continuity.js';
import type { Heartbeat, HealthAlert } from '../core/messages.js';
import { nowMicros } from '../core/time.js';
import { Topic } from '../core/topics.js';
import type { HotPublisher } from '../bus/hot-publisher.js';
import { LedgerProbe } from './ledger-probe.js';
import { LedgerRecordFile } from './ledger-record-file.js';
import type { Metrics } from './metrics.js';
import type { ServiceContext } from './service.js';
import { SlowKey } from '../core/slow-keys.js';

const ALERTS_MAXLEN = 10_000;

export interface LedgerGuardOptions {
  readonly redis: Redis;
  readonly service: string;
  readonly instance: string;
  /** Full key names (with the service's key prefix). */
  readonly keys: { readonly epoch: string; readonly killSwitch: string; readonly alerts: string };
  /** The durable streams this service rebuilds from. */
  readonly streams: readonly string[];
  readonly record: LedgerRecordFile;
  readonly checkMs: number;
  /** The service's own consistency findings (e.g. a checkpoint beyond its stream's end). */
  readonly extraProblems?: (marks: Readonly<Record<string, StreamMark>>) => Promise<string[]>;
  readonly publisher?: HotPublisher | null;
  readonly setStatus: (status: Heartbeat['status'], detail?: string) => void;
  readonly log: Logger;
  readonly metrics: Metrics;
}

type CheckOutcome = 'ok' | 'lost' | 'error';

export class LedgerGuard {
  readonly counters = { checks: 0, check_errors: 0, incidents: 0, halted: 0 };
  readonly #probe: LedgerProbe;
  #halt: { problems: readonly string[] } | null = null;
  /** The status this guard set last (null: it left the status to the service). */
  #status: { status: Heartbeat['status']; detail: string } | null = null;
  #timer: NodeJS.Timeout | null = null;
  #wake: (() => void) | null = null;
  #checking = false;
  #stopped = false;

  /** A guard for a running service: its Redis, data dir, logger, metrics and heartbeat status. */
  static forService(
    ctx: ServiceContext<{ ledgerCheckMs: number }>,
    o: Pick<LedgerGuardOptions, 'streams' | 'extraProblems' | 'publisher'> & { keyPrefix: string },
  ): LedgerGuard {
    return new LedgerGuard({
      redis: ctx.redis,
      service: ctx.name,
      instance: ctx.instance,
      keys: { epoch: o.keyPrefix + SlowKey.ledgerEpoch, killSwitch: o.keyPrefix + SlowKey.killSwitch, alerts: o.keyPrefix + SlowKey.healthAlerts },
      streams: o.streams,
      record: LedgerRecordFile.forService(ctx.config.dataDir, ctx.name, ctx.instance, o.keyPrefix),
      checkMs: ctx.config.ledgerCheckMs,
      ...(o.extraProblems ? { extraProblems: o.extraProblems } : {}),
      publisher: o.publisher ?? null,
      setStatus: (status, detail) => ctx.setStatus(status, detail),
      log: ctx.log,
      metrics: ctx.metrics,
    });
  }

  constructor(private readonly o: LedgerGuardOptions) {
    this.#probe = new LedgerProbe(o.redis, o.keys.epoch);
    o.metrics.provide('ledger', () => ({ ...this.counters }));
  }

  /**
   * Resolves true once the ledger may be rebuilt from (checked intact, new, or accepted by an
   * operator); while it is lost the service is halted and this keeps checking. False: stopped.
   */
  async admit(): Promise<boolean> {
    let unchecked = false;
    for (;;) {
      if (this.#stopped) return false;
      const outcome = await this.check();
      if (outcome === 'ok') {
        if (unchecked) this.setHealthy();
        return !this.#stopped;
      }
      if (outcome === 'error' && this.#halt === null) {
        unchecked = true;
        this.setStatusNow('degraded', 'ledger not checked yet (Redis unreadable): nothing rebuilt until it is');
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.o.checkMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = null;
    }
  }

  /** Halted now: Redis lost ledger data and no operator accepted or restored it yet. */
  get halted(): boolean {
    return this.#halt !== null;
  }

  /** Keeps checking while the service runs: a Redis that restarts empty under it halts it too. */
  watch(): void {
    if (this.#stopped || this.#timer !== null) return;
    // Without the service's own findings: its running state has moved on from what it rebuilt.
    this.#timer = setInterval(() => void this.check(false), this.o.checkMs);
    this.#timer.unref();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    this.#wake?.();
  }

  /** One comparison and what follows from it; never throws. */
  async check(withServiceFindings = true): Promise<CheckOutcome> {
    if (this.#checking) return 'error';
    this.#checking = true;
    try {
      this.counters.checks++;
      const { verdict, epoch, marks, nowUs } = await this.judge(withServiceFindings);
      if (verdict.kind === 'lost') {
        await this.halt(verdict.problems);
        return 'lost';
      }
      const current = await this.settle(verdict, epoch);
      this.o.record.write({ epoch: current.id, epochKey: this.o.keys.epoch, savedUs: nowUs, streams: marks });
      if (this.#halt !== null) this.resume(verdict);
      return 'ok';
    } catch (err) {
      this.counters.check_errors++;
      if (this.counters.check_errors % 30 === 1) {
        this.o.log.warn({ err: errorMessage(err), errors: this.counters.check_errors }, 'ledger check failed (Redis unreachable?); retrying');
      }
      return 'error';
    } finally {
      this.#checking = false;
    }
  }

  private async judge(withServiceFindings: boolean): Promise<{ verdict: LedgerVerdict; epoch: LedgerEpoch | null; marks: Record<string, StreamMark>; nowUs: number }> {
    const nowUs = await this.#probe.nowUs();
    const epoch = await this.#probe.epoch();
    const marks = await this.#probe.marks(this.o.streams);
    const extra: string[] = [];
    let record = null;
    try {
      record = this.o.record.read();
    } catch (err) {
      extra.push(`this service's ledger record ${this.o.record.path} is unreadable (${errorMessage(err)}): it cannot tell what Redis should hold`);
    }
    if (withServiceFindings) extra.push(...((await this.o.extraProblems?.(marks)) ?? []));
    return { verdict: judgeLedger(record, epoch, marks, extra), epoch, marks, nowUs };
  }

  /** The epoch to record: a new ledger or a first start here writes one when there is none. */
  private async settle(verdict: Exclude<LedgerVerdict, { kind: 'lost' }>, epoch: LedgerEpoch | null): Promise<LedgerEpoch> {
    const by = `${this.o.service}.${this.o.instance}`;
    switch (verdict.kind) {
      case 'fresh':
        return this.#probe.ensureEpoch('fresh', `new ledger, first written by ${by}`);
      case 'adopt':
        if (epoch !== null) return epoch;
        this.o.log.info({ streams: this.o.streams }, 'ledger: no epoch yet on a ledger with history (first start with the ledger guard); adopting it as it is');
        return this.#probe.ensureEpoch('adopted', `existing ledger adopted by ${by}`);
      case 'accepted':
        this.o.log.warn({ epoch: verdict.epoch.id, origin: verdict.epoch.origin, note: verdict.epoch.note }, 'ledger: an operator accepted the ledger as it is now (a service still to rebuild rebuilds from it)');
        return verdict.epoch;
      case 'intact':
        return epoch!;
    }
  }

  private async halt(problems: readonly string[]): Promise<void> {
    const first = this.#halt === null;
    this.#halt = { problems };
    this.counters.halted = 1;
    this.setStatusNow('degraded', `HALTED: Redis lost ledger data: ${problems[0]}. Nothing is rebuilt from it; see arbees ledger status, accept with arbees ledger confirm or restore`);
    const switched = await this.haltTrading(problems[0]!, first);
    if (!first) return;
    this.counters.incidents++;
    this.o.log.error(
      { code: 'ARB_LEDGER_LOST', problems, killSwitch: switched },
      'ARB_LEDGER_LOST: Redis lost part of the durable ledger; trading halted (kill switch) and nothing is rebuilt from it until an operator runs `arbees ledger confirm` (or restores Redis); `arbees ledger status` shows what was lost',
    );
    await this.raiseAlert(`ledger lost data, trading halted: ${problems.join('; ')}. Run arbees ledger status; accept with arbees ledger confirm`);
  }

  /**
   * Kill switch on with the reason, unless a halt is already on (an operator's own reason stays).
   * After the first time it is only put back when the key is gone (Redis lost it again), never
   * over an operator who set it off deliberately.
   */
  private async haltTrading(problem: string, first: boolean): Promise<string> {
    try {
      const value = await this.o.redis.get(this.o.keys.killSwitch);
      if (killSwitchValueIsOn(value)) return `already on (${value})`;
      if (!first && value !== null) return `left off by an operator (${value})`;
      const reason = `${LEDGER_HALT_PREFIX}${problem}`.slice(0, 400);
      await this.o.redis.set(this.o.keys.killSwitch, reason);
      return 'set';
    } catch (err) {
      this.o.log.error({ err: errorMessage(err) }, 'ARB_LEDGER_LOST: could not set the kill switch');
      return 'failed';
    }
  }

  /** Set again after the current tick: the runtime marks a service healthy when its start returns. */
  private setStatusNow(status: Heartbeat['status'], detail: string): void {
    const mine = { status, detail };
    this.#status = mine;
    this.o.setStatus(status, detail);
    setTimeout(() => {
      if (this.#status === mine && !this.#stopped) this.o.setStatus(status, detail);
    }, 0);
  }

  private setHealthy(): void {
    this.#status = null;
    this.o.setStatus('healthy');
  }

  private resume(verdict: LedgerVerdict): void {
    this.o.log.warn({ verdict: verdict.kind }, `ledger: halt lifted (${verdict.kind === 'accepted' ? 'confirmed by an operator' : 'the ledger is intact again'}); the kill switch is left to arbees ledger confirm or the operator`);
    this.#halt = null;
    this.counters.halted = 0;
    this.setHealthy();
  }

  private async raiseAlert(message: string): Promise<void> {
    const alert: HealthAlert = {
      alert_id: `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`,
      service: this.o.service,
      instance: this.o.instance,
      severity: 'critical',
      kind: 'degraded',
      message: message.slice(0, 1_000),
      ts: nowMicros(),
    };
    let topic = '';
    try {
      topic = Topic.health(this.o.service, this.o.instance);
      this.o.publisher?.publish(topic, 'health_alert', alert);
    } catch (err) {
      this.o.log.warn({ err: errorMessage(err) }, 'ledger alert not published on the hot path');
    }
    try {
      await this.o.redis.xadd(
        this.o.keys.alerts, 'MAXLEN', '~', String(ALERTS_MAXLEN), '*',
        'topic', topic, 'id', alert.alert_id, 'kind', alert.kind, 'service', alert.service,
        'instance', alert.instance ?? '', 'severity', alert.severity, 'ts', String(alert.ts), 'data', JSON.stringify(alert),
      );
    } catch (err) {
      this.o.log.error({ err: errorMessage(err) }, 'ARB_LEDGER_LOST: the alert could not be appended to alerts:health');
    }
  }
}
