/**
 * The matrix of the bus benchmark. Latency cases use a service's subscriber (schema validation
 * on, the default); throughput cases use a bridge's (validation off, as zmq_listener runs), plus
 * one validated row to show what validation costs at the ceiling.
 */
import type { CodecName } from '../../src/bus/codec.js';
import { TRANSPORTS, type TransportName } from './bus-transports.js';

export type CaseRate =
  | { kind: 'paced'; perSec: number }
  | { kind: 'max' }
  /** Paced at half the rate the named max case received. */
  | { kind: 'half-max'; of: string };

export interface BusCase {
  id: string;
  transport: TransportName;
  codec: CodecName;
  batch: boolean;
  validate: boolean;
  rate: CaseRate;
}

/** Paced latency rates: 7k msg/s is the seed's load. */
export const LATENCY_RATES = [1000, 7000, 50_000];
export const SEED_RATE = 7000;

const rateLabel = (r: CaseRate): string =>
  r.kind === 'paced' ? `${r.perSec >= 1000 ? `${r.perSec / 1000}k` : r.perSec}` : r.kind;

export function caseId(c: Omit<BusCase, 'id'>): string {
  return [c.transport, c.codec, rateLabel(c.rate), c.batch ? 'batched' : '', c.validate ? '' : 'no-validate']
    .filter((s) => s !== '')
    .join('/');
}

const make = (c: Omit<BusCase, 'id'>): BusCase => ({ id: caseId(c), ...c });

export function busCases(): BusCase[] {
  const cases: BusCase[] = [];
  const max = (transport: TransportName, codec: CodecName, batch: boolean, validate = false) => {
    const c = make({ transport, codec, batch, validate, rate: { kind: 'max' } });
    cases.push(c);
    return c;
  };
  // Throughput first: the half-max rows need the max rows' results.
  const unbatchedMax: BusCase[] = [];
  for (const t of TRANSPORTS) {
    unbatchedMax.push(max(t, 'msgpack', false));
    if (t !== 'redis-streams') max(t, 'msgpack', true);
  }
  max('zmq-ipc', 'json', false);
  max('zmq-ipc', 'json', true);
  max('zmq-ipc', 'msgpack', false, true);
  for (const m of unbatchedMax) {
    cases.push(make({ transport: m.transport, codec: m.codec, batch: m.batch, validate: m.validate, rate: { kind: 'half-max', of: m.id } }));
  }
  // Latency: every transport at every rate with msgpack, and JSON at the seed's rate.
  for (const perSec of LATENCY_RATES) {
    for (const t of TRANSPORTS) cases.push(make({ transport: t, codec: 'msgpack', batch: false, validate: true, rate: { kind: 'paced', perSec } }));
  }
  for (const t of TRANSPORTS) cases.push(make({ transport: t, codec: 'json', batch: false, validate: true, rate: { kind: 'paced', perSec: SEED_RATE } }));
  return cases;
}

/**
 * Keeps the cases whose id contains one of the filters (all when there is none), plus the max
 * case each kept half-max case is paced from.
 */
export function selectCases(cases: BusCase[], only: readonly string[]): BusCase[] {
  if (only.length === 0) return cases;
  const keep = new Set(cases.filter((c) => only.some((f) => c.id.includes(f))).map((c) => c.id));
  for (const c of cases) if (keep.has(c.id) && c.rate.kind === 'half-max') keep.add(c.rate.of);
  return cases.filter((c) => keep.has(c.id));
}
