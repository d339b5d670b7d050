import { afterEach, describe, expect, it } from 'vitest';
import { ArbeesError } from '../src/core/errors.js';
import { MarketMaker, yesHistory } from '../src/sim/market-maker.js';
import { SimulatedWorld } from '../src/sim/sim-world.js';
import { easternDay } from '../src/venues/espn/common.js';
import type { SimGameView } from '../src/sim/world.js';

const worlds: SimulatedWorld[] = [];
const make = (o: ConstructorParameters<typeof SimulatedWorld>[0]) => {
  const w = new SimulatedWorld(o);
  worlds.push(w);
  return w;
};
afterEach(() => {
  for (const w of worlds.splice(0)) w.close();
});

const START = Date.parse('2026-01-10T18:00:00Z');

describe('SimWorld schedule', () => {
  it('is seeded: the same seed gives the same slate, another seed another', () => {
    const a = make({ seed: 3, games: 30, clock: 'manual', startMs: START });
    const b = make({ seed: 3, games: 30, clock: 'manual', startMs: START });
    const c = make({ seed: 4, games: 30, clock: 'manual', startMs: START });
    const key = (w: SimulatedWorld) => w.games().map((g) => `${g.id} ${g.home.abbr}-${g.away.abbr} ${g.startTime.toISOString()} ${g.homeScore}`);
    expect(key(a)).toEqual(key(b));
    expect(key(c)).not.toEqual(key(a));
  });

  it('mixes live, soon, later-today and next-day games across leagues with unique ids', () => {
    const w = make({ seed: 5, games: 80, clock: 'manual', startMs: START });
    const games = w.games();
    expect(new Set(games.map((g) => g.id)).size).toBe(80);
    expect(new Set(games.map((g) => g.sport)).size).toBe(8);
    const now = w.now().getTime();
    const ahead = (g: SimGameView) => (g.startTime.getTime() - now) / 3_600_000;
    expect(games.filter((g) => g.status === 'live' || g.status === 'halftime').length).toBeGreaterThan(15);
    expect(games.filter((g) => ahead(g) > 0 && ahead(g) <= 0.5).length).toBeGreaterThan(5);
    expect(games.filter((g) => ahead(g) > 0.5 && ahead(g) < 12).length).toBeGreaterThan(3);
    expect(games.filter((g) => ahead(g) >= 24).length).toBeGreaterThan(3);
    for (const g of games) expect(g.home.abbr).not.toBe(g.away.abbr);
  });

  it('never books a team twice on one day in one league', () => {
    const w = make({ seed: 6, games: 60, leagues: ['nba', 'nfl'], clock: 'manual', startMs: START });
    const seen = new Set<string>();
    for (const g of w.games()) {
      const day = `${g.sport}:${easternDay(g.startTime)}`;
      for (const t of [g.home.abbr, g.away.abbr]) {
        const k = `${day}:${t}`;
        expect(seen.has(k), k).toBe(false);
        seen.add(k);
      }
    }
  });

  it('rejects bad options with ARB_SIM_INVALID', () => {
    expect(() => new SimulatedWorld({ speed: 100 })).toThrow(ArbeesError);
    expect(() => new SimulatedWorld({ games: -1 })).toThrow(/games/);
    expect(() => new SimulatedWorld({ leagues: ['xfl' as never] })).toThrow(/leagues/);
  });
});

