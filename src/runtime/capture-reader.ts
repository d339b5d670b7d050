/**
 * Reads a capture file back (the format of capture-writer.ts), payload by payload in receive
 * order, for replay and tests. A file cut short by a crash reads up to the cut.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { constants, createGunzip } from 'node:zlib';

export interface CapturedPayload {
  readonly receivedUs: number;
  readonly url: string;
  readonly payload: string;
}

export async function* readCapture(file: string): AsyncGenerator<CapturedPayload> {
  const gunzip = createGunzip({ finishFlush: constants.Z_SYNC_FLUSH });
  gunzip.on('error', () => gunzip.end()); // a truncated tail ends the file
  const lines = createInterface({ input: createReadStream(file).pipe(gunzip), crlfDelay: Infinity });
  const channels = new Map<number, string>();
  for await (const line of lines) {
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return; // the cut of a crash
    }
    if (Array.isArray(value)) {
      const [receivedUs, channel, payload] = value as [number, number, string];
      yield { receivedUs, url: channels.get(channel) ?? '', payload };
    } else if (typeof value === 'object' && value !== null && 'channel' in value) {
      const c = value as { channel: number; url: string };
      channels.set(c.channel, c.url);
    }
  }
}
