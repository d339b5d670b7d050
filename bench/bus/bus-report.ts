/**
 * Turns the bus benchmark's case results into the printed table and the target checks
 * (bench/README.md reference points and the targets).
 */
import { formatCount, formatMb, formatMicros, type Column } from '../common/text-table.js';
import type { BusCaseResult } from './bus-case-runner.js';
import { SEED_RATE } from './bus-cases.js';

export const TABLE_COLUMNS: Column[] = [
  { header: 'case', align: 'left' },
  { header: 'rate', align: 'right' },
  { header: 'sent/s' },
  { header: 'recv/s' },
  { header: 'p50 us' },
  { header: 'p99 us' },
  { header: 'p999 us' },
  { header: 'max us' },
  { header: 'gaps' },
  { header: 'lost' },
  { header: 'pub MB idle/load' },
  { header: 'sub MB idle/load' },
  { header: 'pub/sub CPU %' },
  { header: 'pub/sub CPU us/msg' },
];

export function tableRow(r: BusCaseResult): string[] {
  const rate = r.rate === 'max' ? 'max' : r.halfOf ? `${formatCount(r.rate)} (1/2 max)` : formatCount(r.rate);
  return [
    r.id,
    rate,
    formatCount(r.sentPerSec),
    formatCount(r.receivedPerSec),
    formatMicros(r.latencyUs.p50),
    formatMicros(r.latencyUs.p99),
    formatMicros(r.latencyUs.p999),
    formatMicros(r.latencyUs.max),
    String(r.gaps),
    String(r.lost),
    `${formatMb(r.publisher.rssIdleBytes)}/${formatMb(r.publisher.rssLoadPeakBytes)}`,
    `${formatMb(r.subscriber.rssIdleBytes)}/${formatMb(r.subscriber.rssLoadPeakBytes)}`,
    `${Math.round(r.publisher.cpuPercent)}/${Math.round(r.subscriber.cpuPercent)}`,
    `${r.publisher.cpuUsPerMsg.toFixed(1)}/${r.subscriber.cpuUsPerMsg.toFixed(1)}`,
  ];
}

export interface TargetCheck {
  name: string;
  measured: number | null;
  unit: 'us' | 'ratio' | 'msg/s' | 'messages';
  target: string;
  /** null when the cases it needs did not run. */
  pass: boolean | null;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export function checkTargets(results: readonly BusCaseResult[]): TargetCheck[] {
  const find = (id: string) => results.find((r) => r.id === id);
  const ipc7 = find(`zmq-ipc/msgpack/${SEED_RATE / 1000}k`);
  const tcp7 = find(`zmq-tcp/msgpack/${SEED_RATE / 1000}k`);
  const redis7 = find(`redis-pubsub/msgpack/${SEED_RATE / 1000}k`);
  const ipcMax = find('zmq-ipc/msgpack/max/no-validate');
  const ipcMaxBatched = find('zmq-ipc/msgpack/max/batched/no-validate');
  const checks: TargetCheck[] = [];
  const add = (name: string, unit: TargetCheck['unit'], measured: number | undefined, target: string, ok: (v: number) => boolean) =>
    checks.push({ name, unit, measured: measured ?? null, target, pass: measured === undefined ? null : ok(measured) });

  add('ZMQ ipc p50 at 7k msg/s', 'us', ipc7?.latencyUs.p50, '<= 80', (v) => v <= 80);
  add('ZMQ ipc p99 at 7k msg/s', 'us', ipc7?.latencyUs.p99, '<= 250', (v) => v <= 250);
  const ratio = (a?: number, b?: number) => (a !== undefined && b !== undefined && b > 0 ? round(a / b) : undefined);
  add('ZMQ tcp/ipc p50 at 7k', 'ratio', ratio(tcp7?.latencyUs.p50, ipc7?.latencyUs.p50), '<= 1.2', (v) => v <= 1.2);
  add('ZMQ tcp/ipc p99 at 7k', 'ratio', ratio(tcp7?.latencyUs.p99, ipc7?.latencyUs.p99), '<= 1.2', (v) => v <= 1.2);
  add('ZMQ ipc p99 / Redis pub/sub p99 at 7k', 'ratio', ratio(ipc7?.latencyUs.p99, redis7?.latencyUs.p99), '<= 0.5', (v) => v <= 0.5);
  add('ZMQ tcp p99 / Redis pub/sub p99 at 7k', 'ratio', ratio(tcp7?.latencyUs.p99, redis7?.latencyUs.p99), '<= 0.5', (v) => v <= 0.5);
  add('ZMQ ipc max received, unbatched', 'msg/s', ipcMax?.receivedPerSec, '>= 200k', (v) => v >= 200_000);
  add('ZMQ ipc max received, batched', 'msg/s', ipcMaxBatched?.receivedPerSec, '>= 1M', (v) => v >= 1_000_000);
  for (const r of results.filter((x) => x.halfOf !== undefined)) {
    add(`gaps+lost at 1/2 max: ${r.halfOf}`, 'messages', r.gaps + r.lost, '0', (v) => v === 0);
  }
  return checks;
}

export const TARGET_COLUMNS: Column[] = [
  { header: 'target', align: 'left' },
  { header: 'measured' },
  { header: 'wanted' },
  { header: 'result', align: 'left' },
];

function formatMeasured(t: TargetCheck): string {
  if (t.measured === null) return '-';
  if (t.unit === 'us') return t.measured >= 10_000 ? `${(t.measured / 1000).toFixed(1)} ms` : `${t.measured} us`;
  if (t.unit === 'msg/s') return `${formatCount(t.measured)} msg/s`;
  return String(t.measured);
}

export const targetRow = (t: TargetCheck): string[] => [
  t.name,
  formatMeasured(t),
  t.target,
  t.pass === null ? 'not run' : t.pass ? 'met' : 'MISSED',
];
