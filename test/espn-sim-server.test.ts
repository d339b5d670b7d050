import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPORTS, type Sport } from '../src/core/topics.js';
import { easternDate, espnModelProb } from '../src/sim/espn/espn-payloads.js';
import { EspnSimServer } from '../src/sim/espn/espn-sim-server.js';
import { SimulatedWorld } from '../src/sim/sim-world.js';
import { EspnClient } from '../src/venues/espn/http.js';
import {
  EspnHttpError,
  EspnPayloadError,
  EspnThrottledError,
  EspnTimeoutError,
} from '../src/venues/espn/errors.js';

let world: SimulatedWorld;
let server: EspnSimServer;
let client: EspnClient;
let baseUrl: string;

beforeAll(async () => {
  world = new SimulatedWorld({ seed: 7, games: 48, clock: 'manual', liveShare: 0.6, soonShare: 0.2 });
  server = new EspnSimServer(world);
  ({ baseUrl } = await server.start());
  client = new EspnClient({ baseUrl, minIntervalMs: 0, timeoutMs: 2_000 });
});

afterAll(async () => {
  await server.close();
  world.close();
});

const todayOrLive = (sport: Sport) =>
  world
    .games()
    .filter((g) => g.sport === sport)
    .filter((g) => easternDate(g.startTime) === easternDate(world.now()) || g.status === 'live' || g.status === 'halftime');

