/**
 * Quiet hours in a time zone (`23:00-07:00` spans midnight): whether an instant is quiet, and
 * when the quiet period that holds it ends, computed on the wall clock of the zone (Intl), so
 * a trader in New York gets their digest at 07:00 New York time whatever the server's zone.
 */
import { ConfigError } from '../../core/errors.js';

export interface QuietWindow {
  /** Minutes after local midnight. */
  readonly startMin: number;
  readonly endMin: number;
}

export function parseQuietHours(raw: string, env: string): QuietWindow {
  const m = /^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$/.exec(raw);
  const minutes = (h: string, mm: string) => Number(h) * 60 + Number(mm);
  if (m === null || Number(m[1]) > 23 || Number(m[3]) > 23 || Number(m[2]) > 59 || Number(m[4]) > 59) {
    throw new ConfigError(env, `must be HH:MM-HH:MM (e.g. 23:00-07:00), got ${JSON.stringify(raw)}`);
  }
  const window = { startMin: minutes(m[1]!, m[2]!), endMin: minutes(m[3]!, m[4]!) };
  if (window.startMin === window.endMin) throw new ConfigError(env, 'must not start and end at the same time');
  return window;
}

export class QuietHours {
  readonly #format: Intl.DateTimeFormat;

  constructor(
    private readonly window: QuietWindow,
    readonly timeZone: string,
  ) {
    this.#format = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  }

  /** Seconds since local midnight in the zone. */
  localSeconds(nowMs: number): number {
    const parts = Object.fromEntries(this.#format.formatToParts(new Date(nowMs)).map((p) => [p.type, p.value]));
    return Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second);
  }

  isQuiet(nowMs: number): boolean {
    const min = Math.floor(this.localSeconds(nowMs) / 60);
    const { startMin, endMin } = this.window;
    return startMin < endMin ? min >= startMin && min < endMin : min >= startMin || min < endMin;
  }

  /**
   * The instant (ms) the quiet period holding `nowMs` ends. Across a DST change the wall clock
   * jumps; the result is then off by that hour at most, never earlier than now.
   */
  endsAt(nowMs: number): number {
    const secs = this.localSeconds(nowMs);
    const untilEnd = (this.window.endMin * 60 - secs + 86_400) % 86_400;
    return nowMs - (nowMs % 1000) + untilEnd * 1000;
  }
}
