import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GameStatusSchema } from '../../core/messages.js';
import type { Sport } from '../../core/topics.js';
import type { EspnGame } from './common.js';
import { EspnPayloadError } from './errors.js';
import {
  halfInningFromDetail,
  mapStatus,
  parseDisplayClock,
  parseJsonBody,
  parseScoreboard,
  parseSoccerMinute,
  parseSummary,
} from './parse.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const text = (name: string) => readFileSync(path.join(dir, name), 'utf8');
const load = (name: string) => parseJsonBody(text(name), name);
const board = (sport: Sport, name = `${sport}-scoreboard.json`) => parseScoreboard(load(name), sport);
const byId = (games: EspnGame[], id: string) => {
  const g = games.find((x) => x.id === id);
  if (!g) throw new Error(`no game ${id}`);
  return g;
};

describe('ESPN scoreboard parser: NFL', () => {
  const { value: games, issues } = board('nfl');

  it('reads a live game by homeAway even when away is listed first', () => {
    const g = byId(games, '401772971');
    expect(g.home.team).toMatchObject({ id: '7', abbr: 'DEN', name: 'Denver Broncos', mascot: 'Broncos' });
    expect(g.away.team.abbr).toBe('LV');
    expect([g.home.score, g.away.score]).toEqual([17, 10]);
    expect(g).toMatchObject({ status: 'live', period: 3, clockS: 617, completed: false });
    expect(g.startTime).toBe('2025-11-07T01:15:00.000Z');
    expect(g.home.linescores).toEqual([7, 10, 0]);
    expect(g.home.record).toBe('7-2');
  });

  it('reads possession, down, distance, red zone and ESPN win probability', () => {
    const g = byId(games, '401772971');
    expect(g.possession).toBe('home');
    expect(g.situation).toMatchObject({ kind: 'football', down: 3, distance: 7, yardLine: 42, isRedZone: false });
    expect(g.espnHomeWinProb).toBeCloseTo(0.7426);
  });

  it('marks a Final/OT game final with its winner', () => {
    const g = byId(games, '401772980');
    expect(g).toMatchObject({ status: 'final', completed: true, period: 5, statusDetail: 'Final/OT' });
    expect(g.home.winner).toBe(true);
    expect(g.away.winner).toBe(false);
  });

  it('maps halftime, drops down -1 between plays, and keeps no possession then', () => {
    const g = byId(games, '401772981');
    expect(g.status).toBe('halftime');
    expect(g.possession).toBeNull();
    expect(g.situation).toMatchObject({ down: null, distance: null });
  });

  it('reads a scheduled game without scores as null scores and no issue', () => {
    const g = byId(games, '401772990');
    expect(g.status).toBe('scheduled');
    expect(g.home.score).toBeNull();
    expect(issues['score_missing']).toBeUndefined();
  });
});

describe('ESPN scoreboard parser: other leagues', () => {
  it('NCAAF: red zone, ranks (99 = unranked), TBD start time', () => {
    const { value } = board('ncaaf');
    const live = byId(value, '401752801');
    expect(live.situation).toMatchObject({ isRedZone: true, down: 1, distance: 8 });
    expect(live.possession).toBe('home');
    expect(live.home.rank).toBe(4);
    const tbd = byId(value, '401752811');
    expect(tbd.timeValid).toBe(false);
    expect(tbd.home.rank).toBeNull();
  });

  it('NBA: sub-minute clock, end of period is live, final', () => {
    const { value } = board('nba');
    expect(byId(value, '401810101')).toMatchObject({ clockS: 24.3, period: 4, status: 'live' });
    expect(byId(value, '401810102')).toMatchObject({ status: 'live', statusName: 'STATUS_END_PERIOD' });
    const fin = byId(value, '401810099');
    expect(fin).toMatchObject({ status: 'final' });
    expect(fin.home.team.abbr).toBe('OKC');
  });

  it('NCAAB: halftime and scheduled', () => {
    const { value } = board('ncaab');
    expect(byId(value, '401820001').status).toBe('halftime');
    expect(byId(value, '401820002').status).toBe('scheduled');
  });

  it('NHL: live clock and Final/OT', () => {
    const { value } = board('nhl');
    expect(byId(value, '401802201')).toMatchObject({ status: 'live', period: 3, clockS: 512 });
    expect(byId(value, '401802199')).toMatchObject({ status: 'final', period: 4 });
  });

  it('MLB: outs, count, bases, half inning and batting side; rain delay; postponed is not final', () => {
    const { value } = board('mlb');
    const g = byId(value, '401696201');
    expect(g.situation).toEqual({
      kind: 'baseball',
      halfInning: 'top',
      balls: 2,
      strikes: 1,
      outs: 1,
      onFirst: true,
      onSecond: false,
      onThird: true,
    });
    expect(g.possession).toBe('away');
    expect(g.clockS).toBe(0);
    expect(byId(value, '401696202').status).toBe('delayed');
    const pp = byId(value, '401696203');
    expect(pp).toMatchObject({ status: 'postponed', statusState: 'post', completed: false });
  });

  it('MLS: soccer clock is elapsed time, converted to seconds left in the half', () => {
    const { value } = board('mls');
    expect(byId(value, '401760001')).toMatchObject({ status: 'live', period: 1, clockS: 2700 - 1380 });
    expect(byId(value, '401760002')).toMatchObject({ status: 'live', period: 2, clockS: 0 });
  });

  it('EPL: a drawn final, halftime and a cancelled match', () => {
    const { value } = board('epl');
    const draw = byId(value, '740601');
    expect(draw).toMatchObject({ status: 'final' });
    expect([draw.home.score, draw.away.score, draw.home.winner, draw.away.winner]).toEqual([1, 1, false, false]);
    expect(byId(value, '740602').status).toBe('halftime');
    expect(byId(value, '740603').status).toBe('cancelled');
  });

  it('every fixture game has a schema-valid status', () => {
    for (const sport of ['nfl', 'ncaaf', 'nba', 'ncaab', 'nhl', 'mlb', 'mls', 'epl'] as const) {
      const { value, issues } = board(sport);
      expect(value.length).toBeGreaterThan(1);
      for (const g of value) expect(GameStatusSchema.safeParse(g.status).success).toBe(true);
      expect(issues).toEqual({});
    }
  });
});

