/** The pipeline benchmark's tables: tick-to-trade per transport, the hops, the processes, the counters. */
import type { LatencySummary } from '../common/latency-histogram.js';
import { formatCount, formatMarkdownTable, formatMicros, formatTable, type Column } from '../common/text-table.js';
import { HOPS } from './hop-breakdown.js';
import type { TransportResult } from './pipeline-run.js';

export const TARGET = { ratePerSec: 7_000, p50Us: 500, p99Us: 2_000 } as const;

export interface Table {
  title: string;
  columns: Column[];
  rows: string[][];
}

const pct = (s: LatencySummary) => [formatMicros(s.p50), formatMicros(s.p90), formatMicros(s.p99), formatMicros(s.p999), formatMicros(s.max)];
const pair = (s: LatencySummary) => `${formatMicros(s.p50)}/${formatMicros(s.p99)}`;

function tickToTradeTable(results: readonly TransportResult[]): Table {
  return {
    title: 'tick to trade: venue frame received by the monitor (origin_ts) -> trades.completed received, us',
    columns: [
      { header: 'transport', align: 'left' },
      { header: 'updates/s' },
      { header: 'episodes' },
      { header: 'signals' },
      { header: 'trades filled/all' },
      { header: 'p50' },
      { header: 'p90' },
      { header: 'p99' },
      { header: 'p999' },
      { header: 'max' },
      { header: 'filled p50/p99' },
      { header: 'to decision p50/p99' },
      { header: 'gaps' },
      { header: 'redis ping p50/p99' },
      { header: 'load 1m' },
      { header: 'machine busy %' },
    ],
    rows: results.map((r) => {
      const l = r.latency;
      const filled = (l.byStatus.filled ?? 0) + (l.byStatus.partial ?? 0);
      const gaps = Object.entries(r.counters).reduce((n, [k, v]) => (k.endsWith('.gaps') ? n + v : n), r.meterGaps);
      return [
        r.transport,
        formatCount(r.sentPerSec),
        String(r.feeder.episodes),
        String(l.signals),
        `${filled}/${l.trades}`,
        ...pct(l.tickToTrade),
        pair(l.tickToTradeFilled),
        pair(l.tickToDecision),
        String(gaps),
        pair(r.redisPing),
        `${r.load1m.start}-${r.load1m.end}`,
        r.machineBusyPercent === null ? '-' : String(r.machineBusyPercent),
      ];
    }),
  };
}

function hopTable(results: readonly TransportResult[]): Table {
  return {
    title: 'per hop, us (see hop-breakdown.ts for what each hop spans)',
    columns: [{ header: 'transport', align: 'left' }, { header: 'hop', align: 'left' }, { header: 'n' }, { header: 'p50' }, { header: 'p90' }, { header: 'p99' }, { header: 'p999' }, { header: 'max' }],
    rows: results.flatMap((r) => HOPS.map((h) => [r.transport, h, String(r.latency.hops[h].count), ...pct(r.latency.hops[h])])),
  };
}

function processTable(results: readonly TransportResult[]): Table {
  const names = [...new Set(results.flatMap((r) => r.processes.map((p) => p.name)))];
  return {
    title: 'processes over the measured window: CPU % of one core, CPU us per venue update, peak RSS MB',
    columns: [{ header: 'process', align: 'left' }, ...results.flatMap((r) => [{ header: `${r.transport} CPU %` }, { header: `${r.transport} us/update` }, { header: `${r.transport} RSS MB` }])],
    rows: names.map((n) => [
      n,
      ...results.flatMap((r) => {
        const p = r.processes.find((x) => x.name === n);
        return [p?.cpuPercent == null ? '-' : String(p.cpuPercent), p?.cpuUsPerUpdate == null ? '-' : String(p.cpuUsPerUpdate), p?.rssPeakMb == null ? '-' : String(p.rssPeakMb)];
      }),
    ]),
  };
}

