/**
 * Alerts that are states, not messages: the kill switch (`control:kill_switch`) and the markets
 * execution_service blocked on an order of unknown outcome (`exec:blocked`). Read every
 * `watchMs`; what was last reported is kept in Redis (`notify:watch`), so a restart neither
 * misses a change nor repeats one. Event ids are fixed before the state is saved, so a crash
 * between the two is caught by the outbox's dedupe.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { killSwitchValueIsOn } from '../../core/kill-switch-value.js';
import type { Metrics } from '../../runtime/metrics.js';
import type { TradingModeLabel } from './channels/notify-channel.js';
import type { NotifyKeys } from './notification-service-config.js';
import { PeriodicCheck } from './periodic-check.js';
import { blockedMarketEvent, killSwitchEvent, type NotifyEvent } from './notify-events.js';


export interface StateWatchOptions {
  readonly redis: Redis;
  readonly keys: NotifyKeys;
  readonly watchMs: number;
  readonly mode: TradingModeLabel;
  readonly accept: (event: NotifyEvent) => Promise<boolean>;
  readonly metrics: Metrics;
  readonly log: Logger;
}

export class StateWatch {
  readonly #check: PeriodicCheck;

  constructor(private readonly o: StateWatchOptions) {
    this.#check = new PeriodicCheck({
      everyMs: o.watchMs,
      run: async () => {
        await this.checkKillSwitch();
        await this.checkBlocked();
      },
      errorMetric: 'notify.watch_errors',
      failureMessage: 'ARB_REDIS_UNAVAILABLE: cannot read the kill switch or blocked markets',
      metrics: o.metrics,
      log: o.log,
    });
  }

  start(): Promise<void> {
    return this.#check.start();
  }

  stop(): Promise<void> {
    return this.#check.stop();
  }

  private async checkKillSwitch(): Promise<void> {
    const [value, saved] = await Promise.all([this.o.redis.get(this.o.keys.killSwitch), this.o.redis.hmget(this.o.keys.watch, 'ks_on', 'ks_seq')]);
    const on = killSwitchValueIsOn(value);
    const wasOn = saved[0] === '1';
    // First run ever: report only a switch that is ON (the interesting state).
    if (on === wasOn || (saved[0] === null && !on)) {
      if (saved[0] === null) await this.o.redis.hset(this.o.keys.watch, 'ks_on', on ? '1' : '0', 'ks_seq', '0');
      return;
    }
    const seq = Number(saved[1] ?? '0') + 1;
    await this.o.accept(killSwitchEvent(seq, on, value ?? '', this.o.mode));
    await this.o.redis.hset(this.o.keys.watch, 'ks_on', on ? '1' : '0', 'ks_seq', String(seq));
  }

  private async checkBlocked(): Promise<void> {
    const blocked = await this.o.redis.hgetall(this.o.keys.execBlocked);
    // Each (market, reason) is reported once: its event id is the dedupe key.
    for (const [market, why] of Object.entries(blocked)) await this.o.accept(blockedMarketEvent(market, why, this.o.mode));
  }
}
