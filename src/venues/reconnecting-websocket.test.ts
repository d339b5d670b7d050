import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { ReconnectingWebSocket, type ReconnectingWebSocketOptions } from './reconnecting-websocket.js';

let server: WebSocketServer;
let url: string;
let sockets: WebSocket[];
let received: string[];
let handshakeHeaders: string[];
/** Per connection: what the server does on connect. */
let onConnection: (ws: WebSocket) => void;
const links: ReconnectingWebSocket[] = [];

beforeEach(async () => {
  sockets = [];
  received = [];
  handshakeHeaders = [];
  onConnection = () => undefined;
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', (ws, req) => {
    sockets.push(ws);
    handshakeHeaders.push(String(req.headers['x-sig'] ?? ''));
    ws.on('message', (data) => received.push(data.toString()));
    onConnection(ws);
  });
  await new Promise<void>((r) => server.once('listening', () => r()));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await Promise.all(links.splice(0).map((l) => l.close()));
  for (const ws of server.clients) ws.terminate();
  await new Promise<void>((r) => server.close(() => r()));
});

function link(overrides: Partial<ReconnectingWebSocketOptions> = {}): ReconnectingWebSocket {
  const l = new ReconnectingWebSocket({ url, connectTimeoutMs: 1_000, staleAfterMs: 5_000, backoff: { baseMs: 20, maxMs: 100 }, ...overrides });
  links.push(l);
  return l;
}

async function until(cond: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('ReconnectingWebSocket', () => {
  it('connects with fresh headers, delivers frames, and reconnects after the server drops it', async () => {
    let n = 0;
    const l = link({ headers: () => ({ 'x-sig': `sig-${++n}` }) });
    const frames: string[] = [];
    const closes: boolean[] = [];
    let opens = 0;
    l.on('open', () => opens++);
    l.on('message', (text) => frames.push(text));
    l.on('close', (_code, _reason, willReconnect) => closes.push(willReconnect));
    onConnection = (ws) => ws.send(`hello ${sockets.length}`);
    l.start();
    await until(() => frames.length === 1, 'first frame');
    sockets[0]!.terminate();
    await until(() => frames.length === 2 && l.isOpen, 'second connection');
    expect(frames).toEqual(['hello 1', 'hello 2']);
    expect(handshakeHeaders).toEqual(['sig-1', 'sig-2']);
    expect({ opens, closes, reconnects: l.reconnects }).toEqual({ opens: 2, closes: [true], reconnects: 1 });
    expect(l.send('up')).toBe(true);
    await until(() => received.includes('up'), 'client frame');
  });

  it('declares a silent link stale, replaces it, and pings when the venue wants a heartbeat', async () => {
    const l = link({ staleAfterMs: 150, checkEveryMs: 40, pingText: 'PING' });
    const stale: number[] = [];
    l.on('stale', (ms) => stale.push(ms));
    l.start();
    await until(() => stale.length >= 1 && sockets.length >= 2, 'stale reconnect');
    expect(stale[0]).toBeGreaterThan(150);
    expect(received.filter((r) => r === 'PING').length).toBeGreaterThanOrEqual(2);
  });

  it('keeps a link alive while the server keeps talking', async () => {
    onConnection = (ws) => {
      const t = setInterval(() => ws.send('tick'), 30);
      ws.on('close', () => clearInterval(t));
    };
    const l = link({ staleAfterMs: 150, checkEveryMs: 40 });
    let staleCount = 0;
    l.on('stale', () => staleCount++);
    l.start();
    await new Promise((r) => setTimeout(r, 500));
    expect(staleCount).toBe(0);
    expect(sockets).toHaveLength(1);
  });

  it('backs off between failed connects, and resetBackoff starts again from the base', async () => {
    const l = link({ backoff: { baseMs: 50, maxMs: 400 } });
    const attempts: number[] = [];
    l.on('close', () => attempts.push(Date.now()));
    onConnection = (ws) => ws.close(1011, 'go away');
    l.start();
    await until(() => attempts.length >= 4, 'four drops');
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    // 50, 100, 200 ms of backoff (no jitter), plus the connect time.
    expect(gaps[0]).toBeGreaterThanOrEqual(45);
    expect(gaps[2]).toBeGreaterThanOrEqual(190);
    expect(gaps[2]!).toBeGreaterThan(gaps[0]!);
  });

  it('reports a refused handshake and closes cleanly without reconnecting', async () => {
    await new Promise<void>((r) => server.close(() => r()));
    const { createServer } = await import('node:http');
    const http = createServer((_req, res) => res.writeHead(401).end());
    server = new WebSocketServer({ noServer: true });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    try {
      const l = new ReconnectingWebSocket({ url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}`, connectTimeoutMs: 1_000, staleAfterMs: 5_000, backoff: { baseMs: 1_000, maxMs: 1_000 } });
      const refused: (number | null)[] = [];
      l.on('handshakeRefused', (s) => refused.push(s));
      l.on('socketError', () => undefined);
      l.start();
      await until(() => refused.length === 1, 'refusal');
      expect(refused).toEqual([401]);
      await l.close();
      expect(l.isOpen).toBe(false);
      expect(l.reconnects).toBe(0);
    } finally {
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    }
  });

  it('close() ends the link for good', async () => {
    const l = link();
    const closes: boolean[] = [];
    l.on('close', (_c, _r, willReconnect) => closes.push(willReconnect));
    l.start();
    await until(() => l.isOpen, 'open');
    await l.close();
    expect(closes).toEqual([false]);
    await new Promise((r) => setTimeout(r, 100));
    expect(sockets).toHaveLength(1);
    l.start();
    expect(l.isOpen).toBe(false);
  });
});