describe('SimWorld running', () => {
  it('step() plays games to the end: updates, one final each, legal winners', () => {
    const w = make({ seed: 8, games: 24, clock: 'manual', startMs: START, postponedShare: 0.3 });
    const updates = new Map<string, number>();
    const finals: SimGameView[] = [];
    w.on('update', (v) => updates.set(v.id, (updates.get(v.id) ?? 0) + 1));
    w.on('final', (v) => finals.push(v));
    for (let i = 0; i < 6 * 24 * 6; i++) w.step(600); // six days in 10-minute steps
    const games = w.games();
    const played = games.filter((g) => g.status !== 'postponed');
    expect(played.every((g) => g.status === 'final')).toBe(true);
    expect(finals.map((g) => g.id).sort()).toEqual(played.map((g) => g.id).sort());
    for (const g of played) {
      expect(updates.get(g.id)).toBeGreaterThan(0);
      expect(g.winner).not.toBeNull();
      if (g.sport !== 'mls' && g.sport !== 'epl') expect(g.winner).not.toBe('draw');
      expect(g.homeWinProb).toBe(g.winner === 'home' ? 1 : 0);
      expect(w.probHistory(g.id).length).toBeGreaterThan(3);
    }
    const postponed = games.filter((g) => g.status === 'postponed');
    for (const g of postponed) expect(updates.has(g.id)).toBe(false);
  });

  it('views are immutable snapshots with probabilities in [0,1]', () => {
    const w = make({ seed: 9, games: 16, clock: 'manual', startMs: START, liveShare: 1, soonShare: 0 });
    const before = w.games()[0]!;
    w.step(900);
    expect(Object.isFrozen(before)).toBe(true);
    for (const g of w.games()) {
      expect(g.homeWinProb).toBeGreaterThanOrEqual(0);
      expect(g.homeWinProb + g.drawProb).toBeLessThanOrEqual(1 + 1e-9);
    }
  });

  it('runs 50 games at 10x on one timer with modest CPU', async () => {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const w = make({ seed: 11, games: 50, speed: 10, tickMs: 250, liveShare: 0.7, soonShare: 0.3 });
    const setup = process.cpuUsage(cpu0);
    const setupCpuMs = (setup.user + setup.system) / 1000;
    const setupWallMs = performance.now() - t0;
    let updates = 0;
    w.on('update', () => updates++);
    const sim0 = w.now().getTime();
    const cpu1 = process.cpuUsage();
    const wall1 = performance.now();
    w.start();
    await new Promise((r) => setTimeout(r, 8_000));
    w.stop();
    const used = process.cpuUsage(cpu1);
    const wallMs = performance.now() - wall1;
    const cpuShare = (used.user + used.system) / 1000 / wallMs;
    const simAdvancedS = (w.now().getTime() - sim0) / 1000;
    const stats = w.stats();
    console.log(
      `[sim-world 50 games x10] setup ${setupCpuMs.toFixed(0)} ms CPU / ${setupWallMs.toFixed(0)} ms wall, ` +
        `run CPU ${(cpuShare * 100).toFixed(1)}% of one core over ${(wallMs / 1000).toFixed(1)} s, ` +
        `${stats.ticks} ticks, mean tick ${(stats.tickCpuMsTotal / stats.ticks).toFixed(2)} ms, max ${stats.tickCpuMsMax.toFixed(1)} ms, ` +
        `${updates} updates, ${stats.liveGames} live`,
    );
    expect(simAdvancedS).toBeGreaterThan(75);
    expect(simAdvancedS).toBeLessThan(90);
    expect(stats.liveGames).toBeGreaterThan(25);
    expect(updates).toBeGreaterThan(stats.liveGames * 10);
    expect(cpuShare).toBeLessThan(0.25);
  }, 30_000);

  it('a market maker quoting a world game follows its true probability with the lag', () => {
    const w = make({ seed: 12, games: 8, leagues: ['nba'], clock: 'manual', startMs: START, liveShare: 1, soonShare: 0 });
    const id = w.games()[0]!.id;
    for (let i = 0; i < 120; i++) w.step(15);
    const history = yesHistory(w.probHistory(id), 'home');
    expect(history.length).toBeGreaterThan(20);
    const mm = new MarketMaker({ seed: 1, lagMs: 30_000, noiseSd: 0, episodeProb: 0, halfSpread: 0.01 });
    const t = w.now().getTime();
    const q = mm.quote(t, history);
    const lagged = [...history].reverse().find((h) => h.tMs <= t - 30_000)!.p;
    const mid = (q.yesBids[0]![0] + q.yesAsks[0]![0]) / 2;
    expect(Math.abs(mid - Math.min(0.985, Math.max(0.015, lagged)))).toBeLessThanOrEqual(0.011);
  });
});
