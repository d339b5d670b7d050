/**
 * Which channels get an event, and when: per event type and channel on / off / digest
 * (`NOTIFY_ROUTES`), over defaults that need no setting (everything on, SMS only for critical
 * alerts); quiet hours hold non-critical alerts until they end (then one digest); digests go
 * out on the digest interval. Critical alerts (kill switch, execution blocked, service down,
 * daily loss limit) bypass quiet hours, digests, grouping and rate limits; only an explicit
 * `off` silences them. The clock is injected, so tests drive it.
 */
import { ConfigError } from '../../core/errors.js';
import { CHANNEL_NAMES, type ChannelName } from './channels/notify-channel.js';
import { EVENT_TYPES, type NotifyEvent } from './notify-events.js';
import type { QuietHours } from './quiet-hours.js';

export type RouteMode = 'on' | 'off' | 'digest';

export interface RouteRule {
  /** An event type, `critical` (every critical alert) or `*`. */
  readonly event: string;
  /** A channel name or `*`. */
  readonly channel: string;
  readonly mode: RouteMode;
}

/** Applied before NOTIFY_ROUTES: all on; SMS (paid, intrusive) only for critical alerts. */
export const DEFAULT_ROUTES: readonly RouteRule[] = Object.freeze([
  { event: '*', channel: '*', mode: 'on' },
  { event: '*', channel: 'sms', mode: 'off' },
  { event: 'critical', channel: 'sms', mode: 'on' },
]);

/** `high_edge.telegram=digest,*.sms=off,critical.sms=on`; an empty string is no rule. */
export function parseRoutes(raw: string, env: string): readonly RouteRule[] {
  const events = new Set<string>(['*', 'critical', ...EVENT_TYPES]);
  const channels = new Set<string>(['*', ...CHANNEL_NAMES]);
  const rules: RouteRule[] = [];
  for (const item of raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0)) {
    const m = /^([a-z_*]+)\.([a-z*]+)=(on|off|digest)$/.exec(item);
    if (m === null || !events.has(m[1]!) || !channels.has(m[2]!)) {
      throw new ConfigError(env, `entry ${JSON.stringify(item)} must be <event>.<channel>=on|off|digest with event one of ${[...events].join(', ')} and channel one of ${[...channels].join(', ')}`);
    }
    rules.push({ event: m[1]!, channel: m[2]!, mode: m[3] as RouteMode });
  }
  return Object.freeze(rules);
}

export interface Delivery {
  readonly channel: ChannelName;
  /** Earliest send time (ms since the epoch). */
  readonly dueMs: number;
  /** Held for a digest (quiet hours or a digest route). */
  readonly digest: boolean;
  readonly critical: boolean;
}

export interface RouterOptions {
  readonly channels: readonly ChannelName[];
  readonly rules: readonly RouteRule[];
  readonly quietHours: QuietHours | null;
  readonly digestIntervalMs: number;
  readonly groupWaitMs: number;
}

export class Router {
  readonly #rules: readonly RouteRule[];

  constructor(private readonly options: RouterOptions) {
    this.#rules = [...DEFAULT_ROUTES, ...options.rules];
  }

  modeFor(event: Pick<NotifyEvent, 'type' | 'severity'>, channel: ChannelName): RouteMode {
    let mode: RouteMode = 'off';
    for (const r of this.#rules) {
      const eventMatches = r.event === '*' || r.event === event.type || (r.event === 'critical' && event.severity === 'critical');
      if (eventMatches && (r.channel === '*' || r.channel === channel)) mode = r.mode;
    }
    return mode;
  }

  plan(event: Pick<NotifyEvent, 'type' | 'severity'>, nowMs: number): Delivery[] {
    const critical = event.severity === 'critical';
    const out: Delivery[] = [];
    for (const channel of this.options.channels) {
      const mode = this.modeFor(event, channel);
      if (mode === 'off') continue;
      if (critical) out.push({ channel, dueMs: nowMs, digest: false, critical });
      else if (this.options.quietHours?.isQuiet(nowMs) === true) out.push({ channel, dueMs: this.options.quietHours.endsAt(nowMs), digest: true, critical });
      else if (mode === 'digest') out.push({ channel, dueMs: this.nextDigestMs(nowMs), digest: true, critical });
      else out.push({ channel, dueMs: nowMs + this.options.groupWaitMs, digest: false, critical });
    }
    return out;
  }

  /** The next digest boundary: multiples of the interval since the epoch (on the hour by default). */
  nextDigestMs(nowMs: number): number {
    const i = this.options.digestIntervalMs;
    return Math.floor(nowMs / i) * i + i;
  }
}
