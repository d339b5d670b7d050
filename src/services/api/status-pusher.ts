/**
 * Pushes `{kind: "status"}` (services with heartbeat ages, account, funnel) to /ws clients
 * subscribed to `status.` every interval, so the dashboard stays live without polling. Skipped
 * when nobody listens; one read at a time (a slow Redis never stacks reads up).
 */
import { WS_STATUS_PREFIX, type StatusPush } from '../../core/api-protocol.js';
import type { SlowStateReader } from './state-reader.js';
import type { WsHub } from './ws-hub.js';

const FUNNEL_WINDOW = 500;

export class StatusPusher {
  #timer: NodeJS.Timeout | null = null;
  #busy = false;
  failures = 0;

  constructor(
    private readonly reader: SlowStateReader,
    private readonly hub: WsHub,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.#timer = setInterval(() => void this.pushNow(), this.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  async read(): Promise<StatusPush> {
    const [services, account, funnel] = await Promise.all([this.reader.services(), this.reader.account(), this.reader.funnel(FUNNEL_WINDOW)]);
    return { services, account, funnel };
  }

  async pushNow(): Promise<void> {
    if (this.#busy || !this.hub.hasListeners(WS_STATUS_PREFIX)) return;
    this.#busy = true;
    try {
      this.hub.broadcast(WS_STATUS_PREFIX, { kind: 'status', ...(await this.read()) });
    } catch {
      this.failures++;
    } finally {
      this.#busy = false;
    }
  }
}
