/**
 * Watches every service's registry heartbeat and raises one alert per change of health:
 *   dead       its registry key expired (or it stopped: info, not critical)
 *   restarted  pid or started_ts changed while the key lived (a fast restart)
 *   degraded   its status became degraded
 *   recovered  back from dead or degraded
 * The last known pid, start time and status of each instance are remembered (and persisted, so
 * an orchestrator restart neither forgets a dead service nor re-alerts a live one). The reference
 * system never updated its remembered pid, so after one restart every heartbeat looked like
 * another; here the new values replace the old ones the moment the restart is reported.
 *
 * "dead" needs a complete view (registry-trust.ts): while Redis was recently unreachable or
 * slow, an instance missing from the registry is unknown (counted, not alerted), since its entry
 * may only have expired because its heartbeats could not reach Redis either.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';
import { errorMessage } from '../../core/errors.js';
import type { Heartbeat } from '../../core/messages.js';
import { microsToIso } from '../../core/time.js';
import { listInstances } from '../../bus/registry.js';
import type { Metrics } from '../../runtime/metrics.js';
import type { AlertInput } from './alert-sink.js';
import type { RegistryTrust } from './registry-trust.js';

const KnownInstanceSchema = z.object({
  service: z.string(),
  instance: z.string(),
  pid: z.number(),
  started_ts: z.number(),
  status: z.enum(['starting', 'healthy', 'degraded', 'stopping']),
  state: z.enum(['up', 'dead']),
  since_ms: z.number(),
  /** ts of the last heartbeat seen (epoch microseconds). */
  last_ts: z.number(),
});
type KnownInstance = z.infer<typeof KnownInstanceSchema>;

export interface HealthMonitorOptions {
  /** Only instances whose name starts with this. */
  instancePrefix: string;
  /** This orchestrator itself, which cannot watch its own death. */
  self: { service: string; instance: string };
  /** A dead instance is forgotten after this long (it is "new" if it ever comes back). */
  forgetDeadMs: number;
  stateKey: string;
  /**
   * The registry TTL services run with. An entry that vanishes sooner than this after the last
   * heartbeat we saw was withdrawn (a clean stop), since an expiry needs a full TTL of silence.
   */
  registryTtlMs: number;
}

const idOf = (i: { service: string; instance: string }) => `${i.service}.${i.instance}`;

export class HealthMonitor {
  private readonly known = new Map<string, KnownInstance>();
  private loaded = false;

