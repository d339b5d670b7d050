/**
 * Reads a capture file back (the format of capture-writer.ts), payload by payload in receive
 * order, for replay and tests. A file cut short by a crash reads up to the cut; a file that
 * cannot be opened throws (a read stream's open error would otherwise reach no one, and the lines
 * behind it would never end).
 */
import { open } from 'node:fs/promises';
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
  const handle = await open(file, 'r');
  const lines = createInterface({ input: handle.createReadStream().pipe(gunzip), crlfDelay: Infinity });
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
