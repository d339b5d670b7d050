/**
 * Capture for replay: a real WebSocket server's frames through the reconnecting WebSocket and a
 * real HTTP server's GET answers through the JSON client land in the session's files with their
 * receive times and URLs (query secrets removed), read back in order; the manifest says what is
 * covered; with no sink installed nothing is written.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { readCapture } from '../src/runtime/capture-reader.js';
import { CaptureWriter, captureConfig, currentCommit } from '../src/runtime/capture-writer.js';
import { JsonHttpClient } from '../src/venues/json-http-client.js';
import { ReconnectingWebSocket } from '../src/venues/reconnecting-websocket.js';
import { eventually } from './helpers/redis.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function collect(file: string) {
  const out = [];
  for await (const p of readCapture(file)) out.push(p);
  return out;
}

describe('capture for replay', () => {
  it('a capture file that is not there is an error, not an endless read', async () => {
    await expect(collect(path.join(tmpdir(), 'arb-no-such-capture.ndjson.gz'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('writes venue frames and HTTP reads with receive times, and a manifest of the session', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'arb-cap-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const writer = new CaptureWriter({ dir, session: 's1', service: 'kalshi_monitor', instance: '0', config: captureConfig({ ARBEES_SIM_SEED: '7', KALSHI_API_KEY: 'x' }), flushMs: 50 }).install();
    cleanups.push(() => writer.close());

    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    cleanups.push(() => new Promise<void>((r) => wss.close(() => r())));
    const frames = ['{"type":"orderbook_snapshot","seq":1}', '{"type":"orderbook_delta","seq":2,"text":"line\\nbreak é"}'];
    wss.on('connection', (ws) => frames.forEach((f) => ws.send(f)));
    const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/trade-api/ws/v2`;
    const link = new ReconnectingWebSocket({ url, backoff: { baseMs: 50, maxMs: 100 }, connectTimeoutMs: 2_000, staleAfterMs: 10_000 });
    const got: string[] = [];
    link.on('message', (text: string) => got.push(text));
    link.start();
    cleanups.push(() => link.close());
    await eventually(() => got.length === 2, 5_000, 'frames');

    const http = createServer((_req, res) => res.end('{"events":[]}'));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => http.close(() => r())));
    const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const client = new JsonHttpClient({
      baseUrl: base, timeoutMs: 2_000, retry: { maxRetries: 0, policy: { baseMs: 0, maxMs: 0 } }, headers: {},
      errors: { status: () => new Error('status'), timeout: () => new Error('timeout'), network: () => new Error('network'), badBody: () => new Error('body') },
    } as ConstructorParameters<typeof JsonHttpClient>[0]);
    await client.request({ method: 'GET', path: '/scoreboard', query: { dates: '20261205', apikey: 'hunter2' }, idempotent: true });

    await writer.close();
    const ws = await collect(path.join(dir, 's1', 'kalshi_monitor-0.ws.ndjson.gz'));
    expect(ws.map((p) => p.payload)).toEqual(frames);
    expect(ws[0]!.url).toBe(url);
    expect(ws[1]!.receivedUs).toBeGreaterThanOrEqual(ws[0]!.receivedUs);
    const httpReads = await collect(path.join(dir, 's1', 'kalshi_monitor-0.http.ndjson.gz'));
    expect(httpReads.map((p) => p.payload)).toEqual(['{"events":[]}']);
    expect(httpReads[0]!.url).toContain('/scoreboard?');
    expect(httpReads[0]!.url).not.toContain('hunter2');

    const manifest = JSON.parse(readFileSync(path.join(dir, 's1', 'kalshi_monitor-0.manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ format: 'arbees-capture/1', session: 's1', seed: '7', config: { ARBEES_SIM_SEED: '7' }, commit: currentCommit() });
    expect(manifest.config.KALSHI_API_KEY).toBeUndefined();
    expect(manifest.files).toEqual(expect.arrayContaining([expect.objectContaining({ file: 'kalshi_monitor-0.ws.ndjson.gz', payloads: 2, channels: 1 })]));
    expect(manifest.closedUs).toBeGreaterThan(manifest.startedUs);
  });

  it('keeps what was flushed when the process dies without closing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'arb-cap-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const writer = new CaptureWriter({ dir, session: 's2', service: 'orchestrator', instance: '0', config: {}, flushMs: 10_000 });
    for (let i = 0; i < 100; i++) writer.write('http', 'http://espn/scoreboard', `{"n":${i}}`, 1_000 + i);
    writer.flush();
    writer.write('http', 'http://espn/scoreboard', '{"n":"lost"}', 2_000); // never flushed
    // The flush lands on disk asynchronously: until the file exists, reading it throws ENOENT.
    const flushed = () => collect(path.join(dir, 's2', 'orchestrator-0.http.ndjson.gz')).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? [] : Promise.reject(err)));
    await eventually(async () => (await flushed()).length === 100, 5_000, 'flushed part readable');
    expect(readdirSync(path.join(dir, 's2')).sort()).toEqual(['orchestrator-0.http.ndjson.gz', 'orchestrator-0.manifest.json']);
    await writer.close();
  });
});