describe('ESPN client against the ESPN simulator over HTTP', () => {
  it.each(SPORTS.map((s) => [s]))('%s scoreboard matches the world', async (sport: Sport) => {
    const games = await client.scoreboard(sport);
    const expected = todayOrLive(sport);
    expect(games.map((g) => g.id).sort()).toEqual(expected.map((g) => g.id).sort());
    for (const g of games) {
      const v = world.game(g.id)!;
      expect(g.status).toBe(v.status);
      expect(g.home.team).toMatchObject({ id: v.home.espnId, abbr: v.home.abbr, name: v.home.name });
      expect(g.away.team.abbr).toBe(v.away.abbr);
      expect(g.startTime).toBe(new Date(Math.floor(v.startTime.getTime() / 60_000) * 60_000).toISOString());
      if (v.status !== 'scheduled') {
        expect([g.home.score, g.away.score]).toEqual([v.homeScore, v.awayScore]);
        expect(g.period).toBe(v.period);
      }
      if (v.status === 'live' && sport !== 'mlb' && sport !== 'mls' && sport !== 'epl') {
        expect(Math.abs(g.clockS! - v.clockS)).toBeLessThanOrEqual(0.1);
      }
    }
    expect(client.stats()['payload_errors']).toBeUndefined();
  });

  it('covers many games and produces no parse issues, in ESPN raw shape', async () => {
    let total = 0;
    for (const sport of SPORTS) total += (await client.scoreboard(sport)).length;
    expect(total).toBeGreaterThan(20);
    expect(Object.keys(client.stats()).filter((k) => k.startsWith('parse.'))).toEqual([]);
    const live = world.games().find((g) => g.status === 'live')!;
    const path = { nfl: 'football/nfl', ncaaf: 'football/college-football', nba: 'basketball/nba', ncaab: 'basketball/mens-college-basketball', nhl: 'hockey/nhl', mlb: 'baseball/mlb', mls: 'soccer/usa.1', epl: 'soccer/eng.1' }[live.sport];
    const raw = (await (await fetch(`${baseUrl}/apis/site/v2/sports/${path}/scoreboard`)).json()) as {
      events: { id: string; date: string; competitions: { competitors: { score: unknown; homeAway: string }[]; status: { type: { completed: unknown; state: string } } }[] }[];
    };
    const ev = raw.events.find((e) => e.id === live.id)!;
    expect(ev.date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z$/);
    for (const c of ev.competitions[0]!.competitors) expect(typeof c.score).toBe('string');
    expect(ev.competitions[0]!.status.type).toMatchObject({ completed: false, state: 'in' });
  });

  it('serves football possession, down and distance from the engine', async () => {
    let checked = 0;
    for (let i = 0; i < 60 && checked < 3; i++) {
      for (const sport of ['nfl', 'ncaaf'] as const) {
        for (const g of await client.scoreboard(sport)) {
          const d = world.detail(g.id)!;
          const sit = d.snapshot.situation;
          if (g.status !== 'live' || sit?.kind !== 'football' || d.snapshot.phase !== 'live') continue;
          expect(g.possession).toBe(d.snapshot.possession);
          expect(g.situation).toMatchObject({ kind: 'football', down: sit.down, distance: sit.distance });
          const toEndzone = 100 - sit.yardsFromOwnGoal;
          expect(g.situation).toMatchObject({ yardsToEndzone: toEndzone, isRedZone: toEndzone <= 20 });
          expect(g.espnHomeWinProb).not.toBeNull();
          checked += 1;
        }
      }
      world.step(40);
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('serves baseball outs, bases and the batting side', async () => {
    let checked = 0;
    for (let i = 0; i < 40 && checked < 3; i++) {
      for (const g of await client.scoreboard('mlb')) {
        const d = world.detail(g.id)!;
        const sit = d.snapshot.situation;
        if (d.snapshot.phase !== 'live' || sit?.kind !== 'baseball') continue;
        expect(g.situation).toMatchObject({
          kind: 'baseball',
          halfInning: sit.half,
          outs: sit.outs,
          onFirst: sit.onFirst,
          onSecond: sit.onSecond,
          onThird: sit.onThird,
        });
        expect(g.possession).toBe(sit.half === 'top' ? 'away' : 'home');
        checked += 1;
      }
      world.step(90);
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('summary carries a per-play win-probability series close to the truth, and a predictor', async () => {
    const live = world.games().find((g) => g.status === 'live' && g.sport === 'nba')!;
    world.step(120);
    const s = await client.summary('nba', live.id);
    expect(s.game?.id).toBe(live.id);
    expect(s.winProbability.length).toBeGreaterThan(0);
    const truth = world.game(live.id)!.homeWinProb;
    const last = s.winProbability.at(-1)!;
    expect(last.homeWinProb).toBeCloseTo(espnModelProb(live.id, Number(last.playId!.slice(-4)), truth, server.options), 4);
    const logit = (p: number) => Math.log(p / (1 - p));
    if (truth > 0.01 && truth < 0.99) expect(Math.abs(logit(last.homeWinProb) - logit(truth))).toBeLessThan(1);
    expect(s.predictor?.homeProb).not.toBeNull();
  });

  it('shows later days only when asked with dates=, and finals with a winner', async () => {
    const later = world.games().find((g) => g.startTime.getTime() - world.now().getTime() > 36 * 3_600_000)!;
    expect(later).toBeDefined();
    const today = await client.scoreboard(later.sport);
    expect(today.some((g) => g.id === later.id)).toBe(false);
    const thatDay = await client.scoreboard(later.sport, { dates: easternDate(later.startTime) });
    expect(thatDay.find((g) => g.id === later.id)?.status).toBe('scheduled');

    const soonest = world.games().filter((g) => g.status === 'live')[0]!;
    world.step(6 * 3600);
    const day = easternDate(soonest.startTime);
    const finals = await client.scoreboard(soonest.sport, { dates: day });
    const f = finals.find((g) => g.id === soonest.id)!;
    expect(f.status).toBe('final');
    expect(f.completed).toBe(true);
    const v = world.game(soonest.id)!;
    expect(f.home.winner).toBe(v.winner === 'home');
    const summary = await client.summary(soonest.sport, soonest.id);
    expect(summary.latestHomeWinProb).toBe(v.winner === 'home' ? 1 : 0);
  });
});

describe('ESPN client failure handling over HTTP', () => {
  it('unknown event is a 404 HttpError, an unknown league a 404', async () => {
    await expect(client.summary('nba', '999')).rejects.toMatchObject({ status: 404, code: 'ARB_ESPN_HTTP' });
    const res = await fetch(`${baseUrl}/apis/site/v2/sports/curling/world/scoreboard`);
    expect(res.status).toBe(404);
  });

  it('a bare 403 is throttling: back off and refuse further calls until it passes', async () => {
    const c = new EspnClient({ baseUrl, minIntervalMs: 0, backoffMs: 300 });
    server.injectFault('throttle');
    await expect(c.scoreboard('nba')).rejects.toBeInstanceOf(EspnThrottledError);
    await expect(c.scoreboard('nba')).rejects.toBeInstanceOf(EspnThrottledError);
    expect(c.stats()).toMatchObject({ throttled: 1, requests_refused_backoff: 1 });
    await new Promise((r) => setTimeout(r, 350));
    await expect(c.scoreboard('nba')).resolves.toBeInstanceOf(Array);
  });

  it('an HTML page is a payload error, a 503 is a retryable HTTP error, a stall is a timeout', async () => {
    const c = new EspnClient({ baseUrl, minIntervalMs: 0, timeoutMs: 300 });
    server.injectFault('garbage');
    await expect(c.scoreboard('nhl')).rejects.toBeInstanceOf(EspnPayloadError);
    server.injectFault('error');
    const err = await c.scoreboard('nhl').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EspnHttpError);
    expect((err as EspnHttpError).retryable).toBe(true);
    server.injectFault('stall');
    await expect(c.scoreboard('nhl')).rejects.toBeInstanceOf(EspnTimeoutError);
    expect(c.stats()).toMatchObject({ payload_errors: 1, http_errors: 1, timeouts: 1 });
    await expect(c.scoreboard('nhl')).resolves.toBeInstanceOf(Array);
  });

  it('keeps the minimum spacing between requests', async () => {
    const c = new EspnClient({ baseUrl, minIntervalMs: 120 });
    const t0 = Date.now();
    await Promise.all([c.scoreboard('epl'), c.scoreboard('epl'), c.scoreboard('epl')]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(230);
  });
});
