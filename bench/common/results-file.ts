/**
 * Where benchmark JSON goes: bench/results/<bench>-<date>.json in the repository, or
 * BENCH_RESULTS_DIR when set (the smoke test writes to a temporary folder).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file whether it runs from bench/ or dist/bench/. */
export function repoRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const up = here.includes(`${path.sep}dist${path.sep}`) ? '../../..' : '../..';
  return path.resolve(here, up);
}

export function resultsDir(): string {
  return process.env.BENCH_RESULTS_DIR ?? path.join(repoRoot(), 'bench', 'results');
}

/** Writes the results and returns the file path. The time in the name keeps runs of one day apart. */
export function writeResults(bench: string, payload: unknown, at = new Date()): string {
  const dir = resultsDir();
  mkdirSync(dir, { recursive: true });
  const stamp = at.toISOString().replace(/[:]/g, '-').replace(/\..+$/, '');
  const file = path.join(dir, `${bench}-${stamp}.json`);
  writeFileSync(file, JSON.stringify(payload, null, 2) + '\n');
  return file;
}
