/**
 * An ESPN-compatible HTTP server (node:http) for a simulated world: the same paths as
 * site.api.espn.com, so the real ESPN client runs against it unchanged.
 *
 *   GET /apis/site/v2/sports/{sport}/{league}/scoreboard[?dates=YYYYMMDD[-YYYYMMDD]]
 *   GET /apis/site/v2/sports/{sport}/{league}/summary?event={id}
 *
 * Without `dates` the scoreboard shows the current US-Eastern day (simulated clock) plus any
 * game still live. `injectFault` makes the next requests misbehave the way Akamai/ESPN do (a
 * bare 403, an HTML page, a stall) so clients can be tested over real sockets.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ArbeesError } from '../../core/errors.js';
import type { Sport } from '../../core/topics.js';
import { sportForEspnPath } from '../../venues/espn/leagues.js';
import type { ProbSample, SimGameDetail } from '../sim-world.js';
import type { SimGameView, SimWorld } from '../world.js';
import { easternDate, scoreboardJson, summaryJson, type PayloadOptions } from './espn-payloads.js';

/** What the server needs from a world: the SimWorld contract plus per-game detail. */
export interface EspnSimSource extends SimWorld {
  detail(id: string): SimGameDetail | undefined;
  probHistory(id: string): readonly ProbSample[];
  now(): Date;
}

export interface EspnSimServerOptions extends PayloadOptions {
  host: string;
  port: number;
}

const DEFAULT_ESPN_SIM_SERVER_OPTIONS: Readonly<EspnSimServerOptions> = Object.freeze({
  host: '127.0.0.1',
  port: 0,
  espnBiasSd: 0.15,
  espnNoiseSd: 0.05,
});

export type EspnFault = 'throttle' | 'garbage' | 'stall' | 'error';

const ROUTE = /^\/apis\/site\/v2\/sports\/([a-z]+)\/([a-z0-9.\-]+)\/(scoreboard|summary)\/?$/;

export class EspnSimServer {
  readonly options: Readonly<EspnSimServerOptions>;
  private server: Server | null = null;
  private faults: EspnFault[] = [];
  private readonly counters = new Map<string, number>();

  constructor(
    private readonly world: EspnSimSource,
    options: Partial<EspnSimServerOptions> = {},
  ) {
    const o = { ...DEFAULT_ESPN_SIM_SERVER_OPTIONS, ...options };
    if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) {
      throw new ArbeesError('ARB_SIM_INVALID', `EspnSimServer: port ${o.port} is invalid`);
    }
    this.options = Object.freeze(o);
  }

  async start(): Promise<{ baseUrl: string }> {
    if (this.server) return { baseUrl: this.baseUrl() };
    const server = createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => resolve());
    });
    this.server = server;
    return { baseUrl: this.baseUrl() };
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The next `count` requests fail in the given way. */
  injectFault(fault: EspnFault, count = 1): void {
    for (let i = 0; i < count; i++) this.faults.push(fault);
  }

  stats(): Record<string, number> {
    return Object.fromEntries(this.counters);
  }

  private baseUrl(): string {
    const addr = this.server?.address() as AddressInfo;
    return `http://${this.options.host}:${addr.port}`;
  }

  private inc(name: string): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + 1);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.inc('requests');
    try {
      if (req.method !== 'GET') return this.send(res, 405, { code: 405, message: 'Method Not Allowed' });
      const fault = this.faults.shift();
      if (fault) return this.fault(res, fault);
      const url = new URL(req.url ?? '/', 'http://localhost');
      const m = ROUTE.exec(url.pathname);
      if (!m) return this.send(res, 404, { code: 404, message: 'Not Found' });
      const sport = sportForEspnPath(m[1]!, m[2]!);
      if (!sport) return this.send(res, 404, { code: 404, message: `unknown league ${m[1]}/${m[2]}` });
      if (m[3] === 'scoreboard') return this.scoreboard(res, sport, url.searchParams);
      return this.summary(res, sport, url.searchParams);
    } catch (err) {
      this.inc('errors');
      this.send(res, 500, { code: 500, message: (err as Error).message });
    }
  }

  private scoreboard(res: ServerResponse, sport: Sport, q: URLSearchParams): void {
    const range = this.dayRange(q.get('dates'));
    if (range === null) return this.send(res, 400, { code: 400, message: 'dates must be YYYYMMDD[-YYYYMMDD] or YYYY' });
    const explicit = q.has('dates');
    const limit = Math.max(1, Math.min(1000, Number(q.get('limit') ?? 300) || 300));
    const games = this.world
      .games()
      .filter((g) => g.sport === sport)
      .filter((g) => {
        const day = easternDate(g.startTime);
        const inRange = day >= range[0] && day <= range[1];
        return inRange || (!explicit && isLive(g));
      })
      .sort((a, b) => a.startTime.getTime() - b.startTime.getTime() || a.id.localeCompare(b.id))
      .slice(0, limit);
    const details = games.map((g) => this.world.detail(g.id)).filter((d): d is SimGameDetail => d !== undefined);
    this.send(res, 200, scoreboardJson(sport, range[0], details, this.options));
  }

  private summary(res: ServerResponse, sport: Sport, q: URLSearchParams): void {
    const id = q.get('event');
    if (!id) return this.send(res, 400, { code: 400, message: 'event is required' });
    const detail = this.world.detail(id);
    if (!detail || detail.view.sport !== sport) return this.send(res, 404, { code: 404, message: `no event ${id}` });
    const pregame = this.world.probHistory(id)[0]?.homeWinProb ?? detail.view.homeWinProb;
    this.send(res, 200, summaryJson(detail, this.options, pregame));
  }

  /** [from, to] as YYYYMMDD strings; today (ET, simulated clock) by default. */
  private dayRange(dates: string | null): [string, string] | null {
    if (dates === null) {
      const today = easternDate(this.world.now());
      return [today, today];
    }
    if (/^\d{8}$/.test(dates)) return [dates, dates];
    const range = /^(\d{8})-(\d{8})$/.exec(dates);
    if (range) return [range[1]!, range[2]!];
    if (/^\d{4}$/.test(dates)) return [`${dates}0101`, `${dates}1231`];
    return null;
  }

  private fault(res: ServerResponse, fault: EspnFault): void {
    this.inc(`fault_${fault}`);
    switch (fault) {
      case 'throttle':
        res.writeHead(403, { 'content-length': '0' }).end();
        return;
      case 'garbage':
        res.writeHead(200, { 'content-type': 'text/html' }).end('<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD></HTML>');
        return;
      case 'error':
        this.send(res, 503, { code: 503, message: 'Service Unavailable' });
        return;
      case 'stall':
        // Never answers; close() tears the socket down.
        return;
    }
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json;charset=UTF-8',
      'content-length': Buffer.byteLength(text),
      'cache-control': 'max-age=0',
    });
    res.end(text);
  }
}

function isLive(g: SimGameView): boolean {
  return g.status === 'live' || g.status === 'halftime' || g.status === 'delayed';
}
