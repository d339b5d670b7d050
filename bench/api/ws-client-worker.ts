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

const clients: Client[] = [];
let histogram = new LatencyHistogram();
let recording = false;

function open(port: number, stuck: boolean): Promise<Client> {
  const c: Client = { ws: new WebSocket(`ws://127.0.0.1:${port}/ws`), received: 0, closeCode: null, stuck };
  c.ws.on('message', (raw: Buffer) => {
    const now = nowMicros();
    const m = JSON.parse(raw.toString()) as { kind: string; ts?: number; topic?: string };
    if (m.kind !== 'event' || m.topic === 'prices.kalshi.BENCH-WARM') return;
    c.received++;
    if (recording && typeof m.ts === 'number') histogram.record(now - m.ts);
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
