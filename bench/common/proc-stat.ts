/**
 * CPU and memory of processes that are not Node workers (the private redis-server), and of the
 * whole machine, read from /proc (Linux). On another OS the readers return null and the tables
 * show '-'. Clock ticks are assumed at the Linux default of 100 per second.
 */
import { readFileSync } from 'node:fs';

const TICK_US = 10_000;

export interface ProcSample {
  cpuUs: number;
  rssBytes: number;
  /** Peak resident set since the process started (VmHWM). */
  rssPeakBytes: number;
  atMs: number;
}

export function sampleProcess(pid: number): ProcSample | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces; fields resume after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(/^(\w+):\s+(\d+)/m.exec(status.split('\n').find((l) => l.startsWith(`${name}:`)) ?? '')?.[2] ?? 0) * 1024;
    return { cpuUs: (utime + stime) * TICK_US, rssBytes: kb('VmRSS'), rssPeakBytes: kb('VmHWM'), atMs: performance.now() };
  } catch {
    return null;
  }
}

/** CPU % of one core and peak RSS of a process between two samples. */
export function processUsageBetween(a: ProcSample | null, b: ProcSample | null): { cpuPercent: number; cpuMicros: number; rssPeakBytes: number } | null {
  if (a === null || b === null) return null;
  const wallUs = (b.atMs - a.atMs) * 1000;
  const cpuMicros = b.cpuUs - a.cpuUs;
  return { cpuMicros, cpuPercent: wallUs > 0 ? Math.round((cpuMicros / wallUs) * 1000) / 10 : 0, rssPeakBytes: b.rssPeakBytes };
}

export interface MachineCpuSample {
  busy: number;
  total: number;
}

export function sampleMachineCpu(): MachineCpuSample | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    const total = v.reduce((s, x) => s + x, 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/** Share of all CPUs that was busy between two samples, in % (100 = every core busy). */
export function machineBusyPercent(a: MachineCpuSample | null, b: MachineCpuSample | null): number | null {
  if (a === null || b === null || b.total <= a.total) return null;
  return Math.round(((b.busy - a.busy) / (b.total - a.total)) * 1000) / 10;
}
