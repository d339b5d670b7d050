/**
 * Shared pieces of the market_discovery tests: simulated games built from the real team tables,
 * and a loopback HTTP proxy in front of a simulator that counts the requests the service makes
 * and can hold them (to catch the service mid-search).
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Sport } from '../src/core/topics.js';
import { teamByAbbr } from '../src/sim/teams.js';
import type { SimGameView } from '../src/sim/world.js';

export function simGame(id: string, sport: Sport, homeAbbr: string, awayAbbr: string, start: Date): SimGameView {
  const home = teamByAbbr(sport, homeAbbr);
  const away = teamByAbbr(sport, awayAbbr);
  if (!home || !away) throw new Error(`no ${sport} team ${homeAbbr} or ${awayAbbr} in src/sim/teams.ts`);
  return {
    id,
    sport,
    home,
    away,
    startTime: start,
    status: 'scheduled',
    period: 0,
    clockS: 0,
    homeScore: 0,
    awayScore: 0,
    homeWinProb: 0.5,
    drawProb: sport === 'mls' || sport === 'epl' ? 0.25 : 0,
    winner: null,
  };
}

/** The request shape discoverMarkets sends for a simulated game. */
export function discoverable(g: SimGameView) {
  return {
    game_id: g.id,
    sport: g.sport,
    home: { name: g.home.name, abbr: g.home.abbr },
    away: { name: g.away.name, abbr: g.away.abbr },
    start_time: g.startTime.toISOString(),
  };
}

/** Forwards every request to `target` (an origin), counting them; `hold()` parks requests until `release()`. */
export class CountingProxy {
  requests = 0;
  readonly paths: string[] = [];
  private server: Server | null = null;
  private held: (() => void)[] = [];
  private holding = false;
  private arrivals: (() => void)[] = [];

  constructor(private readonly target: string) {}

  async start(): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  hold(): void {
    this.holding = true;
  }

  release(): void {
    this.holding = false;
    for (const go of this.held.splice(0)) go();
  }

  get heldCount(): number {
    return this.held.length;
  }

  /** Resolves when the next request arrives. */
  nextRequest(): Promise<void> {
    return new Promise((resolve) => this.arrivals.push(resolve));
  }

  reset(): void {
    this.requests = 0;
    this.paths.length = 0;
  }

  async close(): Promise<void> {
    this.release();
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests += 1;
    this.paths.push(req.url ?? '');
    for (const arrived of this.arrivals.splice(0)) arrived();
    if (this.holding) await new Promise<void>((resolve) => this.held.push(resolve));
    const url = new URL(req.url ?? '/', this.target);
    const upstream = httpRequest(url, { method: req.method, headers: { ...req.headers, host: url.host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  }
}
