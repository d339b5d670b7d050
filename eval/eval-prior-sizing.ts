/**
 * `npm run eval:prior-sizing`: on simulated games with a known truth,
 * 1. the market prior: what a good prior (the engine's pregame truth with N(0, 0.15) log-odds
 *    noise, as in eval:winprob) and a wrong one (N(0, 1.0) noise) do to the margin sports'
 *    model, with the prior taken as exact (prior strength SD 0) or down-weighted by the game
 *    (prior strength SD tau: marginWinProb's conjugate update), and how often a surprise
 *    z-score flags the prior by half-time;
 * 2. the sizing: quarter Kelly on the model against a noisy market, with and without the
 *    uncertainty shrink (core/sizing/kelly.ts), one bet per game settled at the game's result:
 *    return and drawdown over many orderings.
 *
 * Options (environment): EVAL_WORLDS (default 8 worlds of 48 games), EVAL_NO_WRITE=1 to print
 * only (else the tables go into src/core/win-probability/README.md between their markers).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { basketballHomeWin } from '../src/core/win-probability/basketball.js';
import { NBA, NCAAB, NCAAF, NFL, type MarginSportConstants } from '../src/core/win-probability/constants.js';
import { footballHomeWin } from '../src/core/win-probability/football.js';
import { homeWinProbability, modelProbSd, type WinProbInput } from '../src/core/win-probability/index.js';
import { marginDrift } from '../src/core/win-probability/margin-model.js';
import { kellyFraction, uncertaintyShrink } from '../src/core/sizing/kelly.js';
import { seededUniform } from './cross-validation.js';
import { ScoreCard } from './score-card.js';
import { runSimEval, type FinishedGame } from './sim-eval.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = [resolve(here, '..'), resolve(here, '../..')].find((p) => existsSync(resolve(p, 'package.json')))!;
const README = resolve(root, 'src/core/win-probability/README.md');
const START = '<!-- eval:prior-sizing:start -->';
const END = '<!-- eval:prior-sizing:end -->';

const MARGIN: Record<string, { c: MarginSportConstants; f: (i: WinProbInput, c: MarginSportConstants) => number }> = {
  nfl: { c: NFL, f: footballHomeWin },
  ncaaf: { c: NCAAF, f: footballHomeWin },
  nba: { c: NBA, f: basketballHomeWin },
  ncaab: { c: NCAAB, f: basketballHomeWin },
};
/** Prior strength SDs tried, as a share of the sport's sigma. */
export const TAU_SHARES = [0, 0.1, 0.2, 0.35];
export const WRONG_PRIOR_NOISE = 1.0;
const MARKET_NOISE = 0.3;

const logit = (p: number) => Math.log(p / (1 - p));
const expit = (z: number) => 1 / (1 + Math.exp(-z));
const clampP = (p: number) => Math.min(1 - 1e-4, Math.max(1e-4, p));

