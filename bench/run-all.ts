/**
 * `npm run bench`: runs every benchmark present (each `bench/<name>/bench-*.ts`, compiled), one
 * after the other so they never compete for the CPU, each in its own process with this process's
 * environment (BENCH_QUICK=1 and friends apply to all). Exits non-zero when any of them failed.
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

function benchScripts(): string[] {
  const scripts: string[] = [];
  for (const dir of readdirSync(here).sort()) {
    const full = path.join(here, dir);
    if (dir === 'common' || !statSync(full).isDirectory()) continue;
    for (const file of readdirSync(full).sort()) {
      if (/^bench-.*\.js$/.test(file)) scripts.push(path.join(full, file));
    }
  }
  return scripts;
}

function runScript(script: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script], { stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.on('error', () => resolve(1));
  });
}

async function main(): Promise<void> {
  const scripts = benchScripts();
  if (scripts.length === 0) {
    console.error(`no benchmark scripts under ${here}`);
    process.exitCode = 1;
    return;
  }
  const outcomes: [string, number, number][] = [];
  for (const script of scripts) {
    const name = path.relative(here, script);
    console.log(`\n===== ${name} =====`);
    const started = Date.now();
    const code = await runScript(script);
    outcomes.push([name, code, Date.now() - started]);
  }
  console.log('\n===== summary =====');
  for (const [name, code, ms] of outcomes) console.log(`${code === 0 ? 'ok    ' : 'FAILED'}  ${name}  (${(ms / 1000).toFixed(1)} s)`);
  if (outcomes.some(([, code]) => code !== 0)) process.exitCode = 1;
}

void main();
