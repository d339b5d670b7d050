/** Small node:http helpers for the simulated Polymarket servers. */
import type { IncomingMessage, ServerResponse } from 'node:http';

const MAX_BODY_BYTES = 1_000_000;

export class HttpFailure extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'HttpFailure';
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpFailure(413, 'body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpFailure(400, 'Invalid JSON body');
  }
}

/** `?active=true` style booleans; undefined when absent. */
export function boolParam(q: URLSearchParams, key: string): boolean | undefined {
  const v = q.get(key);
  if (v === null) return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new HttpFailure(422, `${key} must be true or false`);
}

export function intParam(q: URLSearchParams, key: string, fallback: number, max: number): number {
  const v = q.get(key);
  if (v === null) return fallback;
  if (!/^\d{1,9}$/.test(v)) throw new HttpFailure(422, `${key} must be a non-negative integer`);
  return Math.min(Number(v), max);
}

/** Repeated array params (`?slug=a&slug=b`); also accepts a comma list. */
export function listParam(q: URLSearchParams, key: string): string[] | undefined {
  const all = q.getAll(key).flatMap((v) => v.split(',')).filter((v) => v.length > 0);
  return all.length > 0 ? all : undefined;
}
