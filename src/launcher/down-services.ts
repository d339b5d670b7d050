/**
 * Services `arbees up --keep-going` left down (a bad configuration: exit 78, never restarted).
 * One line in the scroll is easy to miss, so each one gets a critical health alert and a status
 * line repeated every `repeatMs` until `up` stops: what is down, why, and what that means.
 */
import type { HealthAlertWriter } from './health-alert-writer.js';

export interface DownService {
  readonly name: string;
  readonly service: string;
  readonly instance: string;
  readonly reason: string;
}

/** What the system cannot do without a service, for the ones whose absence is not obvious. */
const IMPACT: Readonly<Record<string, string>> = {
  execution_service: 'nothing trades',
  orchestrator: 'no game is assigned',
  game_shard: 'its games produce no signals',
  position_tracker: 'positions are not tracked or exited',
  zmq_listener: 'nothing is mirrored to Redis',
  recorder: 'nothing is recorded to Postgres',
  notification_service: 'no alert reaches a human',
};

export interface DownServicesOptions {
  readonly repeatMs: number;
  readonly say: (line: string) => void;
  /** Null when there is no Redis yet to write alerts to. */
  readonly alerts: () => HealthAlertWriter | null;
  /** Resolves when an alert written now will reach the notifier (see HealthAlertWriter.waitUntilHealthy). */
  readonly beforeAlert?: (writer: HealthAlertWriter) => Promise<void>;
}

export class DownServices {
  private readonly down = new Map<string, DownService>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly o: DownServicesOptions) {}

  get size(): number {
    return this.down.size;
  }

  /** Records a service as down, says so, raises its alert and keeps repeating the status line. */
  async add(d: DownService): Promise<void> {
    if (this.down.has(d.name)) return;
    this.down.set(d.name, d);
    this.o.say(this.statusLine());
    this.timer ??= setInterval(() => this.o.say(this.statusLine()), this.o.repeatMs);
    this.timer.unref();
    const writer = this.o.alerts();
    if (writer === null) return;
    await this.o.beforeAlert?.(writer);
    const impact = IMPACT[d.service];
    const { alert, error } = await writer.raise({
      service: d.service,
      instance: d.instance,
      severity: 'critical',
      kind: 'dead',
      message: `${d.name} is down and will not be restarted: ${d.reason}${impact ? `; ${impact}` : ''}. Fix it and restart arbees up.`,
    });
    if (error !== null) this.o.say(`could not raise the health alert for ${d.name} (${alert.alert_id}): ${error}`);
  }

  /** `DOWN 2 services: a (why; impact), b (why). ...`, or null when none is down. */
  statusLine(): string {
    const items = [...this.down.values()].map((d) => {
      const impact = IMPACT[d.service];
      return `${d.name} (${d.reason}${impact ? `; ${impact}` : ''})`;
    });
    const n = items.length;
    return `DOWN ${n} service${n === 1 ? '' : 's'}: ${items.join(', ')}. The others keep running (keep-going); fix the configuration and restart arbees up.`;
  }

  close(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
