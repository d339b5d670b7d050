/**
 * ESPN site-API client: scoreboard and summary per league, against the real host or the
 * simulator (same paths). ESPN sits behind Akamai, which answers bursts with a bare 403, so
 * requests keep a minimum spacing and a 403 starts an exponential back-off during which the
 * client refuses to call (EspnThrottledError) instead of digging the hole deeper.
 */
import type { Sport } from '../../core/topics.js';
import { easternDay, ESPN_SITE_BASE_URL, type EspnGame, type EspnSummary, type ParseIssues } from './common.js';

export { easternDay };
import { EspnHttpError, EspnPayloadError, EspnThrottledError, EspnTimeoutError } from './errors.js';
import { espnPath } from './leagues.js';
import { parseJsonBody, parseScoreboard, parseSummary } from './parse.js';

export interface EspnClientOptions {
  /** https://site.api.espn.com, or the simulator's base URL. */
  baseUrl: string;
  timeoutMs: number;
  /** Minimum spacing between two requests of this client (ESPN notes: 700 ms). */
  minIntervalMs: number;
  /** First back-off after a 403; doubles on each further 403 up to maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs: number;
  userAgent: string;
}

export const DEFAULT_ESPN_CLIENT_OPTIONS: Readonly<EspnClientOptions> = Object.freeze({
  baseUrl: ESPN_SITE_BASE_URL,
  timeoutMs: 8_000,
  minIntervalMs: 700,
  backoffMs: 5_000,
  maxBackoffMs: 120_000,
  userAgent: 'Mozilla/5.0 (compatible; arbees/0.1)',
});

export interface ScoreboardQuery {
  /** A US-Eastern day: a Date (formatted in ET) or "YYYYMMDD". */
  dates?: Date | string;
  limit?: number;
  groups?: string;
}

function validated(options: Partial<EspnClientOptions>): Readonly<EspnClientOptions> {
  const o = { ...DEFAULT_ESPN_CLIENT_OPTIONS, ...options };
  let url: URL;
  try {
    url = new URL(o.baseUrl);
  } catch {
    throw new EspnHttpError(o.baseUrl, null, 'baseUrl is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new EspnHttpError(o.baseUrl, null, 'baseUrl must be http(s)');
  }
  for (const k of ['timeoutMs', 'minIntervalMs', 'backoffMs', 'maxBackoffMs'] as const) {
    if (!Number.isFinite(o[k]) || o[k] < 0) throw new EspnHttpError(o.baseUrl, null, `${k} must be >= 0`);
  }
  return Object.freeze({ ...o, baseUrl: o.baseUrl.replace(/\/+$/, '') });
}

export class EspnClient {
  readonly options: Readonly<EspnClientOptions>;
  private readonly counters = new Map<string, number>();
  private nextSlotMs = 0;
  private throttledUntilMs = 0;
  private currentBackoffMs: number;

  constructor(options: Partial<EspnClientOptions> = {}) {
    this.options = validated(options);
    this.currentBackoffMs = this.options.backoffMs;
  }

  /** Games on one league's scoreboard; bad events are skipped and counted, not thrown. */
  async scoreboard(sport: Sport, query: ScoreboardQuery = {}): Promise<EspnGame[]> {
    const params = new URLSearchParams();
    if (query.dates !== undefined) {
      params.set('dates', query.dates instanceof Date ? easternDay(query.dates) : query.dates);
    }
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.groups !== undefined) params.set('groups', query.groups);
    const qs = params.toString();
    const url = `${this.leagueUrl(sport)}/scoreboard${qs ? `?${qs}` : ''}`;
    const body = await this.getJson(url, `${sport} scoreboard`);
    return this.counted(() => parseScoreboard(body, sport));
  }

  /** One game's summary: header state, ESPN's win-probability series and predictor. */
  async summary(sport: Sport, eventId: string): Promise<EspnSummary> {
    const url = `${this.leagueUrl(sport)}/summary?event=${encodeURIComponent(eventId)}`;
    const body = await this.getJson(url, `${sport} summary ${eventId}`);
    return this.counted(() => parseSummary(body, sport, eventId));
  }

  /** Requests, failures by kind and parse issues (`parse.<kind>`) since start. */
  stats(): Record<string, number> {
    return Object.fromEntries(this.counters);
  }

  private leagueUrl(sport: Sport): string {
    return `${this.options.baseUrl}/apis/site/v2/sports/${espnPath(sport)}`;
  }

  private inc(name: string, by = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + by);
  }

  private counted<T>(parse: () => { value: T; issues: ParseIssues }): T {
    let parsed: { value: T; issues: ParseIssues };
    try {
      parsed = parse();
    } catch (err) {
      if (err instanceof EspnPayloadError) this.inc('payload_errors');
      throw err;
    }
    for (const [k, v] of Object.entries(parsed.issues)) this.inc(`parse.${k}`, v);
    return parsed.value;
  }

  /** Waits for this client's next request slot (minimum spacing between requests). */
  private async takeSlot(): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.nextSlotMs);
    this.nextSlotMs = at + this.options.minIntervalMs;
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
  }

  private async getJson(url: string, what: string): Promise<unknown> {
    const waitMs = this.throttledUntilMs - Date.now();
    if (waitMs > 0) {
      this.inc('requests_refused_backoff');
      throw new EspnThrottledError(url, waitMs);
    }
    await this.takeSlot();
    this.inc('requests');
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { accept: 'application/json', 'user-agent': this.options.userAgent },
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (err) {
      const e = err as Error;
      if (e.name === 'TimeoutError' || e.name === 'AbortError') {
        this.inc('timeouts');
        throw new EspnTimeoutError(url, this.options.timeoutMs);
      }
      this.inc('network_errors');
      throw new EspnHttpError(url, null, e.message);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      const e = err as Error;
      this.inc(e.name === 'TimeoutError' ? 'timeouts' : 'network_errors');
      if (e.name === 'TimeoutError') throw new EspnTimeoutError(url, this.options.timeoutMs);
      throw new EspnHttpError(url, res.status, e.message);
    }
    if (res.status === 403) {
      this.inc('throttled');
      const backoff = this.currentBackoffMs;
      this.throttledUntilMs = Date.now() + backoff;
      this.currentBackoffMs = Math.min(this.options.maxBackoffMs, backoff * 2);
      throw new EspnThrottledError(url, backoff);
    }
    if (!res.ok) {
      this.inc('http_errors');
      throw new EspnHttpError(url, res.status);
    }
    this.currentBackoffMs = this.options.backoffMs;
    try {
      return parseJsonBody(text, what);
    } catch (err) {
      if (err instanceof EspnPayloadError) this.inc('payload_errors');
      throw err;
    }
  }
}