/** Box-Muller normal from a seeded uniform. */
function normal(rand: () => number): number {
  const u = Math.max(1e-12, rand());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

interface PriorRow {
  label: string;
  cards: Record<string, ScoreCard>;
  flaggedGood: number;
  flaggedWrong: number;
  games: number;
}

function priorRows(): { rows: Map<string, PriorRow>; add: (g: FinishedGame) => void } {
  const rows = new Map<string, PriorRow>();
  const rand = seededUniform(77);
  const add = (g: FinishedGame) => {
    const m = MARGIN[g.sport];
    if (!m || g.samples.length === 0) return;
    let row = rows.get(g.sport);
    if (!row) rows.set(g.sport, (row = { label: g.sport, cards: {}, flaggedGood: 0, flaggedWrong: 0, games: 0 }));
    row.games += 1;
    const wrong = expit(logit(clampP(g.truePregame)) + WRONG_PRIOR_NOISE * normal(rand));
    const card = (name: string) => (row.cards[name] ??= new ScoreCard());
    let flagged = { good: false, wrong: false };
    for (const s of g.samples) {
      card('no prior').add(homeWinProbability({ ...s.input, pregameHomeProb: null }), g.y);
      card('engine truth').add(s.truth, g.y);
      for (const share of TAU_SHARES) {
        const c = { ...m.c, priorStrengthSd: share * (m.c.priorSigma ?? m.c.sigma) };
        card(`good prior, tau ${share}`).add(clampP(m.f(s.input, c)), g.y);
        card(`wrong prior, tau ${share}`).add(clampP(m.f({ ...s.input, pregameHomeProb: wrong }, c)), g.y);
      }
      // The surprise: how far the lead is from what the prior expects by now, in SDs.
      const gameS = m.c.periods * m.c.periodS;
      const left = Math.max(0, (m.c.periods - Math.max(1, s.input.period)) * m.c.periodS + Math.min(s.input.clockS, m.c.periodS));
      const e = 1 - left / gameS;
      if (e >= 0.5 && e < 0.55) {
        const lead = s.input.homeScore - s.input.awayScore;
        const z = (p: number) => Math.abs(lead - marginDrift({ ...s.input, pregameHomeProb: p }, m.c) * e) / (m.c.sigma * Math.sqrt(e));
        flagged = { good: flagged.good || z(s.input.pregameHomeProb ?? 0.5) > 2, wrong: flagged.wrong || z(wrong) > 2 };
      }
    }
    if (flagged.good) row.flaggedGood += 1;
    if (flagged.wrong) row.flaggedWrong += 1;
  };
  return { rows, add };
}

interface Bet {
  /** Model probability of the side bought, its SD, the price paid, and whether it paid. */
  q: number;
  sd: number;
  price: number;
  won: boolean;
}

function betOf(g: FinishedGame, rand: () => number): Bet | null {
  if (g.samples.length === 0 || g.prior.draw !== null) return null;
  const s = g.samples[Math.floor(rand() * g.samples.length)]!;
  const model = homeWinProbability(s.input);
  const market = clampP(expit(logit(clampP(s.truth)) + MARKET_NOISE * normal(rand)));
  const home = model > market;
  return {
    q: home ? model : 1 - model,
    sd: modelProbSd(g.sport, model),
    price: home ? market : 1 - market,
    won: home ? g.y === 1 : g.y === 0,
  };
}

interface PathStats {
  logReturn: number;
  maxDrawdown: number;
}

function runPath(bets: readonly Bet[], shrink: boolean, fraction = 0.25): PathStats {
  let wealth = 1;
  let peak = 1;
  let maxDd = 0;
  for (const b of bets) {
    const f = fraction * kellyFraction(b.q, b.price) * (shrink ? uncertaintyShrink(b.q - b.price, b.sd) : 1);
    const stake = f * wealth;
    wealth += b.won ? (stake * (1 - b.price)) / b.price : -stake;
    peak = Math.max(peak, wealth);
    maxDd = Math.max(maxDd, 1 - wealth / peak);
  }
  return { logReturn: Math.log(wealth), maxDrawdown: maxDd };
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const f4 = (x: number) => x.toFixed(4);
const table = (h: string[], rows: string[][]) =>
  [h, h.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');

function main(): void {
  const worlds = Number(process.env['EVAL_WORLDS'] ?? 8);
  const games: FinishedGame[] = [];
  const prior = priorRows();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  runSimEval({ worlds }, log, (g) => {
    games.push(g);
    prior.add(g);
  });
  const priorHeader = ['sport', 'games', 'no prior', ...TAU_SHARES.map((t) => `good prior, tau ${t} sigma`), ...TAU_SHARES.map((t) => `wrong prior, tau ${t} sigma`), 'engine truth', 'flagged by half-time: good / wrong prior'];
  const priorTable = [...prior.rows.values()].map((r) => [
    r.label,
    String(r.games),
    f4(r.cards['no prior']!.scores().brier),
    ...TAU_SHARES.map((t) => f4(r.cards[`good prior, tau ${t}`]!.scores().brier)),
    ...TAU_SHARES.map((t) => f4(r.cards[`wrong prior, tau ${t}`]!.scores().brier)),
    f4(r.cards['engine truth']!.scores().brier),
    `${((100 * r.flaggedGood) / r.games).toFixed(0)} % / ${((100 * r.flaggedWrong) / r.games).toFixed(0)} %`,
  ]);
  const paths = 200;
  const plain: PathStats[] = [];
  const shrunk: PathStats[] = [];
  const half: PathStats[] = [];
  for (let k = 0; k < paths; k++) {
    const rand = seededUniform(1000 + k);
    const order = games.map((g) => ({ g, r: rand() })).sort((a, b) => a.r - b.r);
    const bets = order.map(({ g }) => betOf(g, rand)).filter((b): b is Bet => b !== null);
    plain.push(runPath(bets, false));
    shrunk.push(runPath(bets, true));
    half.push(runPath(bets, false, 0.125));
  }
  const sizingRow = (name: string, xs: PathStats[]) => [
    name,
    f4(mean(xs.map((x) => x.logReturn))),
    f4(quantile(xs.map((x) => x.logReturn), 0.05)),
    f4(mean(xs.map((x) => x.maxDrawdown))),
    f4(quantile(xs.map((x) => x.maxDrawdown), 0.95)),
  ];
  const keep = mean(shrunk.map((x) => x.logReturn)) / mean(plain.map((x) => x.logReturn));
  const ddCut = 1 - mean(shrunk.map((x) => x.maxDrawdown)) / mean(plain.map((x) => x.maxDrawdown));
  const section = [
    `_Generated by \`npm run eval:prior-sizing\` on ${new Date().toISOString().slice(0, 10)}: ${games.length} simulated games (${worlds} worlds)._`,
    '',
    `Market prior on the margin sports (Brier over all sampled states). Good prior: the engine's pregame truth with N(0, 0.15) log-odds noise; wrong prior: N(0, ${WRONG_PRIOR_NOISE}). tau = the prior's strength SD as a share of the sport's sigma (0 = the prior is taken as exact; larger = the game's lead overrules it sooner). "Flagged": the lead at half-time is more than 2 SD from what the prior expects.`,
    '',
    table(priorHeader, priorTable),
    '',
    `Sizing: quarter Kelly, one bet per game at a random sampled state against a market priced at the engine's truth with N(0, ${MARKET_NOISE}) log-odds noise, settled at the game's result; ${paths} orderings of all non-soccer games. With the shrink, Kelly x e^2 / (e^2 + sd^2), sd = modelProbSd(sport, p).`,
    '',
    table(['sizing', 'mean log return', '5 % worst log return', 'mean max drawdown', '95 % worst max drawdown'], [
      sizingRow('quarter Kelly, model taken as exact', plain),
      sizingRow('quarter Kelly shrunk by the model uncertainty', shrunk),
      sizingRow('eighth Kelly (flat half stake), for comparison', half),
    ]),
    '',
    `The shrunk sizing keeps ${(100 * keep).toFixed(0)} % of the mean log return and cuts the mean max drawdown by ${(100 * ddCut).toFixed(0)} %.`,
  ].join('\n');
  process.stdout.write(`${section}\n`);
  if (process.env['EVAL_NO_WRITE'] !== '1') {
    const text = readFileSync(README, 'utf8');
    const a = text.indexOf(START);
    const b = text.indexOf(END);
    const next = a >= 0 && b > a ? `${text.slice(0, a + START.length)}\n${section}\n${text.slice(b)}` : `${text}\n${START}\n${section}\n${END}\n`;
    writeFileSync(README, next);
    log(`tables written to ${README}`);
  }
}

main();