  constructor(
    private readonly redis: Redis,
    private readonly trust: RegistryTrust,
    private readonly options: Readonly<HealthMonitorOptions>,
    private readonly raise: (alert: AlertInput) => Promise<unknown>,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {}

  /** One check of the registry; returns the alerts raised. Throws only if Redis is unreachable. */
  async check(nowMs: number = Date.now()): Promise<AlertInput[]> {
    if (!this.loaded) await this.load();
    const live = (await this.trust.read(() => listInstances(this.redis, this.log))).filter(
      (hb) => hb.instance.startsWith(this.options.instancePrefix) && idOf(hb) !== idOf(this.options.self),
    );
    const alerts: AlertInput[] = [];
    const changed: KnownInstance[] = [];
    const seen = new Set<string>();
    for (const hb of live) {
      const id = idOf(hb);
      seen.add(id);
      const before = this.known.get(id);
      const after = this.observe(before, hb, nowMs, alerts);
      if (after !== before) {
        this.known.set(id, after);
        changed.push(after);
      }
    }
    const forgotten: string[] = [];
    const complete = this.trust.complete();
    let unknown = 0;
    for (const [id, k] of this.known) {
      if (seen.has(id)) continue;
      if (k.state === 'up' && !complete && k.status !== 'stopping') {
        unknown++;
        continue;
      }
      if (k.state === 'up') {
        // 20 % slack for clocks of different processes and the write after the beat's ts.
        const withdrawn = nowMs * 1000 - k.last_ts < this.options.registryTtlMs * 800;
        const graceful = k.status === 'stopping' || withdrawn;
        alerts.push({
          service: k.service,
          instance: k.instance,
          severity: graceful ? 'info' : 'critical',
          kind: 'dead',
          message: graceful
            ? `${id} stopped: it withdrew its registry entry (pid ${k.pid})`
            : `${id} is dead: its registry entry expired (pid ${k.pid}, up since ${microsToIso(k.started_ts)})`,
        });
        const dead: KnownInstance = { ...k, state: 'dead', since_ms: nowMs };
        this.known.set(id, dead);
        changed.push(dead);
      } else if (nowMs - k.since_ms > this.options.forgetDeadMs) {
        this.known.delete(id);
        forgotten.push(id);
      }
    }
    await this.persist(changed, forgotten);
    for (const a of alerts) await this.raise(a);
    this.metrics.set('health.instances_up', [...this.known.values()].filter((k) => k.state === 'up').length);
    this.metrics.set('health.instances_dead', [...this.known.values()].filter((k) => k.state === 'dead').length);
    this.metrics.set('health.instances_unknown', unknown);
    return alerts;
  }

  /** What the monitor now knows of one live instance (the same object when nothing changed). */
  private observe(before: KnownInstance | undefined, hb: Heartbeat, nowMs: number, alerts: AlertInput[]): KnownInstance {
    const id = idOf(hb);
    const fresh: KnownInstance = {
      service: hb.service,
      instance: hb.instance,
      pid: hb.pid,
      started_ts: hb.started_ts,
      status: hb.status,
      state: 'up',
      since_ms: nowMs,
      last_ts: hb.ts,
    };
    const base = { service: hb.service, instance: hb.instance };
    if (before === undefined) return fresh; // first sight: nothing to compare with
    if (before.state === 'dead') {
      const restarted = before.pid !== hb.pid || before.started_ts !== hb.started_ts;
      alerts.push({
        ...base,
        severity: 'info',
        kind: 'recovered',
        message: `${id} is back after ${Math.round((nowMs - before.since_ms) / 1000)} s dead${restarted ? ` (new pid ${hb.pid})` : ''}, status ${hb.status}`,
      });
      if (hb.status === 'degraded') alerts.push(this.degraded(hb));
      return fresh;
    }
    if (before.pid !== hb.pid || before.started_ts !== hb.started_ts) {
      alerts.push({
        ...base,
        severity: 'warning',
        kind: 'restarted',
        message: `${id} restarted: pid ${before.pid} -> ${hb.pid}, started ${microsToIso(hb.started_ts)}`,
      });
      if (hb.status === 'degraded') alerts.push(this.degraded(hb));
      return fresh;
    }
    if (before.status === hb.status) {
      // Only the heartbeat time moved: kept in memory, not worth a Redis write per check.
      before.last_ts = hb.ts;
      return before;
    }
    if (hb.status === 'degraded') alerts.push(this.degraded(hb));
    else if (before.status === 'degraded' && hb.status === 'healthy') {
      alerts.push({ ...base, severity: 'info', kind: 'recovered', message: `${id} is healthy again` });
    }
    return { ...before, status: hb.status, since_ms: nowMs, last_ts: hb.ts };
  }

  private degraded(hb: Heartbeat): AlertInput {
    return {
      service: hb.service,
      instance: hb.instance,
      severity: 'warning',
      kind: 'degraded',
      message: `${idOf(hb)} is degraded${hb.detail ? `: ${hb.detail}` : ''}`,
    };
  }

  private async load(): Promise<void> {
    const raw = await this.redis.hgetall(this.options.stateKey);
    for (const [id, json] of Object.entries(raw)) {
      try {
        const parsed = KnownInstanceSchema.safeParse(JSON.parse(json));
        if (parsed.success) this.known.set(id, parsed.data);
        else this.metrics.inc('health.state_unreadable');
      } catch {
        this.metrics.inc('health.state_unreadable');
      }
    }
    this.loaded = true;
  }

  private async persist(changed: KnownInstance[], forgotten: string[]): Promise<void> {
    try {
      if (changed.length > 0) {
        await this.redis.hset(this.options.stateKey, Object.fromEntries(changed.map((k) => [idOf(k), JSON.stringify(k)])));
      }
      if (forgotten.length > 0) await this.redis.hdel(this.options.stateKey, ...forgotten);
    } catch (err) {
      this.log.warn({ err: errorMessage(err) }, 'ARB_REDIS_UNAVAILABLE: health state not saved');
    }
  }
}
