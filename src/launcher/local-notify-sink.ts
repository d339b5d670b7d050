/**
 * With no notification channel configured, `arbees up` points notification_service's webhook at
 * this loopback sink, which prints each alert it receives and counts them, so a new user sees
 * alerts arrive (and where they would go once NOTIFY_WEBHOOK_URL is set). It speaks the generic
 * webhook of src/sim/notify (the receiver the tests use).
 */
import { NotifyReceiver, type ReceivedRequest } from '../sim/notify/notify-receiver.js';
import { NOTIFY_CHANNEL_VARS } from '../services/notification-service/notification-service-config.js';

export class LocalNotifySink {
  #received = 0;
  #alerts = 0;

  private constructor(private readonly receiver: NotifyReceiver) {}

  /** A started sink when no channel variable is set (in the environment or as ARBEES_NOTIFICATION_SERVICE__<VAR>), else null. */
  static async startIfUnconfigured(env: NodeJS.ProcessEnv, print: (line: string) => void, port = 0): Promise<LocalNotifySink | null> {
    const configured = NOTIFY_CHANNEL_VARS.some((v) => (env[v] ?? '') !== '' || (env[`ARBEES_NOTIFICATION_SERVICE__${v}`] ?? '') !== '');
    if (configured) return null;
    let sink: LocalNotifySink | null = null;
    const receiver = new NotifyReceiver({ port, onRequest: (r) => sink?.onRequest(r, print) });
    sink = new LocalNotifySink(await receiver.start());
    return sink;
  }

  /** What notification_service's NOTIFY_WEBHOOK_URL is set to. */
  get webhookUrl(): string {
    return `${this.receiver.url}/alerts`;
  }

  get counts(): { messages: number; alerts: number } {
    return { messages: this.#received, alerts: this.#alerts };
  }

  close(): Promise<void> {
    return this.receiver.close();
  }

  private onRequest(r: ReceivedRequest, print: (line: string) => void): void {
    if (r.status < 200 || r.status >= 300) return;
    this.#received++;
    const count = typeof r.body?.count === 'number' ? r.body.count : 1;
    this.#alerts += count;
    const text = typeof r.body?.message === 'string' ? r.body.message : '(no message)';
    const lines = text.split('\n');
    const more = lines.length > 1 ? ` (+${lines.length - 1} more lines)` : '';
    print(`alert ${this.#alerts} at local sink: ${lines[0]}${more}`);
  }
}
