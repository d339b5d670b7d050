/**
 * ESPN site-API client: scoreboard and summary per league, against the real host or the
 * simulator (same paths). ESPN sits behind Akamai, which answers bursts with a bare 403, so
 * requests keep a minimum spacing and a 403 starts an exponential back-off during which the
 * client refuses to call (EspnThrottledError) instead of digging the hole deeper. The HTTP
 * mechanics are the shared JSON transport (src/venues/json-http-client.ts).
 */
import type { Sport } from '../../core/topics.js';
import { easternDay, ESPN_SITE_BASE_URL, type EspnGame, type EspnSummary, type ParseIssues } from './common.js';

export { easternDay };
import { Backoff } from '../../core/backoff.js';
import { JsonHttpClient, type JsonHttpErrors } from '../json-http-client.js';
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

const DEFAULT_ESPN_CLIENT_OPTIONS: Readonly<EspnClientOptions> = Object.freeze({
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
  private readonly throttle: Backoff;
  private readonly http: JsonHttpClient;

  constructor(options: Partial<EspnClientOptions> = {}) {
    this.options = validated(options);
    this.throttle = new Backoff({ baseMs: this.options.backoffMs, maxMs: this.options.maxBackoffMs });
    // No retries here: the pollers ask again on their own schedule, and a retry after a 403
    // would only dig the hole deeper.
    this.http = new JsonHttpClient({
      baseUrl: this.options.baseUrl,
      timeoutMs: this.options.timeoutMs,
      retry: { maxRetries: 0, policy: { baseMs: 0, maxMs: 0 } },
      headers: { 'user-agent': this.options.userAgent },
      errors: this.transportErrors(),
    });
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
    const path = `${this.leaguePath(sport)}/scoreboard${qs ? `?${qs}` : ''}`;
    const body = await this.getJson(path, `${sport} scoreboard`);
    return this.counted(() => parseScoreboard(body, sport));
  }

  /** One game's summary: header state, ESPN's win-probability series and predictor. */
  async summary(sport: Sport, eventId: string): Promise<EspnSummary> {
    const path = `${this.leaguePath(sport)}/summary?event=${encodeURIComponent(eventId)}`;
    const body = await this.getJson(path, `${sport} summary ${eventId}`);
    return this.counted(() => parseSummary(body, sport, eventId));
  }

  /** Requests, failures by kind and parse issues (`parse.<kind>`) since start. */
  stats(): Record<string, number> {
    const h = this.http.stats();
    const transport = { requests: h.requests, timeouts: h.timeouts, network_errors: h.networkErrors };
    return { ...Object.fromEntries(this.counters), ...Object.fromEntries(Object.entries(transport).filter(([, n]) => n > 0)) };
  }

  private leaguePath(sport: Sport): string {
    return `/apis/site/v2/sports/${espnPath(sport)}`;
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

  private async getJson(path: string, what: string): Promise<unknown> {
    const waitMs = this.throttledUntilMs - Date.now();
    if (waitMs > 0) {
      this.inc('requests_refused_backoff');
      throw new EspnThrottledError(this.http.url({ path }), waitMs);
    }
    return this.http.request({
      method: 'GET',
      path,
      idempotent: true,
      pace: () => this.takeSlot(),
      decode: (text) => this.decode(text, what),
    });
  }

  /** A 2xx answer: the throttling is over, whatever the body turns out to be. */
  private decode(text: string, what: string): unknown {
    this.throttle.reset();
    try {
      return parseJsonBody(text, what);
    } catch (err) {
      if (err instanceof EspnPayloadError) this.inc('payload_errors');
      throw err;
    }
  }

  /** A 403 is Akamai throttling: refuse to call for the next back-off, doubling while it lasts. */
  private statusError(url: string, status: number): Error {
    if (status !== 403) {
      this.inc('http_errors');
      return new EspnHttpError(url, status);
    }
    this.inc('throttled');
    const backoff = this.throttle.next();
    this.throttledUntilMs = Date.now() + backoff;
    return new EspnThrottledError(url, backoff);
  }

  private transportErrors(): JsonHttpErrors {
    return {
      timeout: (req, timeoutMs) => new EspnTimeoutError(req.url, timeoutMs),
      network: (req, cause) => new EspnHttpError(req.url, null, cause.message),
      status: (req, status) => this.statusError(req.url, status),
      // Unused: every request decodes with parseJsonBody, which throws EspnPayloadError.
      badBody: (req) => new EspnPayloadError(req.url, 'not JSON'),
    };
  }
}
