/**
 * Bench worker: N WebSocket clients of /ws subscribed to `prices.`, one of which never reads
 * (its socket paused). Records publish-to-receive latency (receive time minus the envelope's
 * `ts`, both nowMicros on one host) over the reading clients.
 */
import WebSocket from 'ws';
import { nowMicros } from '../../src/core/time.js';
import { serveBenchCommands } from '../common/bench-child.js';
import { LatencyHistogram } from '../common/latency-histogram.js';

interface Client {
  ws: WebSocket;
  received: number;
  closeCode: number | null;
  stuck: boolean;
}

/**
 * 19 readers x 7k events/s in one process: a full JSON.parse of each (what a browser does, on its
 * own machine) took this worker about a core, on a 2-core machine that also runs the api and the
 * publisher, and its queueing was measured as the api's latency. By default the worker reads only
 * what it measures, straight from the bytes; BENCH_API_CLIENT_PARSE=json parses every message.
 */
const fullParse = process.env.BENCH_API_CLIENT_PARSE === 'json';
const EVENT_PREFIX = Buffer.from('{"kind":"event",');
const TS_FIELD = Buffer.from('"ts":');
const WARM_TOPIC = Buffer.from('"topic":"prices.kalshi.BENCH-WARM"');

/** The publish ts of an event (the api writes `{"kind":"event",...,"ts":N,...}`), null for anything else. */
function tsByScan(raw: Buffer): number | null {
  if (raw.compare(EVENT_PREFIX, 0, EVENT_PREFIX.length, 0, EVENT_PREFIX.length) !== 0) return null;
  if (raw.indexOf(WARM_TOPIC) !== -1) return null;
  const at = raw.indexOf(TS_FIELD);
  if (at === -1) return null;
  let ts = 0;
  for (let i = at + TS_FIELD.length; i < raw.length; i++) {
    const digit = raw[i]! - 48;
    if (digit < 0 || digit > 9) break;
    ts = ts * 10 + digit;
  }
  return ts > 0 ? ts : null;
}

function tsByJson(raw: Buffer): number | null {
  const m = JSON.parse(raw.toString()) as { kind: string; ts?: number; topic?: string };
  if (m.kind !== 'event' || m.topic === 'prices.kalshi.BENCH-WARM' || typeof m.ts !== 'number') return null;
  return m.ts;
}

const clients: Client[] = [];
let histogram = new LatencyHistogram();
let recording = false;

function open(port: number, stuck: boolean): Promise<Client> {
  const c: Client = { ws: new WebSocket(`ws://127.0.0.1:${port}/ws`), received: 0, closeCode: null, stuck };
  c.ws.on('message', (raw: Buffer) => {
    const now = nowMicros();
    const ts = fullParse ? tsByJson(raw) : tsByScan(raw);
    if (ts === null) return;
    c.received++;
    if (recording) histogram.record(now - ts);
  });
  c.ws.on('close', (code) => (c.closeCode = code));
  return new Promise((resolve, reject) =>
    c.ws.once('open', () => {
      c.ws.send(JSON.stringify({ subscribe: ['prices.'] }));
      if (stuck) (c.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      resolve(c);
    }).once('error', reject),
  );
}

serveBenchCommands({
  connect: async ({ port, count }: { port: number; count: number }) => {
    for (let i = 0; i < count; i++) clients.push(await open(port, i === 0));
    return clients.length;
  },
  record: () => {
    histogram = new LatencyHistogram();
    recording = true;
    for (const c of clients) c.received = 0;
  },
  report: () => {
    recording = false;
    const readers = clients.filter((c) => !c.stuck);
    return {
      latencyUs: histogram.summary(),
      receivedPerReader: readers.map((c) => c.received),
      stuckCloseCode: clients.find((c) => c.stuck)?.closeCode ?? null,
    };
  },
  close: () => {
    for (const c of clients) c.ws.terminate();
  },
});