function counterTable(results: readonly TransportResult[]): Table {
  const keys = [...new Set(results.flatMap((r) => Object.keys(r.counters)))];
  const extra = (r: TransportResult): Record<string, string> => ({
    'trades by status': Object.entries(r.latency.byStatus).map(([k, v]) => `${k} ${v}`).join(', '),
    'not filled, by reason': Object.entries(r.latency.reasons).map(([k, v]) => `${k} ${v}`).join(', ') || '-',
    'exit trades': String(r.latency.exits),
    'unmatched signal/audit/episode': `${r.latency.unmatched.signal}/${r.latency.unmatched.audit}/${r.latency.unmatched.episode}`,
    'feeder steps': Object.entries(r.feeder.steps).map(([k, v]) => `${k} ${v}`).join(', '),
    'feeder max burst': String(r.feeder.maxBurst),
  });
  const extraKeys = Object.keys(extra(results[0]!));
  return {
    title: 'counters over the measured window',
    columns: [{ header: 'counter', align: 'left' }, ...results.map((r) => ({ header: r.transport, align: 'left' as const }))],
    rows: [...keys.map((k) => [k, ...results.map((r) => String(r.counters[k] ?? '-'))]), ...extraKeys.map((k) => [k, ...results.map((r) => extra(r)[k]!)])],
  };
}

/** The seed's Summary Table, measured: each hot-path consumer's input, its claim beside ours. */
const SEED_INPUTS: readonly { service: string; type: string; seedRedis: string }[] = [
  { service: 'game_shard', type: 'price', seedRedis: '20 ms' },
  { service: 'execution_service', type: 'trade_signal', seedRedis: '20 ms' },
  { service: 'execution_service', type: 'price', seedRedis: '20 ms' },
  { service: 'position_tracker', type: 'trade_completed', seedRedis: '10-20 ms' },
  { service: 'position_tracker', type: 'price', seedRedis: '10-20 ms' },
  { service: 'zmq_listener', type: 'price', seedRedis: '-' },
  { service: 'notification_service', type: 'trade_completed', seedRedis: '10-20 ms' },
  { service: 'notification_service', type: 'position', seedRedis: '10-20 ms' },
  { service: 'api', type: 'price', seedRedis: '10-20 ms' },
  { service: 'api', type: 'trade_completed', seedRedis: '10-20 ms' },
];

function inputLatencyTable(results: readonly TransportResult[]): Table {
  const rows = SEED_INPUTS.filter((i) => results.some((r) => r.inputLatency?.[i.service]?.[i.type] !== undefined));
  return {
    title: "input latency per service (publish -> the service's handler), us; the seed's Summary Table claimed Redis 10-20 ms, ZMQ 0.5 ms",
    columns: [
      { header: 'service', align: 'left' },
      { header: 'input', align: 'left' },
      ...results.flatMap((r) => [{ header: `${r.transport} n` }, { header: `${r.transport} p50` }, { header: `${r.transport} p99` }]),
      { header: 'seed: Redis' },
      { header: 'seed: ZMQ' },
    ],
    rows: rows.map((i) => [
      i.service,
      i.type,
      ...results.flatMap((r) => {
        const s = r.inputLatency?.[i.service]?.[i.type];
        return s === undefined ? ['-', '-', '-'] : [String(s.count), formatMicros(s.p50), formatMicros(s.p99)];
      }),
      i.seedRedis,
      '0.5 ms',
    ]),
  };
}

export function pipelineTables(results: readonly TransportResult[]): Table[] {
  return results.length === 0 ? [] : [tickToTradeTable(results), hopTable(results), processTable(results), inputLatencyTable(results), counterTable(results)];
}

export function printTables(tables: readonly Table[], markdown: boolean): void {
  for (const t of tables) {
    console.log(`\n${t.title}\n${formatTable(t.columns, t.rows)}`);
    if (markdown) console.log(`\n${formatMarkdownTable(t.columns, t.rows)}`);
  }
}

