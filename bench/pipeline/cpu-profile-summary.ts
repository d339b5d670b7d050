/**
 * Where a process's CPU went, from a V8 .cpuprofile (node --cpu-prof; BENCH_CPU_PROF=<dir> runs
 * the pipeline's services under it): self time by function and by source file or package, as a
 * share of the busy (non-idle) time. Usage:
 *
 *   node dist/bench/pipeline/cpu-profile-summary.js <file.cpuprofile | dir> [top=25]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  idleMs: number;
  byFunction: [string, number][];
  byFile: [string, number][];
}

const IDLE = new Set(['(idle)', '(program)']);

/** A source file as a reader knows it: `src/bus/zmq-subscriber.ts`, `zeromq`, `node:net`... */
function fileOf(url: string, fn: string): string {
  if (url === '') return fn.startsWith('(') ? fn : '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + '/dist/'.length).replace(/\.js$/, '.ts');
  return url.replace(/^file:\/\//, '');
}

export function summarize(file: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const fns = new Map<string, number>();
  const files = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    total += us;
    const { functionName, url, lineNumber } = node.callFrame;
    if (IDLE.has(functionName)) {
      idle += us;
      continue;
    }
    const where = fileOf(url, functionName);
    const key = `${functionName || '(anonymous)'} ${where}${url ? `:${lineNumber + 1}` : ''}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    files.set(where, (files.get(where) ?? 0) + us);
  }
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => [k, v / 1000] as [string, number]);
  return { file, totalMs: total / 1000, idleMs: idle / 1000, byFunction: sorted(fns), byFile: sorted(files) };
}

export function formatSummary(s: ProfileSummary): string {
  const busy = s.totalMs - s.idleMs;
  const line = ([k, ms]: [string, number]) => `  ${((ms / busy) * 100).toFixed(1).padStart(5)} %  ${ms.toFixed(0).padStart(7)} ms  ${k}`;
  return [
    `${path.basename(s.file)}: ${busy.toFixed(0)} ms busy of ${s.totalMs.toFixed(0)} ms profiled ((idle)+(program) ${s.idleMs.toFixed(0)} ms)`,
    ' self time by file / package:',
    ...s.byFile.map(line),
    ' self time by function:',
    ...s.byFunction.map(line),
  ].join('\n');
}

function main(): void {
  const target = process.argv[2];
  if (!target) {
    console.error('usage: cpu-profile-summary <file.cpuprofile | dir> [top]');
    process.exitCode = 2;
    return;
  }
  const top = Number(process.argv[3] ?? 25);
  const files = statSync(target).isDirectory()
    ? readdirSync(target).filter((f) => f.endsWith('.cpuprofile')).sort().map((f) => path.join(target, f))
    : [target];
  for (const f of files) console.log(`\n${formatSummary(summarize(f, top))}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) main();
