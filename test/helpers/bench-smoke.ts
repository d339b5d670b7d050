/**
 * What every benchmark smoke test does: compile its bench on its own (so a stale dist/ cannot
 * hide a break), run the entry point as a real process with a deadline, and clean up.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface BenchRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface BenchBuild {
  /** Where the bench writes its JSON (pass as BENCH_RESULTS_DIR). */
  readonly resultsDir: string;
  run(env: NodeJS.ProcessEnv, timeoutMs: number): Promise<BenchRun>;
  cleanUp(): void;
}

/** Compiles bench/<folder>/<files> (the first file is the entry) into a private folder under dist/. */
export function buildBench(folder: string, files: readonly string[]): BenchBuild {
  // Under the ignored dist/ so the compiled files resolve zeromq, ioredis and zod from node_modules.
  const buildDir = path.join(ROOT, 'dist', `.bench-${folder}-smoke-${randomBytes(4).toString('hex')}`);
  const entry = path.join(buildDir, 'bench', folder, files[0]!.replace(/\.ts$/, '.js'));
  const args = [
    '--outDir', buildDir, '--rootDir', ROOT, '--module', 'nodenext', '--moduleResolution', 'nodenext',
    '--target', 'es2022', '--lib', 'es2023', '--types', 'node', '--skipLibCheck', '--esModuleInterop', '--noCheck',
    ...files.map((f) => path.join(ROOT, 'bench', folder, f)),
  ];
  const result = spawnSync(path.join(ROOT, 'node_modules/.bin/tsc'), args, { cwd: ROOT, encoding: 'utf8' });
  if (!existsSync(entry)) throw new Error(`tsc did not emit ${entry}:\n${result.stdout}\n${result.stderr}`);
  const resultsDir = mkdtempSync(path.join(tmpdir(), 'arb-bench-results-'));
  return {
    resultsDir,
    run: (env, timeoutMs) =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, [entry], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        child.on('exit', (code) => {
          clearTimeout(killer);
          resolve({ code, stdout, stderr });
        });
      }),
    cleanUp: () => {
      rmSync(buildDir, { recursive: true, force: true });
      rmSync(resultsDir, { recursive: true, force: true });
    },
  };
}