describe('ESPN summary parser', () => {
  it('reads header state, the win-probability series and the predictor', () => {
    const { value, issues } = parseSummary(load('nfl-summary.json'), 'nfl', '401772971');
    expect(value.game).toMatchObject({ id: '401772971', status: 'live', period: 3, clockS: 617 });
    expect(value.game?.home.team.abbr).toBe('DEN');
    expect(value.game?.home.score).toBe(17);
    expect(value.winProbability).toHaveLength(4);
    expect(value.winProbability[0]).toEqual({ playId: '4017729711', homeWinProb: 0.781, tieProb: 0 });
    expect(value.latestHomeWinProb).toBeCloseTo(0.7426);
    expect(value.predictor).toMatchObject({ homeProb: 0.781, awayProb: 0.219 });
    expect(issues).toEqual({});
  });

  it('falls back to the pre-game predictor when the series is empty', () => {
    const { value } = parseSummary(load('nba-summary-pregame.json'), 'nba', '401810102');
    expect(value.winProbability).toEqual([]);
    expect(value.latestHomeWinProb).toBeCloseTo(0.634);
    expect(value.game?.status).toBe('scheduled');
  });

  it('degrades a mangled summary to nulls and counters', () => {
    const { value, issues } = parseSummary(load('summary-mangled.json'), 'nba', '9');
    expect(value.game).toBeNull();
    expect(value.winProbability).toEqual([{ playId: '3', homeWinProb: 0.4, tieProb: null }]);
    expect(issues['winprobability_entry_invalid']).toBe(3);
    expect(issues['competition_missing']).toBe(1);
    expect(issues['predictor_invalid']).toBe(1);
  });
});

describe('ESPN parsers on malformed bodies', () => {
  it('garbage and truncated bodies are a clear ARB_ESPN_PAYLOAD error', () => {
    for (const name of ['garbage.txt', 'truncated.json']) {
      expect(() => parseJsonBody(text(name), name)).toThrow(EspnPayloadError);
      try {
        parseJsonBody(text(name), name);
      } catch (err) {
        expect((err as EspnPayloadError).code).toBe('ARB_ESPN_PAYLOAD');
      }
    }
  });

  it('a body that is not an object or has no events array is an error', () => {
    expect(() => parseScoreboard(load('scoreboard-not-object.json'), 'nba')).toThrow(/not a JSON object/);
    expect(() => parseScoreboard(load('scoreboard-no-events.json'), 'nba')).toThrow(/no events array/);
    expect(() => parseSummary({ nope: 1 }, 'nba', '1')).toThrow(/no header/);
  });

  it('skips and counts unusable events, degrades odd fields to null', () => {
    const { value, issues } = board('nba', 'scoreboard-mangled.json');
    expect(value.map((g) => g.id)).toEqual(['3', '4']);
    const weird = byId(value, '3');
    expect(weird.status).toBe('live');
    expect(weird.period).toBe(2);
    expect(weird.clockS).toBe(425);
    expect(weird.home.score).toBeNull();
    expect(weird.home.team.id).toBeNull();
    expect(weird.away.score).toBe(3);
    expect(weird.startTime).toBeNull();
    const ordered = byId(value, '4');
    expect(ordered.home.team.abbr).toBe('BBB');
    expect(issues).toMatchObject({
      event_not_object: 4,
      competition_missing: 1,
      competitors_invalid: 1,
      status_unknown: 1,
      score_missing: 1,
      team_missing: 1,
      date_invalid: 1,
      home_away_missing: 1,
      event_duplicate: 1,
    });
  });

  it('reads a percent-looking ESPN probability as a fraction and counts it', () => {
    const { value, issues } = parseScoreboard(load('scoreboard-mangled.json'), 'nfl');
    expect(byId(value, '3').espnHomeWinProb).toBeCloseTo(0.7426);
    expect(byId(value, '3').possession).toBeNull();
    expect(issues['probability_percent']).toBe(1);
    expect(issues['possession_unknown_team']).toBe(1);
  });
});

