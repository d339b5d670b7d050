/**
 * ScoreboardPoller against a real local HTTP server: pages read and handed on, failures counted
 * against the breaker (which then refuses), the client's 403 back-off respected, and rounds on a
 * timer after the start delay, stopped cleanly.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../runtime/circuit-breaker.js';
import { Metrics } from '../../runtime/metrics.js';
import { EspnClient } from './http.js';
import { ScoreboardPoller, type ScoreboardPage, type ScoreboardPollerOptions } from './scoreboard-poller.js';

const log = pino({ level: 'silent' });

function event(id: string): unknown {
  const side = (homeAway: 'home' | 'away', abbr: string) => ({
    homeAway,
    score: '0',
    team: { id: abbr, abbreviation: abbr, displayName: abbr, shortDisplayName: abbr, name: abbr, location: abbr },
  });
  return {
    id,
    date: '2026-11-25T00:00Z',
    name: `AWY at HOM ${id}`,
    competitions: [{ id, date: '2026-11-25T00:00Z', competitors: [side('home', 'HOM'), side('away', 'AWY')] }],
    status: { clock: 0, displayClock: '0:00', period: 0, type: { name: 'STATUS_SCHEDULED', state: 'pre', completed: false } },
  };
}

let server: Server;
let requests: string[];
/** Status per league path segment (e.g. 'nba'); 200 by default. */
let statusFor: Record<string, number>;
let metrics: Metrics;
let breaker: CircuitBreaker;
let poller: ScoreboardPoller | null;
let baseUrl: string;

beforeEach(async () => {
  requests = [];
  statusFor = {};
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const league = /sports\/[^/]+\/([^/]+)\/scoreboard/.exec(req.url ?? '')?.[1] ?? '';
    const status = statusFor[league] ?? 200;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(status === 200 ? JSON.stringify({ events: [event(`${league}-1`), event(`${league}-2`)] }) : '{}');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  metrics = new Metrics();
  breaker = new CircuitBreaker({ failureThreshold: 2, openMs: 60_000 });
  poller = null;
});

afterEach(async () => {
  await poller?.stop();
  server.close();
});

function newPoller(overrides: Partial<ScoreboardPollerOptions> = {}): ScoreboardPoller {
  const client = new EspnClient({ baseUrl, minIntervalMs: 0, timeoutMs: 2_000, backoffMs: 60_000 });
  poller = new ScoreboardPoller({ client, breaker, metrics, log, ...overrides });
  return poller;
}

describe('ScoreboardPoller', () => {
  it('reads each page and hands its parsed games on', async () => {
    const handed: Array<[ScoreboardPage, string[]]> = [];
    const p = newPoller({ onPage: (page, games) => handed.push([page, games.map((g) => g.id)]) });
    const pages: ScoreboardPage[] = [{ sport: 'nba', day: null }, { sport: 'nhl', day: '20261125' }];
    const result = await p.poll(pages);
    expect(result.games.map((g) => g.id)).toEqual(['nba-1', 'nba-2', 'nhl-1', 'nhl-2']);
    expect(result.read).toEqual(pages);
    expect([result.failed, result.refused]).toEqual([0, 0]);
    expect(handed).toEqual([[pages[0], ['nba-1', 'nba-2']], [pages[1], ['nhl-1', 'nhl-2']]]);
    expect(requests[0]).toContain('/basketball/nba/scoreboard?limit=300');
    expect(requests[1]).toContain('dates=20261125');
    expect(metrics.get('espn.pages')).toBe(2);
  });

  it('counts failures against the breaker, which then refuses without a request', async () => {
    statusFor = { nba: 500 };
    const p = newPoller();
    const first = await p.poll([{ sport: 'nba', day: null }, { sport: 'nba', day: '20261126' }, { sport: 'nhl', day: null }]);
    expect([first.failed, first.refused, first.read.length]).toEqual([2, 1, 0]);
    expect(breaker.current).toBe('open');
    expect(requests).toHaveLength(2);
    expect(metrics.get('espn.failures')).toBe(2);
    expect(metrics.get('espn.failures.nba')).toBe(2);
    expect(metrics.get('espn.refused_open')).toBe(1);
  });

  it("respects the client's 403 back-off", async () => {
    statusFor = { nba: 403 };
    const p = newPoller();
    await p.poll([{ sport: 'nba', day: null }]);
    statusFor = {};
    const again = await p.poll([{ sport: 'nba', day: null }]);
    expect(again.failed).toBe(1);
    expect(requests).toHaveLength(1);
  });

  it('runs rounds over pages() after the start delay, until stopped', async () => {
    const rounds: string[][] = [];
    const p = newPoller({
      pollMs: 40,
      pages: () => [{ sport: 'mlb', day: null }],
      onPage: (_page, games) => rounds.push(games.map((g) => g.id)),
    });
    p.start(30);
    expect(rounds).toHaveLength(0);
    const deadline = Date.now() + 3_000;
    while (rounds.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(rounds.length).toBeGreaterThanOrEqual(3);
    expect(metrics.get('espn.ticks')).toBeGreaterThanOrEqual(3);
    expect(metrics.get('espn.breaker_open')).toBe(0);
    await p.stop();
    const count = requests.length;
    await new Promise((r) => setTimeout(r, 120));
    expect(requests).toHaveLength(count);
  });
});