/** The targets on the ZMQ run, and the Redis / ZMQ ratio when both ran. */
export function verdicts(results: readonly TransportResult[], ratePerSec: number): string[] {
  const lines: string[] = [];
  const zmq = results.find((r) => r.transport === 'zmq');
  const redis = results.find((r) => r.transport === 'redis');
  if (zmq) {
    const t = zmq.latency.tickToTrade;
    const atRate = ratePerSec === TARGET.ratePerSec ? '' : ` (target is set at ${TARGET.ratePerSec}/s; this run was ${ratePerSec}/s)`;
    lines.push(`${t.p50 <= TARGET.p50Us ? 'PASS' : 'MISS'} zmq tick-to-trade p50 ${t.p50} us (target <= ${TARGET.p50Us})${atRate}`);
    lines.push(`${t.p99 <= TARGET.p99Us ? 'PASS' : 'MISS'} zmq tick-to-trade p99 ${t.p99} us (target <= ${TARGET.p99Us})${atRate}`);
  }
  if (zmq && redis) {
    const a = zmq.latency.tickToTrade;
    const b = redis.latency.tickToTrade;
    const ratio = (x: number, y: number) => (y > 0 ? (x / y).toFixed(2) : '-');
    lines.push(`redis/zmq tick-to-trade: p50 ${ratio(b.p50, a.p50)}x, p99 ${ratio(b.p99, a.p99)}x, p999 ${ratio(b.p999, a.p999)}x`);
  }
  for (const r of results) {
    // nowMicros() is performance.timeOrigin-based: processes started on either side of a wall-clock
    // step disagree by the step, and every cross-process latency of the run is off by it.
    const inputs = Object.values(r.inputLatency ?? {}).flatMap((byType) => Object.values(byType));
    const negative = inputs.reduce((n, s) => n + s.negative, 0);
    const count = inputs.reduce((n, s) => n + s.count, 0);
    if (count > 0 && negative / count > 0.01) {
      lines.push(`WARNING ${r.transport}: ${negative} of ${count} input latencies were negative: the processes' clocks disagree (a wall-clock step during start-up?); this run's latencies are not trustworthy`);
    }
  }
  if (results.length > 0) {
    lines.push(`pipeline CPU per venue update, feeder excluded: ${results.map((r) => `${r.transport} ${pipelineCpuPerUpdate(r) ?? '-'} us`).join(', ')} (target <= 100 us)`);
  }
  return lines;
}

/** CPU per venue update summed over the pipeline's processes, the feeder excluded (zmq_listener and redis-server included when they ran). */
export function pipelineCpuPerUpdate(r: TransportResult): number | null {
  let total = 0;
  let any = false;
  for (const p of r.processes) {
    if (p.name.startsWith('venue feeder') || p.cpuUsPerUpdate === null) continue;
    total += p.cpuUsPerUpdate;
    any = true;
  }
  return any ? Math.round(total * 10) / 10 : null;
}

export interface ScalePoint {
  rate: number;
  result: TransportResult;
}

/** The scale curve: tick to trade and CPU per update at each rate, both transports side by side. */
export function scaleTable(points: readonly ScalePoint[]): Table {
  return {
    title: 'scale curve: tick to trade by venue update rate (fresh processes per point), us',
    columns: [
      { header: 'rate', align: 'left' },
      { header: 'transport', align: 'left' },
      { header: 'sent/s' },
      { header: 'trades filled/all' },
      { header: 'p50' },
      { header: 'p99' },
      { header: 'p999' },
      { header: 'CPU us/update (no feeder)' },
      { header: 'max RSS MB' },
      { header: 'machine busy %' },
    ],
    rows: points.map(({ rate, result: r }) => {
      const l = r.latency;
      const filled = (l.byStatus.filled ?? 0) + (l.byStatus.partial ?? 0);
      const rss = Math.max(...r.processes.filter((p) => !p.name.startsWith('venue feeder')).map((p) => p.rssPeakMb ?? 0));
      return [
        formatCount(rate),
        r.transport,
        formatCount(r.sentPerSec),
        `${filled}/${l.trades}`,
        formatMicros(l.tickToTrade.p50),
        formatMicros(l.tickToTrade.p99),
        formatMicros(l.tickToTrade.p999),
        String(pipelineCpuPerUpdate(r) ?? '-'),
        String(rss),
        r.machineBusyPercent === null ? '-' : String(r.machineBusyPercent),
      ];
    }),
  };
}
