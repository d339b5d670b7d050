/**
 * `npm run eval:winprob`: scores the win-probability models on simulated games (every sport)
 * and on the real NFL and NHL data in the shared data folder, beside the reference system's
 * formulas and the published / baseline probabilities; prints the tables and writes them into
 * src/core/win-probability/README.md between the eval markers.
 *
 * Options (environment): EVAL_WORLDS (default 44 worlds of 48 games = 2,112 games),
 * EVAL_DATA_DIR (default ../shared/data relative to the repository), EVAL_NO_WRITE=1 to
 * print only.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evalNfl, evalNhl, type DatasetResult } from './real-eval.js';
import type { ScoreCard, Scores } from './score-card.js';
import { runSimEval, SIM_MODELS, type SimEvalResult } from './sim-eval.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root, from eval (ts) or dist/eval (js). */
const root = [resolve(here, '..'), resolve(here, '../..')].find((p) => existsSync(resolve(p, 'package.json')))!;
const README = resolve(root, 'src/core/win-probability/README.md');
const START = '<!-- eval:winprob:start -->';
const END = '<!-- eval:winprob:end -->';

const f4 = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : '-');
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '-');

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function reliabilityTable(named: [string, Scores][]): string {
  const header = ['predicted', ...named.flatMap(([n]) => [`${n}: n`, 'mean p', 'observed'])];
  const rows = named[0]![1].reliability.map((bin, b) => [
    `${bin.lo.toFixed(1)}-${bin.hi.toFixed(1)}`,
    ...named.flatMap(([, s]) => {
      const r = s.reliability[b]!;
      return [String(r.n), f3(r.meanPredicted), f3(r.observed)];
    }),
  ]);
  return table(header, rows);
}

function simSection(r: SimEvalResult): string {
  const short: Record<string, string> = {
    'arbees (market prior)': 'arbees, market prior',
    'arbees (no prior)': 'arbees, no prior',
    'reference (as deployed, no prior)': 'reference',
    'reference + its pregame blend (market prior)': 'reference + blend',
    'market prior held all game': 'prior only',
    'engine truth (floor)': 'engine truth',
  };
  const header = ['sport', 'games', 'states', ...SIM_MODELS.map((m) => short[m]!)];
  const row = (name: string, games: number, states: number, cards: Record<string, ScoreCard>, key: 'brier' | 'logLoss') => {
    const values = SIM_MODELS.map((m) => cards[m]!.scores()[key]);
    const best = Math.min(...values.slice(0, 5));
    return [name, String(games), String(states), ...values.map((v, i) => (i < 5 && v === best ? `**${f4(v)}**` : f4(v)))];
  };
  const games = r.bySport.reduce((s, x) => s + x.games, 0);
  const states = r.bySport.reduce((s, x) => s + x.states, 0);
  const rows = (key: 'brier' | 'logLoss') => [
    ...r.bySport.map((s) => row(s.sport, s.games, s.states, s.cards, key)),
    row('**all**', games, states, r.all, key),
  ];
  const beats = r.bySport.filter(
    (s) => s.cards['arbees (market prior)'].scores().brier < s.cards['reference (as deployed, no prior)'].scores().brier,
  ).length;
  const soccer = r.bySport
    .filter((s) => s.threeWay)
    .map((s) => [s.sport, f4(s.threeWay!.arbees.value()), f4(s.threeWay!.truth.value())]);
  return [
    `### Simulated games`,
    '',
    `${games} games (${r.options.worlds} seeded worlds of ${r.options.gamesPerWorld}), ${states} states sampled every ` +
      `${r.options.sampleEveryS} simulated seconds. Market prior = the engine's pregame true probability with ` +
      `N(0, ${r.options.priorNoise}) log-odds noise (soccer: on all three outcomes). Best of the five models in bold; ` +
      `"engine truth" is the simulator's exact probability, the floor. arbees (market prior) beats the reference ` +
      `formulas on Brier in **${beats} of ${r.bySport.length}** sports.`,
    '',
    'Brier score (lower is better):',
    '',
    table(header, rows('brier')),
    '',
    'Log loss (probabilities clamped to [1e-4, 1 - 1e-4] for every model):',
    '',
    table(header, rows('logLoss')),
    '',
    'Soccer, three-way Brier (home/draw/away; the reference has no draw):',
    '',
    table(['sport', 'arbees, market prior', 'engine truth'], soccer),
    '',
    'Reliability, all simulated states:',
    '',
    reliabilityTable([
      ['arbees', r.all['arbees (market prior)'].scores()],
      ['reference', r.all['reference (as deployed, no prior)'].scores()],
    ]),
    '',
    `Speed: ${r.modelMicrosPerCall.toFixed(2)} us per homeWinProbability call (mean over mid-game states of every ` +
      `sport, measured inside this run on a shared machine).`,
  ].join('\n');
}

function datasetSection(d: DatasetResult, reliabilityModels: string[]): string {
  const rows = d.models.map((m) => {
    const s = d.cards[m]!.scores();
    return [m, String(s.n), f4(s.brier), f4(s.logLoss)];
  });
  return [
    `### ${d.name}`,
    '',
    `${d.games} games, ${d.states} states. ${d.notes.join('; ')}.`,
    '',
    table(['model', 'states', 'Brier', 'log loss'], rows),
    '',
    'Reliability:',
    '',
    reliabilityTable(reliabilityModels.map((m) => [m, d.cards[m]!.scores()])),
  ].join('\n');
}

function writeReadme(section: string): void {
  const text = existsSync(README) ? readFileSync(README, 'utf8') : `${START}\n${END}\n`;
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  const next = a >= 0 && b > a ? `${text.slice(0, a + START.length)}\n${section}\n${text.slice(b)}` : `${text}\n${START}\n${section}\n${END}\n`;
  writeFileSync(README, next);
}

function main(): void {
  const worlds = Number(process.env['EVAL_WORLDS'] ?? 44);
  const dataDir = resolve(process.env['EVAL_DATA_DIR'] ?? resolve(root, '../shared/data'));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(`simulating ${worlds} worlds...`);
  const sim = runSimEval({ worlds }, log);
  log('real data...');
  const nfl = evalNfl(resolve(dataDir, 'nfl-postseason-2009-2014.csv'));
  const nhl = evalNhl(resolve(dataDir, 'nhl-2022-23-partial.csv.gz'));
  const section = [
    `_Generated by \`npm run eval:winprob\` on ${new Date().toISOString().slice(0, 10)}; ` +
      `simulation ${sim.wallS.toFixed(0)} s._`,
    '',
    simSection(sim),
    '',
    '### Real games',
    '',
    datasetSection(nfl, ['arbees (no prior)', 'nflscrapR home_wp (published)', 'reference (as deployed, no prior)']),
    '',
    datasetSection(nhl, ['arbees (no prior)', 'reference (as deployed, no prior)']),
  ].join('\n');
  process.stdout.write(`${section}\n`);
  if (process.env['EVAL_NO_WRITE'] !== '1') {
    writeReadme(section);
    log(`tables written to ${README}`);
  }
}

main();
