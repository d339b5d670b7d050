/**
 * Resource use of the current process over a measured window: peak RSS (sampled) and CPU time
 * as a percentage of one core.
 */
export interface UsageReport {
  rssStartBytes: number;
  rssPeakBytes: number;
  /** User + system CPU over the window, as % of one core (can exceed 100 with helper threads). */
  cpuPercent: number;
  /** User + system CPU time over the window: per message, the cost that other load cannot inflate much. */
  cpuMicros: number;
}

export class UsageWindow {
  private readonly startCpu = process.cpuUsage();
  private readonly startWall = performance.now();
  private readonly rssStart = process.memoryUsage.rss();
  private rssPeak = this.rssStart;
  private readonly timer: NodeJS.Timeout;

  constructor(sampleMs = 50) {
    this.timer = setInterval(() => this.sample(), sampleMs);
    this.timer.unref();
  }

  sample(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.rssPeak) this.rssPeak = rss;
  }

  /** Ends the window; `activeMs` divides the CPU time instead of the wall time when given. */
  finish(activeMs?: number): UsageReport {
    clearInterval(this.timer);
    this.sample();
    const cpu = process.cpuUsage(this.startCpu);
    const wallMs = activeMs ?? performance.now() - this.startWall;
    const cpuMicros = cpu.user + cpu.system;
    return {
      cpuMicros,
      rssStartBytes: this.rssStart,
      rssPeakBytes: this.rssPeak,
      cpuPercent: wallMs > 0 ? Math.round((cpuMicros / 1000 / wallMs) * 1000) / 10 : 0,
    };
  }
}