describe('ESPN status, clock and inning helpers', () => {
  it('maps observed status names; finality needs completed', () => {
    expect(mapStatus('STATUS_FINAL', 'post', true)).toBe('final');
    expect(mapStatus('STATUS_FINAL_PEN', 'post', true)).toBe('final');
    expect(mapStatus('STATUS_POSTPONED', 'post', false)).toBe('postponed');
    expect(mapStatus('STATUS_SUSPENDED', 'in', false)).toBe('delayed');
    expect(mapStatus('STATUS_NEW_THING', 'post', true)).toBe('final');
    expect(mapStatus('STATUS_NEW_THING', 'pre', false)).toBe('scheduled');
    expect(mapStatus(null, null, null)).toBe('scheduled');
  });

  it('parses clocks and innings', () => {
    expect(parseDisplayClock('10:17')).toBe(617);
    expect(parseDisplayClock('0.4')).toBe(0.4);
    expect(parseDisplayClock('banana')).toBeNull();
    expect(parseSoccerMinute("67'")).toBe(67);
    expect(parseSoccerMinute("45'+2'")).toBe(47);
    expect(halfInningFromDetail('Bot 9th')).toBe('bottom');
    expect(halfInningFromDetail('Mid 5th')).toBe('bottom');
    expect(halfInningFromDetail('Final')).toBeNull();
  });
});

describe('ESPN parsers under fuzzing', () => {
  const sports: Sport[] = ['nfl', 'ncaaf', 'nba', 'ncaab', 'nhl', 'mlb', 'mls', 'epl'];

  it('never throws anything but EspnPayloadError on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(...sports), (v, sport) => {
        for (const fn of [() => parseScoreboard(v, sport), () => parseSummary(v, sport, 'x')]) {
          try {
            fn();
          } catch (err) {
            if (!(err instanceof EspnPayloadError)) throw err;
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('survives real fixtures with random fields replaced by arbitrary values', () => {
    const bodies = sports.map((s) => [s, load(`${s}-scoreboard.json`)] as const);
    const mutate = (v: unknown, path: number[], junk: unknown): unknown => {
      if (path.length === 0 || v === null || typeof v !== 'object') return junk;
      const [head, ...rest] = path as [number, ...number[]];
      if (Array.isArray(v)) {
        if (v.length === 0) return junk;
        const i = head % v.length;
        return v.map((x, j) => (j === i ? mutate(x, rest, junk) : x));
      }
      const keys = Object.keys(v);
      if (keys.length === 0) return junk;
      const k = keys[head % keys.length]!;
      return { ...(v as Record<string, unknown>), [k]: mutate((v as Record<string, unknown>)[k], rest, junk) };
    };
    fc.assert(
      fc.property(
        fc.nat(bodies.length - 1),
        fc.array(fc.nat(50), { minLength: 1, maxLength: 9 }),
        fc.jsonValue(),
        (i, path, junk) => {
          const [sport, body] = bodies[i]!;
          try {
            const { value } = parseScoreboard(mutate(body, path, junk), sport);
            for (const g of value) {
              expect(GameStatusSchema.safeParse(g.status).success).toBe(true);
              expect(Number.isFinite(g.period)).toBe(true);
              if (g.home.score !== null) expect(Number.isInteger(g.home.score)).toBe(true);
              if (g.espnHomeWinProb !== null) expect(g.espnHomeWinProb).toBeGreaterThanOrEqual(0);
            }
          } catch (err) {
            if (!(err instanceof EspnPayloadError)) throw err;
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
