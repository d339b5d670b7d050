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
import { footballHomeWin } from '../src/core/win-probability/football.js';
import { hockeyHomeWin } from '../src/core/win-probability/hockey.js';
import type { RealState } from './real-data.js';
import { ScoreCard, type Scores } from './score-card.js';
import { ARBEES_OOF, bootstrapDiff, runNflCv, runNhlCv, scoresOf, tailBins, tailEvidence, tailMisses, type SportCv } from './winprob-cv.js';
import { NFL_HAND_SET, NHL_HAND_SET, nflFitOf, nhlFitOf } from './winprob-fit-specs.js';
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

const pct = (x: number) => (Number.isFinite(x) ? (100 * x).toFixed(1) : '-');

function cardOf(states: readonly RealState[], p: Float64Array): Scores {
  const card = new ScoreCard();
  states.forEach((s, i) => card.add(p[i]!, s.y));
  return card.scores();
}

/** Per-fold, pooled, bootstrap, decile and tail tables of one real dataset. */
function realSection(r: SportCv<RealState>, describe: (x: number[]) => Record<string, unknown>, compare: string[]): string {
  const oof = r.columns.find((c) => c.name === ARBEES_OOF)!;
  const byName = new Map(r.columns.map((c) => [c.name, c]));
  const foldRows = r.cv.folds.map((f) => {
    const idx = r.states.map((s, i) => (s.group === f.name ? i : -1)).filter((i) => i >= 0);
    const d = describe(f.params);
    const fitted = Object.entries(d)
      .filter(([k]) => k !== 'calibration')
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    const cells = [oof.name, ...compare].flatMap((n) => {
      const s = scoresOf(r.states, byName.get(n)!.p, idx);
      return [f4(s.brier), f4(s.logLoss)];
    });
    return [f.name, String(f.testGames), String(f.testStates), ...cells, fitted];
  });
  const foldHeader = ['held out', 'games', 'states', ...[['arbees'], ...compare.map((n) => [n])].flatMap(([n]) => [`${n}: Brier`, 'log loss']), 'fitted on the other folds'];
  const pooledRows = r.columns.map((c) => {
    const s = scoresOf(r.states, c.p);
    return [c.name, c.kind, String(r.states.length), f4(s.brier), f4(s.logLoss)];
  });
  const bootRows = compare.map((n) => {
    const b = bootstrapDiff(r.states, oof.p, byName.get(n)!.p);
    const d = scoresOf(r.states, oof.p);
    const o = scoresOf(r.states, byName.get(n)!.p);
    return [n, f4(d.brier - o.brier), `[${f4(b.brier.lo)}, ${f4(b.brier.hi)}]`, f4(d.logLoss - o.logLoss), `[${f4(b.logLoss.lo)}, ${f4(b.logLoss.hi)}]`];
  });
  const tailModels = [oof.name, ...compare.slice(0, 2)];
  const tails = tailModels.map((n) => tailBins(r.states, byName.get(n)!.p));
  const tailRows = tails[0]!.map((bin, b) => [
    bin.label,
    ...tails.flatMap((t) => {
      const x = t[b]!;
      return [String(x.n), pct(x.meanPredicted), pct(x.observed), x.n > 0 ? (100 * (x.observed - x.meanPredicted)).toFixed(1) : '-'];
    }),
  ]);
  const misses = tailMisses(tails[0]!);
  const evidence = tailEvidence(r.states, oof.p);
  const evidenceRows = evidence.map((e, b) => {
    const bin = tails[0]![b]!;
    const interval = Number.isFinite(e.off.lo) ? `[${(100 * e.off.lo).toFixed(1)}, ${(100 * e.off.hi).toFixed(1)}]` : '-';
    return [e.label, String(bin.n), String(e.games), String(e.upsetGames), bin.n > 0 ? (100 * (bin.observed - bin.meanPredicted)).toFixed(1) : '-', interval];
  });
  return [
    `### ${r.name}`,
    '',
    `${r.games} games, ${r.states.length} states. ${r.notes.join('; ')}.`,
    '',
    'Every fold: the held-out games scored by the model fitted on the other folds, beside the comparison models on the same states:',
    '',
    table(foldHeader, foldRows),
    '',
    'Pooled over all folds (out-of-fold rows are the honest estimate; the in-sample row is what ships, scored on the data it was fitted to):',
    '',
    table(['model', 'how', 'states', 'Brier', 'log loss'], pooledRows),
    '',
    'Out-of-fold arbees minus each comparison (negative = arbees better), with a 95 % bootstrap interval resampling whole games (2,000 resamples):',
    '',
    table(['against', 'Brier diff', '95 % interval', 'log loss diff', '95 % interval'], bootRows),
    '',
    'Reliability in deciles:',
    '',
    reliabilityTable(tailModels.map((n) => [n, cardOf(r.states, byName.get(n)!.p)])),
    '',
    'Reliability in the tails (percent; "off" = observed minus mean predicted, percentage points):',
    '',
    table(['predicted', ...tailModels.flatMap((n) => [`${n}: n`, 'mean p', 'observed', 'off'])], tailRows),
    '',
    misses.length === 0
      ? 'No tail bin with at least 200 states is off by more than 3 points (out of fold).'
      : `Tail bins with at least 200 states off by more than 3 points (out of fold): ${misses.map((m) => `${m.label} (${m.n} states, ${(100 * (m.observed - m.meanPredicted)).toFixed(1)} pp)`).join(', ')}.`,
    '',
    `What a tail bin can tell (${oof.name}): its states come from a few games with one outcome each, so the "off" is resampled by game (95 % interval, 2,000 resamples); "upsets" = games in the bin that the side the bin favours lost:`,
    '',
    table(['predicted', 'states', 'games', 'upsets', 'off (pp)', '95 % interval over games (pp)'], evidenceRows),
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
  log('real data: cross-validated fits...');
  const nfl = runNflCv(resolve(dataDir, 'nfl-postseason-2009-2014.csv'), (s) => footballHomeWin(s.input, NFL_HAND_SET));
  const nhl = runNhlCv(resolve(dataDir, 'nhl-2022-23-partial.csv.gz'), (s) => hockeyHomeWin(s.input, NHL_HAND_SET));
  const section = [
    `_Generated by \`npm run eval:winprob\` on ${new Date().toISOString().slice(0, 10)}; ` +
      `simulation ${sim.wallS.toFixed(0)} s._`,
    '',
    simSection(sim),
    '',
    '### Real games',
    '',
    realSection(nfl as unknown as SportCv<RealState>, (x) => ({ ...nflFitOf(x) }), ['nflscrapR home_wp (published)', 'reference (as deployed, no prior)']),
    '',
    realSection(nhl, (x) => ({ ...nhlFitOf(x) }), [
      'reference (as deployed, no prior)',
      'baseline: plain Poisson score/time (rate fitted out of fold)',
    ]),
  ].join('\n');
  process.stdout.write(`${section}\n`);
  if (process.env['EVAL_NO_WRITE'] !== '1') {
    writeReadme(section);
    log(`tables written to ${README}`);
  }
}

main();
